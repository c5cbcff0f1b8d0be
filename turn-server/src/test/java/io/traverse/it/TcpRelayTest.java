package io.traverse.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.traverse.client.AllocateOptions;
import io.traverse.client.Transport;
import io.traverse.client.TurnClient;
import io.traverse.client.TurnCredentials;
import io.traverse.client.TurnErrorException;
import io.traverse.metrics.TraverseMetrics.Limit;
import io.traverse.stun.MessageClass;
import io.traverse.stun.MessageType;
import io.traverse.stun.Method;
import io.traverse.stun.StunAttribute;
import io.traverse.stun.StunMessage;
import io.traverse.stun.TransactionId;
import io.traverse.stun.attr.ConnectionId;
import io.traverse.stun.attr.ErrorCodeAttribute;
import io.traverse.stun.attr.Nonce;
import io.traverse.stun.attr.Realm;
import io.traverse.stun.attr.RequestedTransport;
import io.traverse.stun.attr.Username;
import io.traverse.stun.attr.XorPeerAddress;
import io.traverse.stun.auth.LongTermKey;
import io.traverse.stun.auth.PasswordAlgorithm;
import io.traverse.stun.codec.Integrity;
import io.traverse.stun.codec.StunEncoder;
import java.io.DataInputStream;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** RFC 6062 TCP relaying against the real server: Connect, 446, 447, ConnectionBind and the data pipe. */
class TcpRelayTest {
    @TempDir
    static Path dir;

    private static TestServer server;
    private static final TurnCredentials ALICE = TurnCredentials.password(TurnFixture.USER, TurnFixture.PASSWORD);

    @BeforeAll
    static void start() throws Exception {
        server = TurnFixture.start(dir);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static InetSocketAddress relayed;

    private static TurnClient tcpAllocation() throws Exception {
        TurnClient client = TurnClient.connect(Transport.TCP, server.tcp4());
        relayed = client.allocate(ALICE, AllocateOptions.builder().tcpRelay(true).build()).relayedAddresses().get(0);
        return client;
    }

    @Test
    void connectThroughTheRelayAndPipeData() throws Exception {
        try (TurnClient control = tcpAllocation();
             ServerSocket peerListener = new ServerSocket(0, 5, InetAddress.getByName("127.0.0.1"))) {
            peerListener.setSoTimeout(5000);
            InetSocketAddress peer = (InetSocketAddress) peerListener.getLocalSocketAddress();
            StunMessage connected = control.request(Method.CONNECT, List.of(new XorPeerAddress(peer)));
            int id = connected.attribute(ConnectionId.class).orElseThrow().id();
            try (Socket peerSide = peerListener.accept()) {
                peerSide.setSoTimeout(5000);
                // RFC 6062 §5.2: the server connects from the relayed transport address.
                assertEquals(relayed, peerSide.getRemoteSocketAddress());

                // §5.2: a second Connect to the same peer → 446.
                TurnErrorException again = assertThrows(TurnErrorException.class,
                        () -> control.request(Method.CONNECT, List.of(new XorPeerAddress(peer))));
                assertEquals(446, again.code());

                try (Socket data = new Socket("127.0.0.1", server.tcp4().getPort())) {
                    data.setSoTimeout(5000);
                    StunMessage bound = authenticated(data, Method.CONNECTION_BIND, List.of(new ConnectionId(id)));
                    assertEquals(MessageClass.SUCCESS_RESPONSE, bound.type().messageClass());
                    data.getOutputStream().write("hello peer".getBytes(StandardCharsets.US_ASCII));
                    assertArrayEquals("hello peer".getBytes(StandardCharsets.US_ASCII), read(peerSide, 10));
                    peerSide.getOutputStream().write("hello client".getBytes(StandardCharsets.US_ASCII));
                    assertArrayEquals("hello client".getBytes(StandardCharsets.US_ASCII), read(data, 12));
                    // closing the peer closes the data connection (RFC 6062 §5.5)
                    peerSide.close();
                    assertEquals(-1, data.getInputStream().read());
                }
            }
        }
    }

    /**
     * Connects pipelined on the control connection (sent together, answered as they complete): the per-peer slot is
     * taken before connecting, so only the first to a peer succeeds and the others get 446 (RFC 6062 §5.2), and at
     * most {@code limits.tcp-relay.connects-per-second-per-allocation} (10) start per second; the rest get 508.
     */
    @Test
    void pipelinedConnectsCannotBypass446OrTheRateLimit() throws Exception {
        List<ServerSocket> peers = new ArrayList<>();
        try (TurnTestSession session = new TurnTestSession(StunTestClient.tcp(server.tcp4()), TurnFixture.USER,
                TurnFixture.PASSWORD, TurnTestSession.Options.browser())) {
            session.challenge();
            session.succeed(session.send(TurnTestSession.request(Method.ALLOCATE)
                    .add(new RequestedTransport(RequestedTransport.TCP))));
            for (int i = 0; i < 11; i++) {
                peers.add(new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1")));
            }
            java.io.ByteArrayOutputStream pipelined = new java.io.ByteArrayOutputStream();
            InetSocketAddress first = (InetSocketAddress) peers.get(0).getLocalSocketAddress();
            for (int i = 0; i < 3; i++) {
                pipelined.write(session.sign(TurnTestSession.request(Method.CONNECT).add(new XorPeerAddress(first))));
            }
            for (int i = 1; i < peers.size(); i++) {
                pipelined.write(session.sign(TurnTestSession.request(Method.CONNECT)
                        .add(new XorPeerAddress((InetSocketAddress) peers.get(i).getLocalSocketAddress()))));
            }
            double rateRefusedBefore = server.metrics().refusedCount(Limit.CONNECT_RATE_ALLOCATION);
            session.client().sendRaw(pipelined.toByteArray());
            Map<Integer, Integer> codes = new TreeMap<>();
            for (int i = 0; i < 3 + peers.size() - 1; i++) {
                codes.merge(TurnTestSession.code(session.client().receive().message()), 1, Integer::sum);
            }
            // 13 Connects: the first 10 start (1 success to the first peer + 2 × 446, 7 successes), 3 are over the rate
            assertEquals(Map.of(0, 8, 446, 2, 508, 3), codes);
            assertEquals(3, server.metrics().refusedCount(Limit.CONNECT_RATE_ALLOCATION) - rateRefusedBefore);
        } finally {
            for (ServerSocket p : peers) {
                p.close();
            }
        }
    }

    @Test
    void connectToAClosedPortIs447() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            closed = s.getLocalPort();
        }
        try (TurnClient control = tcpAllocation()) {
            TurnErrorException e = assertThrows(TurnErrorException.class, () -> control.request(Method.CONNECT,
                    List.of(new XorPeerAddress(new InetSocketAddress("127.0.0.1", closed)))));
            assertEquals(447, e.code());
        }
    }

    @Test
    void connectionBindWithAnUnknownIdIs400() throws Exception {
        try (Socket data = new Socket("127.0.0.1", server.tcp4().getPort())) {
            data.setSoTimeout(5000);
            StunMessage response = authenticated(data, Method.CONNECTION_BIND, List.of(new ConnectionId(12345)));
            assertEquals(400, response.attribute(ErrorCodeAttribute.class).orElseThrow().code());
        }
    }

    @Test
    void connectOnAUdpAllocationIs400AndTcpRelayOverUdpIs400() throws Exception {
        try (TurnClient udp = TurnClient.connect(Transport.UDP, server.udp4())) {
            TurnErrorException overUdp = assertThrows(TurnErrorException.class,
                    () -> udp.allocate(ALICE, AllocateOptions.builder().tcpRelay(true).build()));
            assertEquals(400, overUdp.code(), "RFC 6062 §5.1: a TCP allocation needs a TCP or TLS connection");
            udp.allocate(ALICE);
            TurnErrorException connect = assertThrows(TurnErrorException.class, () -> udp.request(Method.CONNECT,
                    List.of(new XorPeerAddress(new InetSocketAddress("127.0.0.1", 9)))));
            assertEquals(400, connect.code());
        }
    }

    @Test
    void closingTheControlConnectionEndsTheAllocation() throws Exception {
        awaitRegistered(0); // allocations of the other tests end when their clients close
        int before = 0;
        TurnClient control = tcpAllocation();
        assertEquals(before + 1, server.server().allocations().registered());
        control.close();
        awaitRegistered(before);
    }

    private static void awaitRegistered(int expected) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (server.server().allocations().registered() != expected && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(expected, server.server().allocations().registered());
    }

    /** One request on a raw TCP connection, with the RFC 8489 §9.2 401 → authenticated retry. */
    private static StunMessage authenticated(Socket socket, Method method, List<StunAttribute> attributes)
            throws Exception {
        StunMessage.Builder first = StunMessage.builder(MessageType.request(method), TransactionId.random());
        attributes.forEach(first::add);
        socket.getOutputStream().write(StunEncoder.encode(first.build()));
        StunMessage challenge = readStun(socket);
        assertEquals(401, challenge.attribute(ErrorCodeAttribute.class).orElseThrow().code());
        StunMessage.Builder second = StunMessage.builder(MessageType.request(method), TransactionId.random());
        attributes.forEach(second::add);
        second.add(new Username(TurnFixture.USER))
                .add(challenge.attribute(Realm.class).orElseThrow())
                .add(challenge.attribute(Nonce.class).orElseThrow());
        byte[] key = LongTermKey.derive(PasswordAlgorithm.MD5, TurnFixture.USER, TurnFixture.REALM,
                TurnFixture.PASSWORD);
        socket.getOutputStream().write(StunEncoder.encode(second.build(), Integrity.sha1(key), false));
        return readStun(socket);
    }

    private static StunMessage readStun(Socket socket) throws Exception {
        DataInputStream in = new DataInputStream(socket.getInputStream());
        byte[] header = new byte[20];
        in.readFully(header);
        int length = ((header[2] & 0xff) << 8) | (header[3] & 0xff);
        byte[] whole = Arrays.copyOf(header, 20 + length);
        in.readFully(whole, 20, length);
        return io.traverse.stun.codec.StunDecoder.decode(whole).message();
    }

    private static byte[] read(Socket socket, int n) throws Exception {
        byte[] buf = new byte[n];
        InputStream in = socket.getInputStream();
        int off = 0;
        while (off < n) {
            int r = in.read(buf, off, n - off);
            assertTrue(r > 0, "connection closed after " + off + " bytes");
            off += r;
        }
        return buf;
    }
}
