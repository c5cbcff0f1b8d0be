package io.traverse.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetric;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.traverse.metrics.TraverseMetrics.DropReason;
import io.traverse.metrics.TraverseMetrics.Limit;
import io.traverse.stun.MessageType;
import io.traverse.stun.Method;
import io.traverse.stun.StunMessage;
import io.traverse.stun.TransactionId;
import io.traverse.stun.codec.StunDecoder;
import io.traverse.stun.codec.StunEncoder;
import io.traverse.transport.DtlsTestClient;
import io.traverse.transport.TlsTestCertificates;
import io.traverse.transport.TlsTestCertificates.PemPair;
import io.traverse.turn.TransportProtocol;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Attacks a remote party can make on the transport, each run for a bounded time against the real server: memory and
 * connections stay bounded, the refusal is counted under its limit, and a normal client is still served.
 */
class ResourceExhaustionTest {
    private static final long MIB = 1024 * 1024;
    /**
     * Growth of the server's buffer memory the attacks below may cause. Issue 10 asks for less than 64 MB; with
     * backpressure a connection holds about 64 KiB plus one read's worth of responses, so 16 MiB is already generous
     * (the allocator reserves memory in chunks of a few MiB per event loop).
     */
    private static final long MAX_GROWTH = 16 * MIB;
    private static final Duration ATTACK = Duration.ofSeconds(8);

    @TempDir
    Path dir;

    /**
     * One TCP connection that sends Binding requests as fast as it can and never reads. Without backpressure every
     * response is queued (it grew the server by ~150 MB/s); with it the server stops reading the connection once
     * 64 KiB are queued, so the attacker's own writes block.
     */
    @Test
    void nonReadingTcpFloodLeavesMemoryFlat() throws Exception {
        try (TestServer server = TestServer.start()) {
            InetSocketAddress tcp = server.tcp4();
            binding(tcp);
            long before = bufferMemory();
            long peak = before;
            AtomicLong sent = new AtomicLong();
            try (Socket attacker = new Socket()) {
                attacker.setReceiveBufferSize(4096);
                attacker.connect(tcp, 3000);
                Thread flood = floodThread(attacker, bindingRequests(1000), sent);
                flood.start();
                long end = System.nanoTime() + ATTACK.toNanos();
                while (System.nanoTime() < end && peak - before < 16 * MAX_GROWTH) {
                    Thread.sleep(100);
                    peak = Math.max(peak, bufferMemory());
                }
                binding(tcp);
                peak = Math.max(peak, bufferMemory());
                attacker.close();
                flood.join(5000);
            }
            assertTrue(peak - before < MAX_GROWTH, "buffer memory grew by " + (peak - before) / MIB
                    + " MiB while the attacker sent " + sent.get() / MIB + " MiB of Binding requests");
        }
    }

    /**
     * A TCP client with an allocation that stops reading while its peer floods the relay: the peer's datagrams are
     * dropped (and counted) instead of queued for the client.
     */
    @Test
    void peerFloodToNonReadingClientIsDropped() throws Exception {
        try (TestServer server = TurnFixture.start(dir);
                UdpPeer peer = UdpPeer.on("127.0.0.1")) {
            Socket socket = new Socket();
            socket.setReceiveBufferSize(4096);
            socket.connect(server.tcp4(), 3000);
            try (TurnTestSession session = new TurnTestSession(StunTestClient.stream(socket), TurnFixture.USER,
                    TurnFixture.PASSWORD, TurnTestSession.Options.browser())) {
                InetSocketAddress relayed = TurnTestSession.relayed(session.allocate(), false);
                session.createPermission(peer.address());
                long before = bufferMemory();
                long peak = before;
                byte[] datagram = new byte[1200];
                long end = System.nanoTime() + ATTACK.toNanos();
                for (int i = 0; System.nanoTime() < end && peak - before < 16 * MAX_GROWTH; i++) {
                    peer.send(relayed, datagram);
                    if (i % 1000 == 0) {
                        peak = Math.max(peak, bufferMemory());
                    }
                }
                peak = Math.max(peak, bufferMemory());
                binding(server.tcp4());
                assertTrue(server.metrics().droppedCount(DropReason.CLIENT_BACKLOG) > 0,
                        "peer data for a client that does not read is dropped and counted");
                assertTrue(peak - before < MAX_GROWTH, "buffer memory grew by " + (peak - before) / MIB + " MiB");
            }
        }
    }

    /** Connections from one IP beyond its cap are closed at accept and counted; another IP is still served. */
    @Test
    void connectionsPerIpAreCapped() throws Exception {
        try (TestServer server = TestServer.start("", Map.of("limits.streams.max-connections-per-ip", "5"))) {
            List<Socket> held = open(server.tcp4(), "127.0.0.1", 20);
            try {
                assertEquals(15, refused(held), "connections past 5 from 127.0.0.1 are closed at once");
                assertEquals(15, server.metrics().refusedCount(Limit.STREAM_CONNECTIONS_PER_IP));
                assertEquals(5, server.metrics().streamConnections());
                bindingFrom(server.tcp4(), "127.0.0.2");
            } finally {
                closeAll(held);
            }
        }
    }

    /** The server-wide cap on stream connections. */
    @Test
    void connectionsInTotalAreCapped() throws Exception {
        try (TestServer server = TestServer.start("", Map.of("limits.streams.max-connections", "8"))) {
            List<Socket> held = new ArrayList<>(open(server.tcp4(), "127.0.0.1", 4));
            held.addAll(open(server.tcp4(), "127.0.0.2", 4));
            held.addAll(open(server.tcp4(), "127.0.0.3", 4));
            try {
                assertEquals(4, refused(held));
                assertEquals(4, server.metrics().refusedCount(Limit.STREAM_CONNECTIONS));
                assertEquals(8, server.metrics().streamConnections());
            } finally {
                closeAll(held);
            }
            awaitNoStreams(server);
            binding(server.tcp4());
        }
    }

    /** Connections that never allocate: at most {@code max-without-allocation} are held. */
    @Test
    void connectionsWithoutAllocationAreCapped() throws Exception {
        try (TestServer server = TestServer.start("", Map.of("limits.streams.max-without-allocation", "3"))) {
            List<Socket> held = open(server.tcp4(), "127.0.0.1", 6);
            try {
                assertEquals(3, refused(held));
                assertEquals(3, server.metrics().refusedCount(Limit.STREAM_WITHOUT_ALLOCATION));
            } finally {
                closeAll(held);
            }
            awaitNoStreams(server);
            binding(server.tcp4());
        }
    }

    /** A connection is closed {@code allocate-within} after it opened unless it allocated, however busy it is. */
    @Test
    void connectionsMustAllocateInTime() throws Exception {
        try (TestServer server = TestServer.start("", Map.of("limits.streams.allocate-within", "1500ms"));
                StunTestClient busy = StunTestClient.tcp(server.tcp4())) {
            long start = System.nanoTime();
            boolean closed = false;
            while (!closed && System.nanoTime() - start < Duration.ofSeconds(10).toNanos()) {
                try {
                    busy.exchange(StunEncoder.encode(bindingRequest()));
                    Thread.sleep(200);
                } catch (IOException e) {
                    closed = true;
                }
            }
            assertTrue(closed, "a connection that only sends Binding requests is closed");
            assertTrue(System.nanoTime() - start >= Duration.ofMillis(1400).toNanos(), "not before the deadline");
            assertEquals(1, server.metrics().refusedCount(Limit.STREAM_ALLOCATE_DEADLINE));
        }
    }

    /** TLS connections that never finish their handshake hold at most {@code max-tls-handshakes} slots. */
    @Test
    void tlsHandshakesInProgressAreCapped() throws Exception {
        try (TestServer server = secureServer("tls",
                "limits.streams.max-tls-handshakes", "4",
                // a refused handshake must give its "without allocation" count back, or the last client is refused
                "limits.streams.max-without-allocation", "5")) {
            InetSocketAddress tls = server.server().address(TransportProtocol.TLS, false);
            List<Socket> silent = open(tls, "127.0.0.1", 10);
            try {
                assertEquals(6, refused(silent), "connections past 4 silent handshakes are closed at once");
                assertEquals(6, server.metrics().refusedCount(Limit.TLS_HANDSHAKES));
            } finally {
                closeAll(silent);
            }
            awaitNoStreams(server);
            try (TlsTestClient client = TlsTestClient.connect(tls)) {
                assertEquals(MessageType.successResponse(Method.BINDING), client.binding().type());
            }
        }
    }

    /**
     * DTLS clients from one address that start handshakes and stall hold at most {@code max-handshakes-per-ip} of the
     * handshake pool (32 threads): a client from another address still gets its association at once, instead of
     * waiting for the stalled handshakes to time out.
     */
    @Test
    void dtlsHandshakesPerIpCannotTakeThePool() throws Exception {
        try (TestServer server = secureServer("dtls",
                "tls.handshake-timeout", "60s",
                "limits.dtls.max-handshakes-per-ip", "3")) {
            InetSocketAddress dtls = server.server().address(TransportProtocol.DTLS, false);
            List<AutoCloseable> stalled = new ArrayList<>();
            try {
                for (int i = 0; i < 40; i++) {
                    stalled.add(DtlsTestClient.stalled(dtls));
                }
                awaitAtLeast(() -> server.metrics().refusedCount(Limit.DTLS_HANDSHAKES_PER_IP), 37);
                CompletableFuture<StunMessage> other = CompletableFuture.supplyAsync(() -> {
                    try (DtlsTestClient client = DtlsTestClient.connectFrom(dtls, InetAddress.getByName("127.0.0.2"),
                            List.of())) {
                        client.send(StunEncoder.encode(bindingRequest()));
                        return StunDecoder.decode(client.receive(3000)).message();
                    } catch (Exception e) {
                        throw new CompletionException(e);
                    }
                });
                assertEquals(MessageType.successResponse(Method.BINDING), other.get(10, TimeUnit.SECONDS).type());
            } finally {
                for (AutoCloseable c : stalled) {
                    c.close();
                }
            }
        }
    }

    /** Established DTLS associations are capped per source and in total; refusals are counted under each. */
    @Test
    void dtlsAssociationsAreCapped() throws Exception {
        try (TestServer server = secureServer("dtls",
                "limits.dtls.max-associations-per-ip", "2",
                "limits.dtls.max-associations", "3")) {
            InetSocketAddress dtls = server.server().address(TransportProtocol.DTLS, false);
            InetAddress one = InetAddress.getByName("127.0.0.1");
            try (DtlsTestClient a = DtlsTestClient.connectFrom(dtls, one, List.of());
                    DtlsTestClient b = DtlsTestClient.connectFrom(dtls, one, List.of());
                    AutoCloseable third = DtlsTestClient.stalled(dtls)) {
                awaitAtLeast(() -> server.metrics().refusedCount(Limit.DTLS_ASSOCIATIONS_PER_IP), 1);
                try (DtlsTestClient c = DtlsTestClient.connectFrom(dtls, InetAddress.getByName("127.0.0.2"),
                        List.of());
                        AutoCloseable fourth = DtlsTestClient.stalledFrom(dtls, InetAddress.getByName("127.0.0.3"))) {
                    awaitAtLeast(() -> server.metrics().refusedCount(Limit.DTLS_ASSOCIATIONS), 1);
                    c.send(StunEncoder.encode(bindingRequest()));
                    assertEquals(MessageType.successResponse(Method.BINDING),
                            StunDecoder.decode(c.receive(3000)).message().type());
                }
            }
        }
    }

    // ------------------------------------------------------------------------------------ helpers

    /** A TURN test server with one {@code protocol} (tls or dtls) listener on 127.0.0.1 and {@code settings}. */
    private TestServer secureServer(String protocol, String... settings) throws Exception {
        PemPair certificate = TlsTestCertificates.write(dir, "server", "localhost");
        Map<String, String> overrides = new java.util.HashMap<>(Map.of("listeners", protocol + "://127.0.0.1:0",
                "tls.certificate", certificate.certificate().toString(),
                "tls.private-key", certificate.key().toString()));
        for (int i = 0; i < settings.length; i += 2) {
            overrides.put(settings[i], settings[i + 1]);
        }
        return TurnFixture.start(dir, overrides);
    }

    /** Waits until the server saw every stream connection close (it releases their counts then). */
    static void awaitNoStreams(TestServer server) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (server.metrics().streamConnections() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(0, server.metrics().streamConnections(), "stream connections still open");
    }

    static void awaitAtLeast(java.util.function.DoubleSupplier value, double expected) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (value.getAsDouble() < expected && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertTrue(value.getAsDouble() >= expected, "expected at least " + expected + ", got " + value.getAsDouble());
    }

    /** {@code count} TCP connections to {@code server} from {@code source}. */
    static List<Socket> open(InetSocketAddress server, String source, int count) throws IOException {
        List<Socket> sockets = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Socket s = new Socket();
            s.bind(new InetSocketAddress(InetAddress.getByName(source), 0));
            s.connect(server, 3000);
            sockets.add(s);
        }
        return sockets;
    }

    /** How many of {@code sockets} the server closed: those that read end-of-stream (or a reset) at once. */
    static int refused(List<Socket> sockets) throws IOException {
        int refused = 0;
        for (Socket s : sockets) {
            s.setSoTimeout(300);
            try {
                if (s.getInputStream().read() < 0) {
                    refused++;
                }
            } catch (SocketTimeoutException open) {
                // held open by the server
            } catch (IOException reset) {
                refused++;
            }
        }
        return refused;
    }

    static void closeAll(List<Socket> sockets) throws IOException {
        for (Socket s : sockets) {
            s.close();
        }
    }

    /** A Binding over TCP from {@code source} must be answered. */
    static void bindingFrom(InetSocketAddress server, String source) throws Exception {
        try (Socket s = open(server, source, 1).get(0);
                StunTestClient client = StunTestClient.stream(s)) {
            StunMessage response = client.exchange(StunEncoder.encode(bindingRequest()));
            assertEquals(MessageType.successResponse(Method.BINDING), response.type());
        }
    }

    /** Bytes held by Netty's default allocator (direct and heap): where queued writes live. */
    static long bufferMemory() {
        ByteBufAllocatorMetric metric = ((ByteBufAllocatorMetricProvider) ByteBufAllocator.DEFAULT).metric();
        return metric.usedDirectMemory() + metric.usedHeapMemory();
    }

    /** A normal client: a Binding over a new TCP connection must be answered. */
    static void binding(InetSocketAddress server) throws Exception {
        try (StunTestClient client = StunTestClient.tcp(server)) {
            StunMessage response = client.exchange(StunEncoder.encode(bindingRequest()));
            assertEquals(MessageType.successResponse(Method.BINDING), response.type());
        }
    }

    static StunMessage bindingRequest() {
        return StunMessage.builder(MessageType.request(Method.BINDING), TransactionId.random()).build();
    }

    /** {@code count} Binding requests back to back. */
    static byte[] bindingRequests(int count) {
        byte[] one = StunEncoder.encode(bindingRequest());
        byte[] all = new byte[one.length * count];
        for (int i = 0; i < count; i++) {
            System.arraycopy(one, 0, all, i * one.length, one.length);
        }
        return all;
    }

    /** Writes {@code batch} to {@code socket} until the socket is closed; counts bytes written into {@code sent}. */
    static Thread floodThread(Socket socket, byte[] batch, AtomicLong sent) {
        Thread t = new Thread(() -> {
            try {
                OutputStream out = socket.getOutputStream();
                while (!socket.isClosed()) {
                    out.write(batch);
                    sent.addAndGet(batch.length);
                }
            } catch (IOException closed) {
                // the test closed the socket, or the server did
            }
        }, "flood");
        t.setDaemon(true);
        return t;
    }
}
