package io.traverse.server;

import static io.traverse.server.CreatePermissionHandlerTest.peer;
import static io.traverse.server.HandlerFixtures.indication;
import static io.traverse.server.HandlerFixtures.ip;
import static io.traverse.server.HandlerFixtures.tcp;
import static io.traverse.server.HandlerFixtures.udp;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.traverse.metrics.TraverseMetrics.DropReason;
import io.traverse.stun.Method;
import io.traverse.stun.StunAttribute;
import io.traverse.stun.attr.Data;
import io.traverse.turn.Allocation;
import io.traverse.turn.PeerPolicy;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** RFC 8656 §11.2 as {@link SendHandler#check} answers it: every reason a Send indication is dropped. */
class SendHandlerTest {
    private static final StunAttribute DATA = new Data(new byte[] {1, 2, 3});

    static Stream<Arguments> rows() {
        return Stream.of(
                row("permitted peer, DATA", permitted(udp("192.0.2.1")), null, peer("8.8.8.8", 5000), DATA),
                row("empty DATA is allowed", permitted(udp("192.0.2.1")), null, peer("8.8.8.8", 5000),
                        new Data(new byte[0])),
                row("no DATA", permitted(udp("192.0.2.1")), DropReason.MALFORMED, peer("8.8.8.8", 5000)),
                row("no XOR-PEER-ADDRESS", permitted(udp("192.0.2.1")), DropReason.MALFORMED, DATA),
                row("peer port 0", permitted(udp("192.0.2.1")), DropReason.MALFORMED, peer("8.8.8.8", 0), DATA),
                row("peer denied by policy", udp("192.0.2.1"), DropReason.PEER_DENIED, peer("10.1.1.1", 5000), DATA),
                row("peer family not relayed", udp("192.0.2.1"), DropReason.PEER_DENIED,
                        peer("2a00:1450::1", 5000), DATA),
                row("IPv4-mapped peer", udp("192.0.2.1", "2001:db8::1"), DropReason.PEER_DENIED,
                        new io.traverse.stun.attr.XorPeerAddress(HandlerFixtures.mapped("8.8.8.8", 5000)), DATA),
                row("no permission", udp("192.0.2.1"), DropReason.NO_PERMISSION, peer("8.8.8.8", 5000), DATA),
                row("RFC 6062 TCP allocation", permitted(tcp("192.0.2.1")), DropReason.UNEXPECTED_CLASS,
                        peer("8.8.8.8", 5000), DATA));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void drops(String row, Allocation allocation, DropReason reason, StunAttribute[] attributes) {
        Optional<DropReason> drop = SendHandler.check(indication(Method.SEND, attributes), allocation,
                PeerPolicy.defaults(), 1);
        assertEquals(Optional.ofNullable(reason), drop, row);
    }

    private static Allocation permitted(Allocation allocation) {
        allocation.installPermission(ip("8.8.8.8"), 0);
        return allocation;
    }

    private static Arguments row(String name, Allocation allocation, DropReason reason, StunAttribute... attributes) {
        return Arguments.of(name, allocation, reason, attributes);
    }
}
