package io.traverse.server;

import static io.traverse.server.HandlerFixtures.address;
import static io.traverse.server.HandlerFixtures.request;
import static io.traverse.server.HandlerFixtures.udp;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.traverse.stun.ErrorCode;
import io.traverse.stun.Method;
import io.traverse.stun.StunAttribute;
import io.traverse.stun.attr.XorPeerAddress;
import io.traverse.turn.Allocation;
import io.traverse.turn.PeerPolicy;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** RFC 8656 §10.2 as {@link CreatePermissionHandler#check} answers it, with the default peer policy. */
class CreatePermissionHandlerTest {
    private static final StunAttribute PUBLIC_V4 = peer("8.8.8.8", 1);
    private static final StunAttribute PUBLIC_V6 = peer("2a00:1450::1", 1);
    private static final StunAttribute PRIVATE_V4 = peer("10.0.0.1", 1);
    private static final StunAttribute MAPPED = new XorPeerAddress(HandlerFixtures.mapped("8.8.8.8", 1));

    static Stream<Arguments> rows() {
        Allocation v4 = udp("192.0.2.1");
        Allocation dual = udp("192.0.2.1", "2001:db8::1");
        return Stream.of(
                row("no XOR-PEER-ADDRESS → 400", v4, 400),
                row("one allowed peer", v4, null, PUBLIC_V4),
                row("port 0 is ignored (only the IP counts)", v4, null, peer("8.8.8.8", 0)),
                row("several allowed peers", dual, null, PUBLIC_V4, PUBLIC_V6),
                row("peer family not relayed → 443", v4, 443, PUBLIC_V6),
                row("one bad peer among good ones → 443, nothing installed", v4, 443, PUBLIC_V4, PUBLIC_V6),
                row("denied by policy → 403", v4, 403, PRIVATE_V4),
                row("denied among allowed → 403", v4, 403, PUBLIC_V4, PRIVATE_V4),
                row("IPv4-mapped IPv6 peer → 403", dual, 403, MAPPED));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void checksEveryPeerFirst(String row, Allocation allocation, Integer code, StunAttribute[] attributes) {
        Optional<ErrorCode> refusal = CreatePermissionHandler.check(request(Method.CREATE_PERMISSION, attributes),
                allocation, PeerPolicy.defaults());
        assertEquals(Optional.ofNullable(code).map(ErrorCode::valueOf), refusal, row);
    }

    private static Arguments row(String name, Allocation allocation, Integer code, StunAttribute... attributes) {
        return Arguments.of(name, allocation, code, attributes);
    }

    static StunAttribute peer(String ip, int port) {
        return new XorPeerAddress(address(ip, port));
    }
}
