package io.traverse.server;

import static io.traverse.server.CreatePermissionHandlerTest.peer;
import static io.traverse.server.HandlerFixtures.request;
import static io.traverse.server.HandlerFixtures.tcp;
import static io.traverse.server.HandlerFixtures.udp;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.traverse.stun.ErrorCode;
import io.traverse.stun.Method;
import io.traverse.stun.StunAttribute;
import io.traverse.stun.attr.ChannelNumber;
import io.traverse.turn.Allocation;
import io.traverse.turn.PeerPolicy;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * RFC 8656 §12.2 as {@link ChannelBindHandler#check} answers it, with the default peer policy. The number range and
 * the number/peer pairing rules are {@code AllocationTest}'s ({@code Allocation.bindChannel}).
 */
class ChannelBindHandlerTest {
    private static final StunAttribute CHANNEL = new ChannelNumber(0x4000);

    static Stream<Arguments> rows() {
        Allocation v4 = udp("192.0.2.1");
        return Stream.of(
                row("CHANNEL-NUMBER and allowed XOR-PEER-ADDRESS", v4, null, CHANNEL, peer("8.8.8.8", 5000)),
                row("no CHANNEL-NUMBER → 400", v4, 400, peer("8.8.8.8", 5000)),
                row("no XOR-PEER-ADDRESS → 400", v4, 400, CHANNEL),
                row("peer port 0 → 400", v4, 400, CHANNEL, peer("8.8.8.8", 0)),
                row("peer family not relayed → 443", v4, 443, CHANNEL, peer("2a00:1450::1", 5000)),
                row("peer denied by policy → 403", v4, 403, CHANNEL, peer("192.168.1.1", 5000)),
                row("IPv4-mapped peer → 403", udp("192.0.2.1", "2001:db8::1"), 403, CHANNEL,
                        new io.traverse.stun.attr.XorPeerAddress(HandlerFixtures.mapped("8.8.8.8", 5000))),
                row("RFC 6062 TCP allocation → 400", tcp("192.0.2.1"), 400, CHANNEL, peer("8.8.8.8", 5000)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void checks(String row, Allocation allocation, Integer code, StunAttribute[] attributes) {
        Optional<ErrorCode> refusal = ChannelBindHandler.check(request(Method.CHANNEL_BIND, attributes), allocation,
                PeerPolicy.defaults());
        assertEquals(Optional.ofNullable(code).map(ErrorCode::valueOf), refusal, row);
    }

    private static Arguments row(String name, Allocation allocation, Integer code, StunAttribute... attributes) {
        return Arguments.of(name, allocation, code, attributes);
    }
}
