package io.traverse.turn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class AllocationListenerTest {

    @Test
    void compositeForwardsEveryEventInOrder() {
        RecordingListener one = new RecordingListener();
        RecordingListener two = new RecordingListener();
        AllocationRegistry reg = new AllocationRegistry(10, 10, AllocationListener.composite(List.of(one, two)));
        Allocation a = AllocationRegistryTest.allocation(AllocationRegistryTest.tuple(TransportProtocol.UDP, 1, 1), "alice");
        reg.register(((ReserveResult.Granted) reg.reserve("alice")).permit(), a);
        a.installPermission(AllocationTest.ip("8.8.8.8"), 0);
        a.bindChannel(0x4000, AllocationTest.addr("8.8.8.8", 9), 0);
        a.refresh(java.util.OptionalLong.of(700), 1);
        a.expireStale(600 * AllocationTest.S);
        reg.remove(a, EndReason.SHUTDOWN);
        List<String> expected = List.of("allocated alice", "permission 8.8.8.8", "permission refreshed 8.8.8.8",
                "channel 4000 8.8.8.8:9", "refreshed 700", "permission expired 8.8.8.8", "channel expired 4000",
                "deleted SHUTDOWN");
        assertEquals(expected, one.drain());
        assertEquals(expected, two.drain());
    }

    @Test
    void compositeRunsEveryListenerThenRethrowsTheFirstFailure() {
        RecordingListener after = new RecordingListener();
        AllocationListener failing1 = new AllocationListener() {
            @Override
            public void allocated(Allocation a) {
                throw new IllegalStateException("first");
            }
        };
        AllocationListener failing2 = new AllocationListener() {
            @Override
            public void allocated(Allocation a) {
                throw new IllegalArgumentException("second");
            }
        };
        AllocationListener c = AllocationListener.composite(List.of(failing1, failing2, after));
        Allocation a = AllocationRegistryTest.allocation(AllocationRegistryTest.tuple(TransportProtocol.UDP, 1, 1), "x");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> c.allocated(a));
        assertEquals("first", e.getMessage());
        assertEquals(1, e.getSuppressed().length);
        assertEquals(List.of("allocated x"), after.drain());
    }

    @Test
    void compositeOfNoneOrOne() {
        assertSame(AllocationListener.NOOP, AllocationListener.composite(List.of()));
        RecordingListener only = new RecordingListener();
        assertSame(only, AllocationListener.composite(List.of(only)));
    }
}
