package io.traverse.transport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.traverse.config.LimitsConfig;
import io.traverse.config.TlsConfig;
import io.traverse.metrics.TraverseMetrics;
import io.traverse.turn.AllocationListener;
import io.traverse.turn.AllocationRegistry;
import io.traverse.turn.FiveTuple;
import io.traverse.turn.TransportProtocol;
import io.traverse.turn.TurnClock;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The DTLS listener on its own: the stateless cookie exchange (RFC 6347 §4.2.1) keeps a ClientHello flood from
 * creating per-source state, cookies are bound to the source, handshakes complete, application data is decrypted
 * for the STUN handler and its answers encrypted back, and associations end with close_notify or the timeouts.
 */
class DtlsListenerTest {
    @TempDir
    static Path dir;

    private static EventLoopGroup group;
    private static List<Channel> channels;
    private static DtlsListener dtls;
    private static InetSocketAddress address;
    private static TlsTestCertificates.PemPair certificate;
    private static final Queue<FiveTuple> closed = new ConcurrentLinkedQueue<>();

    /** Echoes every STUN message back to its sender (through the encrypting link). */
    private static final StunHandler ECHO = new StunHandler() {
        @Override
        public void onStun(ByteBuf packet, ClientLink link) {
            link.write(packet.retainedDuplicate());
            link.channel().flush();
        }

        @Override
        public void onClientClosed(ClientLink link) {
            closed.add(link.fiveTuple());
        }
    };

    @BeforeAll
    static void start() throws Exception {
        certificate = TlsTestCertificates.write(dir, "server", "dtls.test");
        CertificateStore store = CertificateStore.load(certificate.certificate(), certificate.key(),
                Clock.systemUTC());
        IoTransport io = IoTransport.select("auto");
        group = io.newEventLoopGroup(2);
        TraverseMetrics metrics = TraverseMetrics.inMemory();
        Listeners listeners = new Listeners(io, group, ECHO,
                new AllocationRegistry(100, 100, new AllocationListener() { }), TurnClock.system(), metrics,
                LimitsConfig.defaults());
        TlsConfig tls = new TlsConfig(certificate.certificate(), certificate.key(), Duration.ofSeconds(2),
                Duration.ofMillis(1500));
        channels = listeners.bindDtls(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), store, tls);
        address = (InetSocketAddress) channels.get(0).localAddress();
        dtls = channels.get(0).pipeline().get(DtlsServerHandler.class).listener();
    }

    @AfterAll
    static void stop() {
        if (channels != null) {
            channels.forEach(c -> c.close().awaitUninterruptibly());
        }
        if (group != null) {
            group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).awaitUninterruptibly();
        }
    }

    private static byte[] bindingRequest() {
        byte[] m = new byte[20];
        m[1] = 0x01; // Binding request, length 0
        m[4] = 0x21;
        m[5] = 0x12;
        m[6] = (byte) 0xA4;
        m[7] = 0x42;
        for (int i = 8; i < 20; i++) {
            m[i] = (byte) i;
        }
        return m;
    }

    private static void await(BooleanSupplier condition, Duration timeout, String what) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(10);
        }
    }

    @Test
    void handshakeAndEchoThroughTheStunHandler() throws Exception {
        try (DtlsTestClient client = DtlsTestClient.connect(address)) {
            await(() -> dtls.sessions() == 1 && dtls.handshakesInProgress() == 0, Duration.ofSeconds(5),
                    "one established session");
            assertArrayEquals(certificate.leaf().getEncoded(), client.serverCertificate());
            byte[] request = bindingRequest();
            client.send(request);
            assertArrayEquals(request, client.receive(3000), "decrypted, dispatched, encrypted back");
        }
        await(() -> dtls.sessions() == 0, Duration.ofSeconds(5), "close_notify ends the session");
    }

    @Test
    void alpnIsSelectedWhenOffered() throws Exception {
        try (DtlsTestClient client = DtlsTestClient.connect(address, List.of("h2", "stun.turn"))) {
            assertEquals("stun.turn", client.applicationProtocol());
        }
        try (DtlsTestClient client = DtlsTestClient.connect(address)) {
            assertNull(client.applicationProtocol());
        }
    }

    @Test
    void clientHelloFloodFromManySourcesLeavesNoState() throws Exception {
        await(() -> dtls.sessions() == 0, Duration.ofSeconds(5), "no sessions before the flood");
        byte[] hello = DtlsTestClient.firstClientHello(address);
        assertTrue(DtlsServerHandler.isClientHello(io.netty.buffer.Unpooled.wrappedBuffer(hello)));
        int answered = 0;
        List<DatagramSocket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < 300; i++) {
                DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                s.setSoTimeout(1000);
                sockets.add(s);
                s.send(new DatagramPacket(hello, hello.length, address));
            }
            byte[] buf = new byte[1500];
            for (DatagramSocket s : sockets) {
                try {
                    DatagramPacket p = new DatagramPacket(buf, buf.length);
                    s.receive(p);
                    // a HelloVerifyRequest: handshake record, message type 3
                    if (p.getLength() > 13 && buf[0] == 22 && buf[13] == 3) {
                        answered++;
                    }
                } catch (SocketTimeoutException e) {
                    // counted below
                }
                assertEquals(0, dtls.sessions(), "no per-source state during the flood");
            }
        } finally {
            sockets.forEach(DatagramSocket::close);
        }
        assertTrue(answered >= 290, "HelloVerifyRequests received: " + answered);
        assertEquals(0, dtls.sessions());
        assertEquals(0, dtls.handshakesInProgress());
    }

    @Test
    void cookieIsBoundToTheSourceAddress() throws Exception {
        try (DtlsTestClient client = DtlsTestClient.connect(address)) {
            await(() -> dtls.sessions() == 1, Duration.ofSeconds(5), "the real client's session");
            byte[] withCookie = client.sent().get(1); // the second ClientHello echoes the cookie
            assertTrue(DtlsServerHandler.isClientHello(io.netty.buffer.Unpooled.wrappedBuffer(withCookie)));
            try (DatagramSocket other = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(),
                    0))) {
                other.setSoTimeout(1000);
                other.send(new DatagramPacket(withCookie, withCookie.length, address));
                byte[] buf = new byte[1500];
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                other.receive(p);
                assertEquals(3, buf[13], "a replayed cookie from another port gets a fresh HelloVerifyRequest");
            }
            assertEquals(1, dtls.sessions(), "no session for the replaying source");
            byte[] request = bindingRequest();
            client.send(request);
            assertArrayEquals(request, client.receive(3000));
        }
    }

    @Test
    void silentHandshakeIsDroppedAfterTheTimeout() throws Exception {
        await(() -> dtls.sessions() == 0, Duration.ofSeconds(5), "no sessions");
        // A client that completes the cookie exchange and then goes silent holds state for at most the timeout.
        byte[] hello = DtlsTestClient.firstClientHello(address);
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            s.setSoTimeout(2000);
            s.send(new DatagramPacket(hello, hello.length, address));
            byte[] buf = new byte[1500];
            DatagramPacket hvr = new DatagramPacket(buf, buf.length);
            s.receive(hvr);
            byte[] cookieHello = withCookie(hello, java.util.Arrays.copyOf(buf, hvr.getLength()));
            s.send(new DatagramPacket(cookieHello, cookieHello.length, address));
            await(() -> dtls.sessions() == 1, Duration.ofSeconds(3), "a session after a valid cookie");
            await(() -> dtls.sessions() == 0 && dtls.handshakesInProgress() == 0, Duration.ofSeconds(6),
                    "the silent handshake to be dropped");
        }
    }

    @Test
    void establishedSessionWithoutAllocationIsClosedWhenIdle() throws Exception {
        try (DtlsTestClient client = DtlsTestClient.connect(address)) {
            await(() -> dtls.sessions() == 1, Duration.ofSeconds(5), "session");
            FiveTuple tuple = new FiveTuple(TransportProtocol.DTLS, client.localAddress(), address);
            await(() -> closed.contains(tuple), Duration.ofSeconds(6), "idle close reported to the STUN handler");
            assertEquals(0, dtls.sessions());
        }
    }

    /**
     * Rebuilds a DTLS 1.2 ClientHello record with the cookie from a HelloVerifyRequest (RFC 6347 §4.2.1): the
     * cookie field follows version (2), random (32) and session id (1 + n) in the ClientHello body.
     */
    static byte[] withCookie(byte[] hello, byte[] hvr) {
        int cookieLength = hvr[13 + 12 + 2] & 0xff;
        byte[] cookie = java.util.Arrays.copyOfRange(hvr, 13 + 12 + 3, 13 + 12 + 3 + cookieLength);
        int body = 13 + 12;
        int sessionIdLength = hello[body + 34] & 0xff;
        int cookieAt = body + 35 + sessionIdLength;
        int oldCookie = hello[cookieAt] & 0xff;
        ByteBuf out = io.netty.buffer.Unpooled.buffer();
        out.writeBytes(hello, 0, cookieAt);
        out.writeByte(cookie.length).writeBytes(cookie);
        out.writeBytes(hello, cookieAt + 1 + oldCookie, hello.length - cookieAt - 1 - oldCookie);
        byte[] b = ByteBufUtil.getBytes(out);
        int delta = cookie.length - oldCookie;
        int bodyLength = (((b[14] & 0xff) << 16) | ((b[15] & 0xff) << 8) | (b[16] & 0xff)) + delta;
        b[14] = (byte) (bodyLength >> 16);
        b[15] = (byte) (bodyLength >> 8);
        b[16] = (byte) bodyLength;
        b[22] = b[14]; // fragment length = message length (unfragmented)
        b[23] = b[15];
        b[24] = b[16];
        b[4 + 1] = (byte) 1; // record sequence number 1
        int recordLength = b.length - 13;
        b[11] = (byte) (recordLength >> 8);
        b[12] = (byte) recordLength;
        b[13 + 5] = 1; // message_seq 1 (bytes 17..18 of the record)
        assertNotNull(cookie);
        return b;
    }
}
