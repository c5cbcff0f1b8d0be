package io.traverse.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.traverse.stun.ErrorCode;
import io.traverse.stun.attr.EvenPort;
import io.traverse.turn.AllocationListener;
import io.traverse.turn.AllocationRegistry;
import io.traverse.turn.PortAllocator;
import io.traverse.turn.TurnClock;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/**
 * RFC 8656 §7.2 steps 5 (the reservation token's validity) and 10 (the allocation quota) on real port pools and a real
 * registry; no socket is opened (ports are only handed out, never bound).
 */
class AllocateAdmissionTest {
    private static final TurnClock CLOCK = () -> 0L;
    private final RelayFamily v4 = family("192.0.2.10");
    private final RelayFamily v6 = family("2001:db8::10");
    private final List<Long> claimed = new ArrayList<>();

    @Test
    void step10PerUserQuotaIs486() {
        AllocationRegistry registry = new AllocationRegistry(10, 1, AllocationListener.NOOP);
        assertInstanceOf(AllocateAdmission.Admitted.class, admit(plain(), registry));
        assertRefused(486, admit(plain(), registry));
    }

    @Test
    void step10ServerCapacityIs508() {
        AllocationRegistry registry = new AllocationRegistry(1, 10, AllocationListener.NOOP);
        assertInstanceOf(AllocateAdmission.Admitted.class, admit(plain(), registry));
        assertRefused(508, AllocateAdmission.admit(plain(), List.of(v4, v6), registry, "bob", null, claimed::add));
    }

    @Test
    void step10PerSourceQuotaIs486() {
        AllocationRegistry registry = new AllocationRegistry(10, 10, 1, AllocationListener.NOOP);
        assertInstanceOf(AllocateAdmission.Admitted.class,
                AllocateAdmission.admit(plain(), List.of(v4), registry, "alice", "198.51.100.7", claimed::add));
        assertRefused(486,
                AllocateAdmission.admit(plain(), List.of(v4), registry, "bob", "198.51.100.7", claimed::add));
    }

    @Test
    void evenPortReservationCountsAgainstTheQuota() {
        AllocationRegistry registry = new AllocationRegistry(10, 1, AllocationListener.NOOP);
        assertRefused(486, admit(new AllocateDecision.Plan(false, false, Optional.of(new EvenPort(true)),
                OptionalLong.empty(), false, false), registry));
        assertEquals(0, registry.activeFor("alice"), "the first slot is given back");
        registry = new AllocationRegistry(10, 2, AllocationListener.NOOP);
        AllocateAdmission.Admitted admitted = assertInstanceOf(AllocateAdmission.Admitted.class,
                admit(new AllocateDecision.Plan(false, false, Optional.of(new EvenPort(true)), OptionalLong.empty(),
                        false, false), registry));
        assertTrue(admitted.reservationSlot().isHeld());
    }

    @Test
    void step5UnknownTokenIs508() {
        AllocationRegistry registry = new AllocationRegistry(10, 10, AllocationListener.NOOP);
        assertRefused(508, admit(withToken(42), registry));
        assertTrue(claimed.isEmpty());
        assertEquals(0, registry.activeFor("alice"), "no quota is taken for a refused token");
    }

    @Test
    void step5ValidTokenClaimsItsPortInItsFamily() {
        PortAllocator.EvenPortPair pair = v6.ports().nextEvenWithReservation().orElseThrow();
        AllocationRegistry registry = new AllocationRegistry(10, 10, AllocationListener.NOOP);
        AllocateAdmission.Admitted admitted = assertInstanceOf(AllocateAdmission.Admitted.class,
                admit(withToken(pair.token().value()), registry));
        assertSame(v6, admitted.primary(), "the reserved port decides the family");
        assertEquals(pair.reservedPort(), admitted.claimedPort());
        assertEquals(List.of(pair.token().value()), claimed);
        assertRefused(508, admit(withToken(pair.token().value()), registry)); // a token is claimed once
    }

    @Test
    void tokenPortIsGivenBackWhenTheQuotaRefuses() {
        PortAllocator.EvenPortPair pair = v4.ports().nextEvenWithReservation().orElseThrow();
        int reserved = v4.ports().reserved();
        AllocationRegistry full = new AllocationRegistry(10, 0, AllocationListener.NOOP);
        assertRefused(486, admit(withToken(pair.token().value()), full));
        assertEquals(reserved - 1, v4.ports().reserved(), "claimed, then released: not reserved any more");
        assertTrue(v4.ports().inUse() <= 1, "only the even port of the pair is still in use");
    }

    @Test
    void additionalFamilyWithoutAnIpv6RelayLeavesNoSecondary() {
        AllocationRegistry registry = new AllocationRegistry(10, 10, AllocationListener.NOOP);
        AllocateDecision.Plan dual = new AllocateDecision.Plan(false, false, Optional.empty(), OptionalLong.empty(),
                false, true);
        AllocateAdmission.Admitted both = assertInstanceOf(AllocateAdmission.Admitted.class,
                AllocateAdmission.admit(dual, List.of(v4, v6), registry, "alice", null, claimed::add));
        assertSame(v4, both.primary());
        assertSame(v6, both.secondary());
        AllocateAdmission.Admitted v4only = assertInstanceOf(AllocateAdmission.Admitted.class,
                AllocateAdmission.admit(dual, List.of(v4), registry, "alice", null, claimed::add));
        assertNull(v4only.secondary(), "step 9: the success response then carries ADDRESS-ERROR-CODE 440");
        assertFalse(v4only.reservationSlot() != null);
    }

    private AllocateAdmission admit(AllocateDecision.Plan plan, AllocationRegistry registry) {
        return AllocateAdmission.admit(plan, List.of(v4, v6), registry, "alice", null, claimed::add);
    }

    private static AllocateDecision.Plan plain() {
        return new AllocateDecision.Plan(false, false, Optional.empty(), OptionalLong.empty(), false, false);
    }

    private static AllocateDecision.Plan withToken(long token) {
        return new AllocateDecision.Plan(false, false, Optional.empty(), OptionalLong.of(token), false, false);
    }

    private static void assertRefused(int code, AllocateAdmission admission) {
        AllocateAdmission.Refused refused = assertInstanceOf(AllocateAdmission.Refused.class, admission);
        assertEquals(ErrorCode.valueOf(code), refused.code());
    }

    private static RelayFamily family(String address) {
        try {
            InetAddress ip = InetAddress.getByName(address);
            return new RelayFamily(ip, ip, new PortAllocator(50000, 50099, CLOCK));
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
