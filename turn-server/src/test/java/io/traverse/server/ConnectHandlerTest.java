package io.traverse.server;

import static io.traverse.server.CreatePermissionHandlerTest.peer;
import static io.traverse.server.HandlerFixtures.request;
import static io.traverse.server.HandlerFixtures.tcp;
import static io.traverse.server.HandlerFixtures.udp;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.traverse.stun.ErrorCode;
import io.traverse.stun.Method;
import io.traverse.stun.StunAttribute;
import io.traverse.turn.Allocation;
import io.traverse.turn.PeerPolicy;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * RFC 6062 §5.2 as {@link ConnectHandler#check} answers it before any connection is attempted (446, 447 and the
 * Connect rate limits need live connections: {@code TcpRelayTest}, {@code TurnTcpTest}).
 */
class ConnectHandlerTest {
    static Stream<Arguments> rows() {
        Allocation v4 = tcp("192.0.2.1");
        return Stream.of(
                row("allowed peer", v4, null, peer("8.8.8.8", 80)),
                row("UDP allocation → 400", udp("192.0.2.1"), 400, peer("8.8.8.8", 80)),
                row("no XOR-PEER-ADDRESS → 400", v4, 400),
                row("peer port 0 → 400", v4, 400, peer("8.8.8.8", 0)),
                row("peer family not relayed → 443", v4, 443, peer("2a00:1450::1", 80)),
                row("forbidden by local policy → 403", v4, 403, peer("127.0.0.1", 80)),
                row("IPv4-mapped peer → 403", tcp("192.0.2.1", "2001:db8::1"), 403, new io.traverse.stun.attr.XorPeerAddress(HandlerFixtures.mapped("8.8.8.8", 80))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void checks(String row, Allocation allocation, Integer code, StunAttribute[] attributes) {
        Optional<ErrorCode> refusal = ConnectHandler.check(request(Method.CONNECT, attributes), allocation,
                PeerPolicy.defaults());
        assertEquals(Optional.ofNullable(code).map(ErrorCode::valueOf), refusal, row);
    }

    private static Arguments row(String name, Allocation allocation, Integer code, StunAttribute... attributes) {
        return Arguments.of(name, allocation, code, attributes);
    }
}
