package io.traverse.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.traverse.stun.AttributeType;
import io.traverse.stun.ErrorCode;
import io.traverse.stun.MessageType;
import io.traverse.stun.Method;
import io.traverse.stun.StunAttribute;
import io.traverse.stun.StunMessage;
import io.traverse.stun.TransactionId;
import io.traverse.stun.attr.AdditionalAddressFamily;
import io.traverse.stun.attr.DontFragment;
import io.traverse.stun.attr.EvenPort;
import io.traverse.stun.attr.RequestedAddressFamily;
import io.traverse.stun.attr.RequestedTransport;
import io.traverse.stun.attr.ReservationToken;
import io.traverse.stun.attr.UnknownAttribute;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * RFC 8656 §7.2 step by step (and RFC 6062 §5.1), as {@link AllocateDecision#decide} answers it: one row per step and
 * the reject it gives, then the plans. No socket is opened; the steps that need live state (the token's validity, the
 * quotas, the bind, the redirect) are covered by {@link AllocateAdmissionTest} and the integration tests in {@code it}.
 */
class AllocateDecisionTest {
    private static final StunAttribute UDP = new RequestedTransport(RequestedTransport.UDP);
    private static final StunAttribute TCP = new RequestedTransport(RequestedTransport.TCP);
    private static final StunAttribute IPV4 = new RequestedAddressFamily(RequestedAddressFamily.IPV4);
    private static final StunAttribute IPV6 = new RequestedAddressFamily(RequestedAddressFamily.IPV6);
    private static final StunAttribute ADDITIONAL_IPV6 = new AdditionalAddressFamily(RequestedAddressFamily.IPV6);
    private static final StunAttribute ADDITIONAL_IPV4 = new AdditionalAddressFamily(RequestedAddressFamily.IPV4);
    private static final StunAttribute TOKEN = new ReservationToken(0x1122334455667788L);
    private static final StunAttribute EVEN = new EvenPort(false);
    private static final StunAttribute EVEN_RESERVE = new EvenPort(true);

    /** UDP client, 5-tuple free, DF supported, IPv4 and IPv6 relays. */
    private static final AllocateDecision.Context DUAL = new AllocateDecision.Context(false, false, true, true, true);
    private static final AllocateDecision.Context TCP_CLIENT =
            new AllocateDecision.Context(true, false, true, true, true);
    private static final AllocateDecision.Context IN_USE = new AllocateDecision.Context(false, true, true, true, true);
    private static final AllocateDecision.Context NO_DF = new AllocateDecision.Context(false, false, false, true, true);
    private static final AllocateDecision.Context IPV4_ONLY =
            new AllocateDecision.Context(false, false, true, true, false);
    private static final AllocateDecision.Context IPV6_ONLY =
            new AllocateDecision.Context(false, false, true, false, true);

    static Stream<Arguments> rejects() {
        return Stream.of(
                // step 2: the 5-tuple is in use → 437, whatever the attributes
                row("2: 5-tuple in use", IN_USE, 437, UDP),
                row("2: 5-tuple in use, even without REQUESTED-TRANSPORT", IN_USE, 437),
                // step 3: REQUESTED-TRANSPORT missing → 400, not UDP (nor RFC 6062 TCP) → 442
                row("3: no REQUESTED-TRANSPORT", DUAL, 400),
                row("3: REQUESTED-TRANSPORT SCTP", DUAL, 442, new RequestedTransport(132)),
                row("3: REQUESTED-TRANSPORT 0", DUAL, 442, new RequestedTransport(0)),
                // RFC 6062 §5.1: TCP needs a TCP/TLS control connection; DF, EVEN-PORT, RESERVATION-TOKEN, dual → 400
                row("6062 §5.1: TCP over UDP", DUAL, 400, TCP),
                row("6062 §5.1: TCP with DONT-FRAGMENT", TCP_CLIENT, 400, TCP, new DontFragment()),
                row("6062 §5.1: TCP with EVEN-PORT", TCP_CLIENT, 400, TCP, EVEN),
                row("6062 §5.1: TCP with RESERVATION-TOKEN", TCP_CLIENT, 400, TCP, TOKEN),
                row("6062 §5.1: TCP with ADDITIONAL-ADDRESS-FAMILY", TCP_CLIENT, 400, TCP, ADDITIONAL_IPV6),
                // step 4: DONT-FRAGMENT the relay cannot honour → 420 (checked in its own test for the list)
                row("4: DONT-FRAGMENT unsupported", NO_DF, 420, UDP, new DontFragment()),
                // step 5: RESERVATION-TOKEN with EVEN-PORT, REQUESTED- or ADDITIONAL-ADDRESS-FAMILY → 400
                row("5: token with EVEN-PORT", DUAL, 400, UDP, TOKEN, EVEN),
                row("5: token with REQUESTED-ADDRESS-FAMILY", DUAL, 400, UDP, TOKEN, IPV4),
                row("5: token with ADDITIONAL-ADDRESS-FAMILY", DUAL, 400, UDP, TOKEN, ADDITIONAL_IPV6),
                // step 6: both address family attributes → 400
                row("6: REQUESTED- and ADDITIONAL-ADDRESS-FAMILY", DUAL, 400, UDP, IPV4, ADDITIONAL_IPV6),
                // step 7: a family the server does not support → 440
                row("7: REQUESTED-ADDRESS-FAMILY 0x03", DUAL, 440, UDP, new RequestedAddressFamily(3)),
                row("7: IPv6 requested, no IPv6 relay", IPV4_ONLY, 440, UDP, IPV6),
                row("7: IPv4 requested, no IPv4 relay", IPV6_ONLY, 440, UDP, IPV4),
                row("7: no family requested, no IPv4 relay", IPV6_ONLY, 440, UDP),
                // step 8: EVEN-PORT R=1 with ADDITIONAL-ADDRESS-FAMILY → 400
                row("8: EVEN-PORT R with ADDITIONAL-ADDRESS-FAMILY", DUAL, 400, UDP, EVEN_RESERVE, ADDITIONAL_IPV6),
                // step 9: ADDITIONAL-ADDRESS-FAMILY IPv4 → 400 (also in coturn's draft code point 0x8032)
                row("9: ADDITIONAL-ADDRESS-FAMILY IPv4", DUAL, 400, UDP, ADDITIONAL_IPV4),
                row("9: coturn's 0x8032 with IPv4", DUAL, 400, UDP, legacyAdditional(RequestedAddressFamily.IPV4)));
    }

    @ParameterizedTest(name = "{0} → {1}")
    @MethodSource("rejects")
    void rejectsPerStep(String step, int code, AllocateDecision.Context context, List<StunAttribute> attributes) {
        AllocateDecision decision = AllocateDecision.decide(allocate(attributes), context);
        AllocateDecision.Reject reject = assertInstanceOf(AllocateDecision.Reject.class, decision, step);
        assertEquals(code, reject.code().code(), step);
    }

    @Test
    void step4ListsDontFragmentInUnknownAttributes() {
        AllocateDecision.Reject reject = assertInstanceOf(AllocateDecision.Reject.class,
                AllocateDecision.decide(allocate(List.of(UDP, new DontFragment())), NO_DF));
        assertEquals(ErrorCode.UNKNOWN_ATTRIBUTE, reject.code());
        assertEquals(List.of(AttributeType.DONT_FRAGMENT.code()), reject.unknownAttributes());
    }

    @Test
    void otherRejectsListNoAttributes() {
        AllocateDecision.Reject reject = assertInstanceOf(AllocateDecision.Reject.class,
                AllocateDecision.decide(allocate(List.of()), DUAL));
        assertTrue(reject.unknownAttributes().isEmpty());
    }

    @Test
    void plainUdpAllocationIsIpv4() {
        AllocateDecision.Plan plan = plan(DUAL, UDP);
        assertFalse(plan.tcp());
        assertFalse(plan.ipv6(), "step 7: no REQUESTED-ADDRESS-FAMILY → an IPv4 relayed address");
        assertFalse(plan.additionalIpv6());
        assertFalse(plan.dontFragment());
        assertTrue(plan.evenPort().isEmpty());
        assertTrue(plan.reservationToken().isEmpty());
        assertFalse(plan.reservesNextPort());
    }

    @Test
    void requestedIpv6() {
        assertTrue(plan(DUAL, UDP, IPV6).ipv6());
        assertFalse(plan(DUAL, UDP, IPV4).ipv6());
    }

    @Test
    void dualAllocationAsksForAnAdditionalIpv6Address() {
        AllocateDecision.Plan plan = plan(DUAL, UDP, ADDITIONAL_IPV6);
        assertFalse(plan.ipv6());
        assertTrue(plan.additionalIpv6());
        // Without an IPv6 relay it is still planned: the success response carries ADDRESS-ERROR-CODE 440 (step 9).
        assertTrue(plan(IPV4_ONLY, UDP, ADDITIONAL_IPV6).additionalIpv6());
        assertTrue(plan(DUAL, UDP, legacyAdditional(RequestedAddressFamily.IPV6)).additionalIpv6(),
                "coturn's draft code point 0x8032");
    }

    @Test
    void evenPortWithAndWithoutReservation() {
        AllocateDecision.Plan even = plan(DUAL, UDP, EVEN);
        assertTrue(even.evenPort().isPresent());
        assertFalse(even.reservesNextPort());
        assertTrue(plan(DUAL, UDP, EVEN_RESERVE).reservesNextPort());
    }

    @Test
    void reservationTokenIsPassedOnAndDecidesTheFamily() {
        AllocateDecision.Plan plan = plan(IPV6_ONLY, UDP, TOKEN);
        assertEquals(0x1122334455667788L, plan.reservationToken().getAsLong());
    }

    @Test
    void dontFragmentWhenSupported() {
        assertTrue(plan(DUAL, UDP, new DontFragment()).dontFragment());
    }

    @Test
    void rfc6062TcpAllocationOverAStream() {
        AllocateDecision.Plan plan = plan(TCP_CLIENT, TCP);
        assertTrue(plan.tcp());
        assertTrue(plan(TCP_CLIENT, TCP, IPV6).ipv6());
    }

    private static AllocateDecision.Plan plan(AllocateDecision.Context context, StunAttribute... attributes) {
        return assertInstanceOf(AllocateDecision.Plan.class,
                AllocateDecision.decide(allocate(List.of(attributes)), context));
    }

    private static Arguments row(String step, AllocateDecision.Context context, int code,
            StunAttribute... attributes) {
        return Arguments.of(step, code, context, List.of(attributes));
    }

    private static StunAttribute legacyAdditional(int family) {
        return new UnknownAttribute(AllocateDecision.LEGACY_ADDITIONAL_ADDRESS_FAMILY, new byte[] {(byte) family, 0, 0, 0});
    }

    static StunMessage allocate(List<StunAttribute> attributes) {
        return StunMessage.builder(MessageType.request(Method.ALLOCATE), TransactionId.random()).addAll(attributes)
                .build();
    }
}
