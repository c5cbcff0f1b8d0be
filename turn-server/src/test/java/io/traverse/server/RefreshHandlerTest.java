package io.traverse.server;

import static io.traverse.server.HandlerFixtures.request;
import static io.traverse.server.HandlerFixtures.udp;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.traverse.stun.ErrorCode;
import io.traverse.stun.Method;
import io.traverse.stun.StunAttribute;
import io.traverse.stun.attr.Lifetime;
import io.traverse.stun.attr.RequestedAddressFamily;
import io.traverse.turn.Allocation;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** RFC 8656 §8.2 as {@link RefreshHandler#check} answers it (the lifetime rules are {@code LifetimesTest}'s). */
class RefreshHandlerTest {
    private static final StunAttribute IPV4 = new RequestedAddressFamily(RequestedAddressFamily.IPV4);
    private static final StunAttribute IPV6 = new RequestedAddressFamily(RequestedAddressFamily.IPV6);

    static Stream<Arguments> rows() {
        return Stream.of(
                Arguments.of("no REQUESTED-ADDRESS-FAMILY", udp("192.0.2.1"), new StunAttribute[0], null),
                Arguments.of("LIFETIME only", udp("192.0.2.1"), new StunAttribute[] {new Lifetime(0)}, null),
                Arguments.of("IPv4 of an IPv4 allocation", udp("192.0.2.1"), new StunAttribute[] {IPV4}, null),
                Arguments.of("IPv6 of an IPv4 allocation → 443", udp("192.0.2.1"), new StunAttribute[] {IPV6}, 443),
                Arguments.of("IPv4 of an IPv6 allocation → 443", udp("2001:db8::1"), new StunAttribute[] {IPV4}, 443),
                Arguments.of("IPv6 of a dual allocation", udp("192.0.2.1", "2001:db8::1"),
                        new StunAttribute[] {IPV6}, null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void requestedAddressFamilyMustMatchTheAllocation(String row, Allocation allocation, StunAttribute[] attributes,
            Integer code) {
        Optional<ErrorCode> refusal = RefreshHandler.check(request(Method.REFRESH, attributes), allocation);
        assertEquals(Optional.ofNullable(code).map(ErrorCode::valueOf), refusal, row);
    }
}
