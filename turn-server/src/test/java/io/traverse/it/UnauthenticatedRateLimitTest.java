package io.traverse.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.traverse.metrics.TraverseMetrics.DropReason;
import io.traverse.stun.MessageType;
import io.traverse.stun.Method;
import io.traverse.stun.StunMessage;
import io.traverse.stun.TransactionId;
import io.traverse.stun.attr.ChangeRequest;
import io.traverse.stun.attr.ErrorCodeAttribute;
import io.traverse.stun.attr.RequestedTransport;
import io.traverse.stun.codec.StunEncoder;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.util.Map;
import io.traverse.stun.attr.Nonce;
import io.traverse.stun.attr.Realm;
import io.traverse.stun.attr.UnknownAttribute;
import io.traverse.stun.attr.Username;
import io.traverse.stun.auth.LongTermKey;
import io.traverse.stun.auth.PasswordAlgorithm;
import io.traverse.stun.codec.Integrity;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Unauthenticated requests are rate limited per source IP: past the burst, Allocates without integrity get no
 * 401 at all (a spoofed flood gets no reflection), and each is counted as dropped. So is every other answer sent
 * before authentication (401 for any reason, 420, 400).
 */
class UnauthenticatedRateLimitTest {
    @TempDir
    Path dir;

    /**
     * Every answer sent before authentication is rate limited, whatever its cause (issue 10): not only the 401 to a
     * request without integrity, but the 401 for a wrong realm, an unknown user or a bad MAC, the 420 for an unknown
     * comprehension-required attribute and the 400 for an unknown method.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"wrong_realm, 401", "unknown_user, 401", "bad_integrity, 401", "unknown_attribute, 420",
            "unknown_method, 400", "change_request_without_rfc5780, 420"})
    void everyUnauthenticatedAnswerIsLimited(String kind, int code) throws Exception {
        try (TestServer server = TurnFixture.start(dir, Map.of(
                "auth.unauthenticated-rate-limit.per-second", "1",
                "auth.unauthenticated-rate-limit.burst", "3"));
             StunTestClient client = StunTestClient.udp(server.udp4())) {
            int sent = 10;
            for (int i = 0; i < sent; i++) {
                client.sendRaw(unauthenticated(kind));
            }
            int answered = 0;
            client.timeout(500);
            try {
                while (true) {
                    StunMessage response = client.receive().message();
                    assertEquals(code, response.attribute(ErrorCodeAttribute.class).orElseThrow().code());
                    answered++;
                }
            } catch (SocketTimeoutException done) {
                // no more answers
            }
            assertTrue(answered >= 3 && answered <= 4, "answered " + answered);
        }
    }

    private static byte[] unauthenticated(String kind) throws Exception {
        if (kind.equals("change_request_without_rfc5780")) {
            // A Binding asking for RFC 5780 behaviour the server does not offer: 420 (BindingHandler).
            return StunEncoder.encode(StunMessage.builder(MessageType.request(Method.BINDING), TransactionId.random())
                    .add(new ChangeRequest(true, true)).build());
        }
        StunMessage.Builder b = StunMessage.builder(MessageType.request(
                kind.equals("unknown_method") ? Method.valueOf(0x0FF) : Method.ALLOCATE), TransactionId.random())
                .add(new RequestedTransport(RequestedTransport.UDP));
        if (kind.equals("unknown_attribute")) {
            return StunEncoder.encode(b.add(new UnknownAttribute(0x7F00, new byte[4])).build());
        }
        if (kind.equals("unknown_method")) {
            return StunEncoder.encode(b.build());
        }
        String realm = kind.equals("wrong_realm") ? "elsewhere.test" : TurnFixture.REALM;
        String user = kind.equals("unknown_user") ? "mallory" : TurnFixture.USER;
        b.add(new Username(user)).add(new Realm(realm)).add(new Nonce("obo6kq5dhTc3VcGx"));
        byte[] key = LongTermKey.derive(PasswordAlgorithm.MD5, user, realm, "not the password");
        return StunEncoder.encode(b.build(), Integrity.sha1(key), false);
    }

    @Test
    void burstThenSilence() throws Exception {
        try (TestServer server = TurnFixture.start(dir, Map.of(
                "auth.unauthenticated-rate-limit.per-second", "1",
                "auth.unauthenticated-rate-limit.burst", "3"));
             StunTestClient client = StunTestClient.udp(server.udp4())) {
            double droppedBefore = server.metrics().droppedCount(DropReason.RATE_LIMITED);
            int sent = 10;
            for (int i = 0; i < sent; i++) {
                client.sendRaw(StunEncoder.encode(StunMessage.builder(MessageType.request(Method.ALLOCATE),
                        TransactionId.random()).add(new RequestedTransport(RequestedTransport.UDP)).build()));
            }
            int answered = 0;
            client.timeout(500);
            try {
                while (true) {
                    StunMessage response = client.receive().message();
                    assertEquals(401, response.attribute(ErrorCodeAttribute.class).orElseThrow().code());
                    answered++;
                }
            } catch (SocketTimeoutException done) {
                // no more answers
            }
            // 3 from the burst, at most one more refilled while the 10 requests were sent
            assertTrue(answered >= 3 && answered <= 4, "answered " + answered);
            assertEquals(sent - answered, server.metrics().droppedCount(DropReason.RATE_LIMITED) - droppedBefore);
            // Binding is not rate limited by this rule: STUN keeps working for the same source
            StunMessage binding = client.exchange(StunEncoder.encode(StunMessage.builder(
                    MessageType.request(Method.BINDING), TransactionId.random()).build()));
            assertEquals(MessageType.successResponse(Method.BINDING), binding.type());
        }
    }
}
