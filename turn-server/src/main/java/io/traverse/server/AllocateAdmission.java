package io.traverse.server;

import io.traverse.stun.ErrorCode;
import io.traverse.turn.AllocationPermit;
import io.traverse.turn.AllocationRegistry;
import io.traverse.turn.ReserveResult;
import java.util.List;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.function.LongConsumer;

/**
 * The parts of RFC 8656 §7.2 that need live state, applied to an {@link AllocateDecision.Plan}: whether its
 * reservation token is valid (step 5) and whether the quotas leave room (step 10). What is taken (the reserved port,
 * the quota slots) belongs to the {@link Admitted} result until the allocation is registered or given up. No socket is
 * involved: the relay ports are bound afterwards.
 */
sealed interface AllocateAdmission permits AllocateAdmission.Admitted, AllocateAdmission.Refused {

    /**
     * The plan may be bound.
     *
     * @param primary the family of the first relayed address (the token's, when one was claimed)
     * @param secondary the family of the additional IPv6 address, or null (none asked for, or none configured)
     * @param claimedPort the port the token reserved, or -1
     * @param permit the allocation's quota slot
     * @param reservationSlot the quota slot of the port an EVEN-PORT R=1 allocation reserves, or null
     */
    record Admitted(RelayFamily primary, RelayFamily secondary, int claimedPort, AllocationPermit permit,
            AllocationPermit reservationSlot) implements AllocateAdmission {
        public Admitted {
            Objects.requireNonNull(primary, "primary");
            Objects.requireNonNull(permit, "permit");
        }
    }

    /** The request is refused with {@code code}; nothing is held. */
    record Refused(ErrorCode code) implements AllocateAdmission {
        public Refused {
            Objects.requireNonNull(code, "code");
        }
    }

    /**
     * Claims the plan's reservation token, if any, and reserves its quota slot(s).
     *
     * @param families the relay addresses configured, at most one per family
     * @param quotaKey what the user's quota counts (the username, or a TURN REST user id)
     * @param source the client's source key for the per-source quota, or null when that quota is off
     * @param tokenClaimed told the token of a reservation that was claimed (its own quota slot is then freed)
     */
    static AllocateAdmission admit(AllocateDecision.Plan plan, List<RelayFamily> families,
            AllocationRegistry registry, String quotaKey, Object source, LongConsumer tokenClaimed) {
        RelayFamily primary = family(families, plan.ipv6());
        int claimedPort = -1;
        if (plan.reservationToken().isPresent()) {
            // §7.2 step 5: "Otherwise, it checks to see if the token is valid (i.e., the token is in range and has not
            // expired, and the corresponding relayed transport address is still available). If the token is not
            // valid for some reason, the server rejects the request with a 508 (Insufficient Capacity) error."
            // The token names a port reserved by an earlier EVEN-PORT allocation, in whichever family that was.
            long token = plan.reservationToken().getAsLong();
            primary = null;
            for (RelayFamily f : families) {
                OptionalInt port = f.ports().claim(token);
                if (port.isPresent()) {
                    // The reservation's quota slot passes to the allocation that claims it (reserved below).
                    tokenClaimed.accept(token);
                    primary = f;
                    claimedPort = port.getAsInt();
                    break;
                }
            }
            if (primary == null) {
                return new Refused(ErrorCode.INSUFFICIENT_CAPACITY);
            }
        }
        if (primary == null) {
            // §7.2 step 7: no relay address of the family (AllocateDecision answers this before a plan is made).
            return new Refused(ErrorCode.ADDRESS_FAMILY_NOT_SUPPORTED);
        }
        RelayFamily secondary = plan.additionalIpv6() ? family(families, true) : null;
        // §7.2 step 10: "At any point, the server MAY choose to reject the request with a 486 (Allocation Quota
        // Reached) error if it feels the client is trying to exceed some locally defined allocation quota. The server
        // is free to define this allocation quota any way it wishes, but it SHOULD define it based on the username
        // used to authenticate the request and not on the client's transport address."
        // Per user (and, when configured, per source) → 486; the server-wide limit → 508.
        ReserveResult reserved = registry.reserve(quotaKey, source);
        if (reserved instanceof ReserveResult.Rejected rejected) {
            if (claimedPort > 0) {
                primary.ports().release(claimedPort);
            }
            return new Refused(ErrorCode.valueOf(rejected.errorCode()));
        }
        AllocationPermit permit = ((ReserveResult.Granted) reserved).permit();
        AllocationPermit reservationSlot = null;
        if (plan.reservesNextPort()) {
            // The port held for a later Allocate counts against the quota like an allocation (486 / 508).
            ReserveResult second = registry.reserve(quotaKey, source);
            if (second instanceof ReserveResult.Rejected rejected) {
                permit.close();
                return new Refused(ErrorCode.valueOf(rejected.errorCode()));
            }
            reservationSlot = ((ReserveResult.Granted) second).permit();
        }
        return new Admitted(primary, secondary, claimedPort, permit, reservationSlot);
    }

    /** The relay address of that family, or null. */
    static RelayFamily family(List<RelayFamily> families, boolean ipv6) {
        for (RelayFamily f : families) {
            if (f.isIpv6() == ipv6) {
                return f;
            }
        }
        return null;
    }
}
