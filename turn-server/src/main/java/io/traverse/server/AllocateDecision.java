package io.traverse.server;

import io.traverse.stun.AttributeType;
import io.traverse.stun.ErrorCode;
import io.traverse.stun.StunMessage;
import io.traverse.stun.attr.AdditionalAddressFamily;
import io.traverse.stun.attr.DontFragment;
import io.traverse.stun.attr.EvenPort;
import io.traverse.stun.attr.RequestedAddressFamily;
import io.traverse.stun.attr.RequestedTransport;
import io.traverse.stun.attr.ReservationToken;
import io.traverse.stun.attr.UnknownAttribute;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What RFC 8656 §7.2 (with RFC 6062 §5.1 for TCP allocations) decides about an Allocate request before anything is
 * reserved or bound: {@link Reject reject it} with an error code, or {@link Plan allocate} with the parameters the
 * request asked for. {@link #decide} is a pure function of the request and a {@link Context}; the quota (step 10),
 * the reservation token's validity (step 5), the relay port bind (steps 8 and 9) and the redirect or drain (step 11)
 * need live state and are done by {@link AllocateHandler} once the plan is known.
 */
sealed interface AllocateDecision permits AllocateDecision.Reject, AllocateDecision.Plan {

    /** coturn's draft-era ADDITIONAL-ADDRESS-FAMILY type, accepted as an alias of 0x8000. */
    int LEGACY_ADDITIONAL_ADDRESS_FAMILY = 0x8032;

    /**
     * What the decision depends on besides the request.
     *
     * @param streamClient whether the request came over TCP or TLS (RFC 6062 TCP allocations need it)
     * @param fiveTupleInUse whether an allocation holds, or another Allocate is creating one on, the request's 5-tuple
     *        (a retransmission of the Allocate that made it is answered before deciding)
     * @param dontFragmentSupported whether relay sockets can set the DF bit
     * @param ipv4Relay whether an IPv4 relay address is configured
     * @param ipv6Relay whether an IPv6 relay address is configured
     */
    record Context(boolean streamClient, boolean fiveTupleInUse, boolean dontFragmentSupported, boolean ipv4Relay,
            boolean ipv6Relay) {}

    /**
     * The request is refused with {@code code}.
     *
     * @param unknownAttributes the attribute types for UNKNOWN-ATTRIBUTES (420 only), else empty
     */
    record Reject(ErrorCode code, List<Integer> unknownAttributes) implements AllocateDecision {
        public Reject {
            Objects.requireNonNull(code, "code");
            unknownAttributes = List.copyOf(unknownAttributes);
        }

        Reject(ErrorCode code) {
            this(code, List.of());
        }
    }

    /**
     * The allocation to make.
     *
     * @param tcp an RFC 6062 TCP allocation (REQUESTED-TRANSPORT TCP)
     * @param dontFragment relay datagrams with the DF bit set
     * @param evenPort the EVEN-PORT attribute, if any
     * @param reservationToken the RESERVATION-TOKEN to claim, if any (its port decides the family)
     * @param ipv6 the first relayed address is IPv6 (REQUESTED-ADDRESS-FAMILY 0x02); ignored with a token
     * @param additionalIpv6 ADDITIONAL-ADDRESS-FAMILY asked for an IPv6 relayed address as well
     */
    record Plan(boolean tcp, boolean dontFragment, Optional<EvenPort> evenPort, OptionalLong reservationToken,
            boolean ipv6, boolean additionalIpv6) implements AllocateDecision {
        public Plan {
            Objects.requireNonNull(evenPort, "evenPort");
            Objects.requireNonNull(reservationToken, "reservationToken");
        }

        /** EVEN-PORT with the R bit: the next port is reserved and its token returned. */
        boolean reservesNextPort() {
            return evenPort.isPresent() && evenPort.get().reserveNext();
        }
    }

    /**
     * RFC 8656 §7.2, "When the server receives an Allocate request, it performs the following checks". Step 1
     * (authentication) has been done by {@link Authenticator}; steps 10 and 11 and the parts of 5, 8 and 9 that need
     * live state are the caller's.
     */
    static AllocateDecision decide(StunMessage request, Context context) {
        // 2. The server checks if the 5-tuple is currently in use by an existing allocation. If yes, the server
        //    rejects the request with a 437 (Allocation Mismatch) error.
        if (context.fiveTupleInUse()) {
            return new Reject(ErrorCode.ALLOCATION_MISMATCH);
        }

        // 3. The server checks if the request contains a REQUESTED-TRANSPORT attribute. If the REQUESTED-TRANSPORT
        //    attribute is not included or is malformed, the server rejects the request with a 400 (Bad Request)
        //    error. Otherwise, if the attribute is included but specifies a protocol that is not supported by the
        //    server, the server rejects the request with a 442 (Unsupported Transport Protocol) error.
        Optional<RequestedTransport> transport = request.attribute(RequestedTransport.class);
        if (transport.isEmpty()) {
            return new Reject(ErrorCode.BAD_REQUEST);
        }
        boolean tcp = transport.get().protocol() == RequestedTransport.TCP;
        if (!tcp && transport.get().protocol() != RequestedTransport.UDP) {
            return new Reject(ErrorCode.UNSUPPORTED_TRANSPORT_PROTOCOL);
        }
        boolean dontFragment = request.attribute(DontFragment.class).isPresent();
        Optional<EvenPort> evenPort = request.attribute(EvenPort.class);
        Optional<ReservationToken> token = request.attribute(ReservationToken.class);
        Optional<RequestedAddressFamily> requestedFamily = request.attribute(RequestedAddressFamily.class);
        Optional<AdditionalAddressFamily> additionalFamily = additionalAddressFamily(request);
        // RFC 6062 §5.1: a TCP allocation needs a TCP or TLS control connection, and DONT-FRAGMENT, EVEN-PORT and
        // RESERVATION-TOKEN have no meaning for it → 400 (dual-stack TCP allocations are not offered either).
        if (tcp && (!context.streamClient() || dontFragment || evenPort.isPresent() || token.isPresent()
                || additionalFamily.isPresent())) {
            return new Reject(ErrorCode.BAD_REQUEST);
        }

        // 4. The request may contain a DONT-FRAGMENT attribute. If it does, but the server does not support sending
        //    UDP datagrams with the DF bit set to 1 (see Sections 14 and 15), then the server treats the
        //    DONT-FRAGMENT attribute in the Allocate request as an unknown comprehension-required attribute.
        if (dontFragment && !context.dontFragmentSupported()) {
            return new Reject(ErrorCode.UNKNOWN_ATTRIBUTE, List.of(AttributeType.DONT_FRAGMENT.code()));
        }

        // 5. The server checks if the request contains a RESERVATION-TOKEN attribute. If yes, and the request also
        //    contains an EVEN-PORT or REQUESTED-ADDRESS-FAMILY or ADDITIONAL-ADDRESS-FAMILY attribute, the server
        //    rejects the request with a 400 (Bad Request) error. Otherwise, it checks to see if the token is valid
        //    (i.e., the token is in range and has not expired, and the corresponding relayed transport address is
        //    still available). If the token is not valid for some reason, the server rejects the request with a 508
        //    (Insufficient Capacity) error.
        //    (The token's validity is checked when it is claimed: AllocateHandler.)
        if (token.isPresent() && (evenPort.isPresent() || requestedFamily.isPresent()
                || additionalFamily.isPresent())) {
            return new Reject(ErrorCode.BAD_REQUEST);
        }

        // 6. The server checks if the request contains both REQUESTED-ADDRESS-FAMILY and ADDITIONAL-ADDRESS-FAMILY
        //    attributes. If yes, then the server rejects the request with a 400 (Bad Request) error.
        if (requestedFamily.isPresent() && additionalFamily.isPresent()) {
            return new Reject(ErrorCode.BAD_REQUEST);
        }

        // 7. If the server does not support the address family requested by the client in
        //    REQUESTED-ADDRESS-FAMILY, or if the allocation of the requested address family is disabled by local
        //    policy, it MUST generate an Allocate error response, and it MUST include an ERROR-CODE attribute with
        //    the 440 (Address Family not Supported) response code. If the REQUESTED-ADDRESS-FAMILY attribute is
        //    absent and the server does not support the IPv4 address family, the server MUST include an ERROR-CODE
        //    attribute with the 440 (Address Family not Supported) response code. If the REQUESTED-ADDRESS-FAMILY
        //    attribute is absent and the server supports the IPv4 address family, the server MUST allocate an IPv4
        //    relayed transport address for the TURN client.
        //    (A family value other than IPv4 and IPv6 is answered here; one without a configured relay address after
        //    steps 8 and 9, below.)
        boolean ipv6 = false;
        if (requestedFamily.isPresent()) {
            int family = requestedFamily.get().family();
            if (family != RequestedAddressFamily.IPV4 && family != RequestedAddressFamily.IPV6) {
                return new Reject(ErrorCode.ADDRESS_FAMILY_NOT_SUPPORTED);
            }
            ipv6 = family == RequestedAddressFamily.IPV6;
        }

        // 8. The server checks if the request contains an EVEN-PORT attribute with the R bit set to 1. If yes, and
        //    the request also contains an ADDITIONAL-ADDRESS-FAMILY attribute, the server rejects the request with a
        //    400 (Bad Request) error. Otherwise, the server checks if it can satisfy the request (i.e., can allocate
        //    a relayed transport address as described below). If the server cannot satisfy the request, then the
        //    server rejects the request with a 508 (Insufficient Capacity) error.
        //    (Whether a port can be had is known when it is bound: AllocateHandler.)
        if (evenPort.isPresent() && evenPort.get().reserveNext() && additionalFamily.isPresent()) {
            return new Reject(ErrorCode.BAD_REQUEST);
        }

        // 9. The server checks if the request contains an ADDITIONAL-ADDRESS-FAMILY attribute. If yes, and the
        //    attribute value is 0x01 (IPv4 address family), then the server rejects the request with a 400 (Bad
        //    Request) error. Otherwise, the server checks if it can allocate relayed transport addresses of both
        //    address types. If the server cannot satisfy the request, then the server rejects the request with a 508
        //    (Insufficient Capacity) error. If the server can partially meet the request, i.e., if it can only
        //    allocate one relayed transport address of a specific address type, then it includes
        //    ADDRESS-ERROR-CODE attribute in the success response to inform the client the reason for partial
        //    failure of the request. The error code value signaled in the ADDRESS-ERROR-CODE attribute could be 440
        //    (Address Family not Supported) or 508 (Insufficient Capacity). If the server can fully meet the
        //    request, then the server allocates one IPv4 and one IPv6 relay address and returns an Allocate success
        //    response containing the relayed transport addresses assigned to the dual allocation in two
        //    XOR-RELAYED-ADDRESS attributes.
        //    (The IPv6 address is bound after the first one; what it lacks goes into ADDRESS-ERROR-CODE.)
        if (additionalFamily.isPresent() && additionalFamily.get().family() != RequestedAddressFamily.IPV6) {
            return new Reject(ErrorCode.BAD_REQUEST);
        }

        // Step 7 continued: without a RESERVATION-TOKEN (whose port decides the family), the first relayed address
        // must be of a family this server relays → 440.
        if (token.isEmpty() && !(ipv6 ? context.ipv6Relay() : context.ipv4Relay())) {
            return new Reject(ErrorCode.ADDRESS_FAMILY_NOT_SUPPORTED);
        }
        return new Plan(tcp, dontFragment, evenPort,
                token.map(t -> OptionalLong.of(t.token())).orElse(OptionalLong.empty()), ipv6,
                additionalFamily.isPresent());
    }

    /**
     * ADDITIONAL-ADDRESS-FAMILY (RFC 8656 §18.15, type 0x8000), or coturn's pre-RFC code point 0x8032 that its
     * clients (turnutils_uclient -Z) still send with the same value layout.
     */
    static Optional<AdditionalAddressFamily> additionalAddressFamily(StunMessage request) {
        Optional<AdditionalAddressFamily> standard = request.attribute(AdditionalAddressFamily.class);
        if (standard.isPresent()) {
            return standard;
        }
        for (UnknownAttribute a : request.attributes(UnknownAttribute.class)) {
            byte[] value = a.value();
            if (a.typeCode() == LEGACY_ADDITIONAL_ADDRESS_FAMILY && value.length == 4) {
                return Optional.of(new AdditionalAddressFamily(value[0] & 0xff));
            }
        }
        return Optional.empty();
    }
}
