package io.traverse.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.traverse.stun.MessageType;
import io.traverse.stun.Method;
import io.traverse.stun.StunMessage;
import io.traverse.stun.TransactionId;
import io.traverse.stun.attr.ErrorCodeAttribute;
import io.traverse.stun.attr.XorMappedAddress;
import io.traverse.stun.attr.XorRelayedAddress;
import io.traverse.stun.codec.StunDecoder;
import io.traverse.stun.codec.StunEncoder;
import io.traverse.transport.DtlsTestClient;
import io.traverse.transport.TlsTestCertificates.KeyFormat;
import io.traverse.transport.TlsTestCertificates;
import io.traverse.turn.FiveTuple;
import io.traverse.turn.TransportProtocol;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * STUN and TURN over the DTLS listener of the real server (RFC 8656 §3.1) with an ECDSA certificate, using
 * Bouncy Castle's DTLS client: Binding, Allocate on the DTLS 5-tuple, the allocation ending with the association,
 * and a certificate reload reaching new DTLS handshakes.
 */
class DtlsServiceTest {
    @TempDir
    static Path dir;

    private static TestServer server;
    private static InetSocketAddress dtls;
    private static X509Certificate leaf;

    @BeforeAll
    static void start() throws Exception {
        KeyPair keys = TlsTestCertificates.ec();
        leaf = TlsTestCertificates.selfSigned(keys, "dtls.test");
        TlsTestCertificates.writeCertificates(dir.resolve("server.crt"), leaf);
        TlsTestCertificates.writeKey(dir.resolve("server.key"), keys, KeyFormat.TRADITIONAL);
        server = TurnFixture.start(dir, Map.of(
                "listeners", "dtls://127.0.0.1:0",
                "tls.certificate", dir.resolve("server.crt").toString(),
                "tls.private-key", dir.resolve("server.key").toString()));
        dtls = server.server().address(TransportProtocol.DTLS, false);
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static StunMessage exchange(DtlsTestClient client, byte[] request) throws Exception {
        client.send(request);
        byte[] response = client.receive(5000);
        assertNotNull(response, "no response within 5 s");
        return StunDecoder.decode(response).message();
    }

    @Test
    void bindingOverDtls() throws Exception {
        try (DtlsTestClient client = DtlsTestClient.connect(dtls)) {
            StunMessage response = exchange(client, StunEncoder.encode(StunMessage.builder(
                    MessageType.request(Method.BINDING), TransactionId.random()).build()));
            assertEquals(MessageType.successResponse(Method.BINDING), response.type());
            assertEquals(client.localAddress(), response.attribute(XorMappedAddress.class).orElseThrow().address());
        }
    }

    @Test
    void allocationLivesOnTheDtlsFiveTupleAndEndsWithTheAssociation() throws Exception {
        FiveTuple tuple;
        try (DtlsTestClient client = DtlsTestClient.connect(dtls)) {
            StunMessage response = TlsTestClient.allocate(bytes -> exchange(client, bytes), TurnFixture.USER,
                    TurnFixture.PASSWORD);
            assertEquals(MessageType.successResponse(Method.ALLOCATE), response.type(), response.toString());
            assertTrue(response.attribute(XorRelayedAddress.class).isPresent());
            tuple = new FiveTuple(TransportProtocol.DTLS, client.localAddress(), dtls);
            assertNotNull(server.server().allocations().find(tuple));
            assertNull(server.server().allocations().find(
                    new FiveTuple(TransportProtocol.UDP, client.localAddress(), dtls)));
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (server.server().allocations().find(tuple) != null && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertNull(server.server().allocations().find(tuple), "close_notify ends the allocation");
    }

    @Test
    void wrongPasswordIsRefusedOverDtls() throws Exception {
        try (DtlsTestClient client = DtlsTestClient.connect(dtls)) {
            StunMessage response = TlsTestClient.allocate(bytes -> exchange(client, bytes), TurnFixture.USER,
                    "wrong");
            assertEquals(MessageType.errorResponse(Method.ALLOCATE), response.type());
            assertEquals(401, response.attribute(ErrorCodeAttribute.class).orElseThrow().code());
        }
    }

    @Test
    void reloadedCertificateReachesNewDtlsHandshakes() throws Exception {
        try (DtlsTestClient before = DtlsTestClient.connect(dtls)) {
            assertArrayEquals(leaf.getEncoded(), before.serverCertificate());
            TlsTestCertificates.PemPair next = TlsTestCertificates.write(dir, "next", "next.test");
            Files.move(next.certificate(), dir.resolve("server.crt"), StandardCopyOption.REPLACE_EXISTING);
            Files.move(next.key(), dir.resolve("server.key"), StandardCopyOption.REPLACE_EXISTING);
            assertTrue(server.server().reloadCertificates());
            try (DtlsTestClient after = DtlsTestClient.connect(dtls)) {
                assertArrayEquals(next.leaf().getEncoded(), after.serverCertificate(), "RSA now");
                assertEquals(MessageType.successResponse(Method.BINDING), exchange(after, StunEncoder.encode(
                        StunMessage.builder(MessageType.request(Method.BINDING), TransactionId.random()).build()))
                        .type());
            }
            assertEquals(MessageType.successResponse(Method.BINDING), exchange(before, StunEncoder.encode(
                    StunMessage.builder(MessageType.request(Method.BINDING), TransactionId.random()).build()))
                    .type(), "the existing association is untouched");
        } finally {
            // Restore the ECDSA pair for the other tests.
            TlsTestCertificates.writeCertificates(dir.resolve("server.crt"), leaf);
        }
    }
}
