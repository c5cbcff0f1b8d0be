package io.traverse.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.traverse.stun.MessageType;
import io.traverse.stun.Method;
import io.traverse.stun.StunMessage;
import io.traverse.stun.attr.XorMappedAddress;
import io.traverse.stun.attr.XorRelayedAddress;
import io.traverse.transport.TlsTestCertificates.KeyFormat;
import io.traverse.transport.TlsTestCertificates;
import io.traverse.turn.FiveTuple;
import io.traverse.turn.TransportProtocol;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The TLS listener of the real server (RFC 8656 §3.1): STUN and TURN over TLS 1.2/1.3, ALPN (RFC 7443), the
 * handshake timeout, the idle rule on TLS and TCP, and start-up errors for unusable certificates.
 */
class TlsListenerTest {
    /** Long enough for a JDK handshake on a loaded machine, short enough to keep the test quick. */
    private static final Duration HANDSHAKE = Duration.ofMillis(1500);
    private static final Duration IDLE = Duration.ofMillis(3000);

    @TempDir
    static Path dir;

    private static TestServer server;
    private static InetSocketAddress tls;
    private static InetSocketAddress tcp;

    @BeforeAll
    static void start() throws Exception {
        KeyPair keys = TlsTestCertificates.ec();
        TlsTestCertificates.writeCertificates(dir.resolve("server.crt"),
                TlsTestCertificates.selfSigned(keys, "turn.test"));
        TlsTestCertificates.writeKey(dir.resolve("server.key"), keys, KeyFormat.TRADITIONAL);
        server = TurnFixture.start(dir, Map.of(
                "listeners", "tls://127.0.0.1:0,tcp://127.0.0.1:0",
                "tls.certificate", dir.resolve("server.crt").toString(),
                "tls.private-key", dir.resolve("server.key").toString(),
                "tls.handshake-timeout", HANDSHAKE.toMillis() + "ms",
                "tls.idle-timeout", IDLE.toMillis() + "ms"));
        tls = server.server().address(TransportProtocol.TLS, false);
        tcp = server.tcp4();
        try (TlsTestClient warmUp = TlsTestClient.connect(tls)) {
            warmUp.binding();
        }
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.3", "TLSv1.2"})
    void bindingOverTls(String version) throws Exception {
        try (TlsTestClient client = TlsTestClient.connect(tls, List.of(version), List.of())) {
            assertEquals(version, client.socket().getSession().getProtocol());
            StunMessage response = client.binding();
            assertEquals(MessageType.successResponse(Method.BINDING), response.type());
            assertEquals(client.localAddress(), response.attribute(XorMappedAddress.class).orElseThrow().address());
        }
    }

    @ParameterizedTest
    @CsvSource(value = {"stun.turn, stun.turn", "stun.nat-discovery, stun.nat-discovery",
            "h2|stun.turn, stun.turn", "h2, ''", "'', ''"}, ignoreLeadingAndTrailingWhitespace = true)
    void alpnIsNegotiatedButNotRequired(String offered, String selected) throws Exception {
        List<String> offer = offered.isEmpty() ? List.of() : List.of(offered.split("\\|"));
        try (TlsTestClient client = TlsTestClient.connect(tls, List.of("TLSv1.3", "TLSv1.2"), offer)) {
            assertEquals(selected, client.socket().getApplicationProtocol());
            assertEquals(MessageType.successResponse(Method.BINDING), client.binding().type());
        }
    }

    @Test
    void allocateOverTlsUsesTheTlsFiveTuple() throws Exception {
        try (TlsTestClient client = TlsTestClient.connect(tls)) {
            StunMessage response = client.allocate(TurnFixture.USER, TurnFixture.PASSWORD);
            assertEquals(MessageType.successResponse(Method.ALLOCATE), response.type(), response.toString());
            assertTrue(response.attribute(XorRelayedAddress.class).isPresent());
            FiveTuple tuple = new FiveTuple(TransportProtocol.TLS, client.localAddress(), tls);
            assertTrue(server.server().allocations().find(tuple) != null, "allocation on the TLS 5-tuple");
            assertTrue(server.server().allocations().find(
                    new FiveTuple(TransportProtocol.TCP, client.localAddress(), tls)) == null);
        }
    }

    @Test
    void wrongPasswordIsRefusedOverTls() throws Exception {
        try (TlsTestClient client = TlsTestClient.connect(tls)) {
            StunMessage response = client.allocate(TurnFixture.USER, "wrong");
            assertEquals(MessageType.errorResponse(Method.ALLOCATE), response.type());
            assertEquals(401, response.attribute(io.traverse.stun.attr.ErrorCodeAttribute.class).orElseThrow()
                    .code());
        }
    }

    @Test
    void silentTcpConnectionIsClosedAfterTheHandshakeTimeout() throws Exception {
        try (Socket raw = new Socket()) {
            raw.connect(tls, 3000);
            raw.setSoTimeout(10_000);
            long start = System.nanoTime();
            assertEquals(-1, raw.getInputStream().read(), "the server closes without sending anything");
            long elapsed = Duration.ofNanos(System.nanoTime() - start).toMillis();
            assertTrue(elapsed >= HANDSHAKE.toMillis() - 200, "closed after " + elapsed + " ms");
            assertTrue(elapsed < IDLE.toMillis() - 200, "closed by the handshake timeout, not idle: " + elapsed);
        }
    }

    @Test
    void tlsConnectionWithoutAllocationIsClosedWhenIdle() throws Exception {
        try (TlsTestClient client = TlsTestClient.connect(tls)) {
            client.socket().setSoTimeout(10_000);
            long start = System.nanoTime();
            assertTrue(client.closedByServer());
            long elapsed = Duration.ofNanos(System.nanoTime() - start).toMillis();
            assertTrue(elapsed >= IDLE.toMillis() - 300, "closed after " + elapsed + " ms");
        }
    }

    @Test
    void trafficKeepsAConnectionWithoutAllocationOpen() throws Exception {
        try (TlsTestClient client = TlsTestClient.connect(tls)) {
            long end = System.nanoTime() + IDLE.multipliedBy(2).toNanos();
            while (System.nanoTime() < end) {
                assertEquals(MessageType.successResponse(Method.BINDING), client.binding().type());
                Thread.sleep(IDLE.toMillis() / 4);
            }
        }
    }

    @Test
    void allocationKeepsASilentTlsConnectionOpen() throws Exception {
        try (TlsTestClient client = TlsTestClient.connect(tls)) {
            StunMessage response = client.allocate(TurnFixture.USER, TurnFixture.PASSWORD);
            assertEquals(MessageType.successResponse(Method.ALLOCATE), response.type(), response.toString());
            client.socket().setSoTimeout((int) IDLE.multipliedBy(2).toMillis());
            assertFalse(client.closedByServer(), "silent for twice the idle timeout, but allocated");
            assertEquals(MessageType.successResponse(Method.BINDING), client.binding().type());
        }
    }

    @Test
    void slowlorisOnPlainTcpIsClosed() throws Exception {
        try (Socket raw = new Socket()) {
            raw.connect(tcp, 3000);
            raw.setSoTimeout(200);
            OutputStream out = raw.getOutputStream();
            InputStream in = raw.getInputStream();
            // A Binding request header, one byte at a time: never a complete frame within the idle timeout.
            byte[] header = {0x00, 0x01, 0x00, 0x00, 0x21, 0x12, (byte) 0xA4, 0x42, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
                    11, 12};
            long start = System.nanoTime();
            boolean closed = false;
            for (int i = 0; i < header.length && !closed; i++) {
                try {
                    out.write(header[i]);
                    out.flush();
                    closed = in.read() < 0;
                } catch (java.net.SocketTimeoutException e) {
                    // still open
                } catch (java.io.IOException e) {
                    closed = true;
                }
            }
            long elapsed = Duration.ofNanos(System.nanoTime() - start).toMillis();
            assertTrue(closed, "still open after " + elapsed + " ms");
            assertTrue(elapsed >= IDLE.toMillis() - 300, "closed after " + elapsed + " ms");
        }
    }

    @Test
    void tcpConnectionWithoutAllocationIsClosedWhenIdle() throws Exception {
        try (StunTestClient client = StunTestClient.tcp(tcp)) {
            client.exchange(io.traverse.stun.codec.StunEncoder.encode(StunMessage.builder(
                    MessageType.request(Method.BINDING), io.traverse.stun.TransactionId.random()).build()));
            Socket raw = socketOf(client);
            raw.setSoTimeout(10_000);
            long start = System.nanoTime();
            assertEquals(-1, raw.getInputStream().read());
            long elapsed = Duration.ofNanos(System.nanoTime() - start).toMillis();
            assertTrue(elapsed >= IDLE.toMillis() - 300, "closed after " + elapsed + " ms");
        }
    }

    private static Socket socketOf(StunTestClient client) throws Exception {
        java.lang.reflect.Field f = StunTestClient.class.getDeclaredField("tcp");
        f.setAccessible(true);
        return (Socket) f.get(client);
    }

    @Test
    void plainStunOnTheTlsPortIsNotAnswered() throws Exception {
        try (Socket raw = new Socket()) {
            raw.connect(tls, 3000);
            raw.setSoTimeout(5000);
            raw.getOutputStream().write(io.traverse.stun.codec.StunEncoder.encode(StunMessage.builder(
                    MessageType.request(Method.BINDING), io.traverse.stun.TransactionId.random()).build()));
            int first = raw.getInputStream().read();
            // Either a TLS alert record (21) or an immediate close; never a STUN response (0x01).
            assertTrue(first == -1 || first == 21, "got " + first);
        } catch (java.net.SocketException e) {
            // reset: also fine
        }
    }

    // --- start-up errors --------------------------------------------------------------------------------------

    private static Map<String, String> tlsOverrides(Path cert, Path key) {
        return Map.of("listeners", "tls://127.0.0.1:0",
                "tls.certificate", cert.toString(), "tls.private-key", key.toString());
    }

    @Test
    void expiredCertificateStopsStartWithAClearError(@TempDir Path tmp) throws Exception {
        KeyPair keys = TlsTestCertificates.rsa();
        Instant expiry = Instant.parse("2025-01-01T00:00:00Z");
        Path cert = tmp.resolve("expired.crt");
        Path key = tmp.resolve("expired.key");
        TlsTestCertificates.writeCertificates(cert, TlsTestCertificates.selfSigned(keys, "x",
                expiry.minus(Duration.ofDays(30)), expiry));
        TlsTestCertificates.writeKey(key, keys, KeyFormat.PKCS8);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> TurnFixture.start(tmp, tlsOverrides(cert, key)));
        assertEquals("tls.certificate " + cert + ": certificate expired on 2025-01-01T00:00:00Z", e.getMessage());
    }

    @Test
    void mismatchedKeyStopsStartWithAClearError(@TempDir Path tmp) throws Exception {
        Path cert = tmp.resolve("a.crt");
        Path key = tmp.resolve("b.key");
        TlsTestCertificates.writeCertificates(cert, TlsTestCertificates.selfSigned(TlsTestCertificates.ec(), "a"));
        TlsTestCertificates.writeKey(key, TlsTestCertificates.ec(), KeyFormat.TRADITIONAL);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> TurnFixture.start(tmp, tlsOverrides(cert, key)));
        assertEquals("tls.private-key " + key + ": does not match the certificate in " + cert, e.getMessage());
    }

    @Test
    void missingCertificateStopsStartWithAClearError(@TempDir Path tmp) throws Exception {
        Path cert = tmp.resolve("nope.crt");
        Path key = tmp.resolve("nope.key");
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> TurnFixture.start(tmp, tlsOverrides(cert, key)));
        assertEquals("tls.certificate " + cert + ": file does not exist", e.getMessage());
    }
}
