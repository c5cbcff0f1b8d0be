package io.traverse.server;

import static io.traverse.server.HandlerFixtures.request;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.traverse.stun.ErrorCode;
import io.traverse.stun.Method;
import io.traverse.stun.StunAttribute;
import io.traverse.stun.attr.ConnectionId;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * RFC 6062 §5.4 as {@link ConnectionBindHandler#check} answers it before the CONNECTION-ID is looked up (an unknown
 * or expired id, 400, and another user's connection, 441, need live connections: {@code TurnTcpTest}).
 */
class ConnectionBindHandlerTest {
    private static final StunAttribute ID = new ConnectionId(7);

    static Stream<Arguments> rows() {
        return Stream.of(
                Arguments.of("new TCP/TLS connection with CONNECTION-ID", true, false, new StunAttribute[] {ID}, null),
                Arguments.of("not TCP or TLS → 400", false, false, new StunAttribute[] {ID}, 400),
                Arguments.of("no CONNECTION-ID → 400", true, false, new StunAttribute[0], 400),
                Arguments.of("on a control connection (it has an allocation) → 400", true, true,
                        new StunAttribute[] {ID}, 400));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void checks(String row, boolean stream, boolean hasAllocation, StunAttribute[] attributes, Integer code) {
        Optional<ErrorCode> refusal = ConnectionBindHandler.check(request(Method.CONNECTION_BIND, attributes), stream,
                hasAllocation);
        assertEquals(Optional.ofNullable(code).map(ErrorCode::valueOf), refusal, row);
    }
}
