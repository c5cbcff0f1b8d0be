package io.traverse.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.traverse.stun.MessageType;
import io.traverse.stun.Method;
import io.traverse.stun.StunMessage;
import io.traverse.stun.TransactionId;
import io.traverse.stun.attr.ErrorCodeAttribute;
import io.traverse.stun.attr.RequestedTransport;
import io.traverse.stun.attr.Software;
import io.traverse.stun.attr.UnknownAttribute;
import io.traverse.stun.codec.StunDecoder;
import io.traverse.stun.codec.StunEncoder;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bytes out for bytes in before authentication, over UDP (where a source address can be spoofed): the figures
 * documented in docs/security.md. SOFTWARE is configured ("Traverse test") and must still be absent.
 */
class AmplificationTest {
    private static byte[] exchange(TestServer server, StunMessage request) throws Exception {
        try (StunTestClient client = StunTestClient.udp(server.udp4())) {
            client.sendRaw(StunEncoder.encode(request));
            return client.receiveRaw();
        }
    }

    private static StunMessage.Builder allocate() {
        return StunMessage.builder(MessageType.request(Method.ALLOCATE), TransactionId.random());
    }

    @Test
    void unauthenticatedAnswersStaySmall(@TempDir Path dir) throws Exception {
        // realm "traverse.test" (13 bytes, padded to 16), the default nonce (47 bytes, padded to 48).
        try (TestServer server = TurnFixture.start(dir, Map.of("server.software", "Traverse test"))) {
            // 401 to a 20-byte header-only Allocate: ERROR-CODE 8 (empty reason), REALM 20, NONCE 52,
            // PASSWORD-ALGORITHMS 12.
            byte[] challenge = exchange(server, allocate().build());
            assertEquals(401, code(challenge));
            assertEquals(20 + 8 + 20 + 52 + 12, challenge.length);
            // The same for an Allocate with REQUESTED-TRANSPORT (28 bytes), as browsers send it first.
            assertEquals(112, exchange(server, allocate().add(new RequestedTransport(RequestedTransport.UDP))
                    .build()).length);
            // 420 lists the unknown attribute: 20 + ERROR-CODE 4+4+"Unknown Attribute"(17→20) + UNKNOWN-ATTRIBUTES 8.
            byte[] unknown = exchange(server, allocate().add(new UnknownAttribute(0x7F00, new byte[4])).build());
            assertEquals(420, code(unknown));
            assertEquals(20 + 28 + 8, unknown.length, "for a 28-byte request");
            // 400 to an unknown method: 20 + ERROR-CODE 4+4+"Bad Request"(11→12).
            byte[] badMethod = exchange(server, StunMessage.builder(MessageType.request(Method.valueOf(0x0FF)),
                    TransactionId.random()).build());
            assertEquals(400, code(badMethod));
            assertEquals(40, badMethod.length, "2x a 20-byte request");
            for (byte[] answer : new byte[][] {challenge, unknown, badMethod}) {
                assertTrue(StunDecoder.decode(answer).message().attribute(Software.class).isEmpty(),
                        "no SOFTWARE before authentication");
            }
        }
    }

    private static int code(byte[] response) throws Exception {
        return StunDecoder.decode(response).message().attribute(ErrorCodeAttribute.class).orElseThrow().code();
    }
}
