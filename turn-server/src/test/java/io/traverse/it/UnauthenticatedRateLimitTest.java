package io.traverse.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.traverse.metrics.TraverseMetrics.DropReason;
import io.traverse.stun.MessageType;
import io.traverse.stun.Method;
import io.traverse.stun.StunMessage;
import io.traverse.stun.TransactionId;
import io.traverse.stun.attr.ErrorCodeAttribute;
import io.traverse.stun.attr.RequestedTransport;
import io.traverse.stun.codec.StunEncoder;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Unauthenticated requests are rate limited per source IP: past the burst, Allocates without integrity get no
 * 401 at all (a spoofed flood gets no reflection), and each is counted as dropped.
 */
class UnauthenticatedRateLimitTest {
    @TempDir
    Path dir;

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
