package io.traverse.turn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/** The per-packet lookups must not allocate; measured with the JVM's per-thread allocation counter. */
class HotPathAllocationTest {

    private static final int ROUNDS = 200_000;

    private static long allocatedBytes() {
        java.lang.management.ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        assumeTrue(mx instanceof com.sun.management.ThreadMXBean, "no per-thread allocation counter");
        com.sun.management.ThreadMXBean sun = (com.sun.management.ThreadMXBean) mx;
        assumeTrue(sun.isThreadAllocatedMemorySupported() && sun.isThreadAllocatedMemoryEnabled());
        return sun.getThreadAllocatedBytes(Thread.currentThread().getId());
    }

    /** Runs {@code body} to warm up, then measures; allows a few hundred bytes of measuring noise. */
    private static void assertAllocationFree(String what, Runnable body) {
        for (int i = 0; i < 3; i++) {
            body.run();
        }
        allocatedBytes();
        long before = allocatedBytes();
        body.run();
        long used = allocatedBytes() - before;
        assertTrue(used < 1024, what + " allocated " + used + " bytes over " + ROUNDS + " rounds");
    }

    @Test
    void allocationLookups() {
        AllocationRegistry reg = new AllocationRegistry(10, 10, AllocationListener.NOOP);
        FiveTuple t = AllocationRegistryTest.tuple(TransportProtocol.UDP, 4000, 3478);
        Allocation a = AllocationRegistryTest.allocation(t, "alice");
        try (AllocationPermit p = ((ReserveResult.Granted) reg.reserve("alice")).permit()) {
            reg.register(p, a);
        }
        long now = AllocationRegistryTest.NOW;
        InetSocketAddress peer = AllocationTest.addr("8.8.8.8", 5000);
        InetAddress peerIp = peer.getAddress();
        InetSocketAddress stranger = AllocationTest.addr("1.1.1.1", 5000);
        a.bindChannel(0x4ABC, peer, now);
        InetSocketAddress client = t.client();
        InetSocketAddress server = t.server();
        int[] sink = new int[1];
        assertAllocationFree("Allocation lookups", () -> {
            for (int i = 0; i < ROUNDS; i++) {
                long n = now + i;
                if (a.hasPermission(peerIp, n)) {
                    sink[0]++;
                }
                if (a.hasPermission(stranger.getAddress(), n)) {
                    sink[0]--;
                }
                sink[0] += a.channelForPeer(peer, n);
                sink[0] += a.channelForPeer(stranger, n);
                if (a.peerForChannel(0x4ABC, n) != null) {
                    sink[0]++;
                }
                if (a.peerForChannel(0x4ABD, n) == null) {
                    sink[0]++;
                }
                if (a.relayTargetForChannel(0x4ABC, n) != null) {
                    sink[0]++;
                }
                if (reg.find(TransportProtocol.UDP, client, server) == a) {
                    sink[0]++;
                }
            }
        });
        assertTrue(sink[0] != 0);
    }

    @Test
    void peerPolicyPrimitiveChecks() {
        PeerPolicy policy = PeerPolicy.builder().allow("10.1.0.0/16").deny("8.8.4.0/24")
                .serverAddresses(java.util.List.of(AllocationTest.ip("192.0.2.1"))).build();
        java.net.InetAddress[] v4s = {AllocationTest.ip("8.8.8.8"), AllocationTest.ip("10.1.1.1")};
        int[] sink = new int[1];
        assertAllocationFree("PeerPolicy", () -> {
            for (int i = 0; i < ROUNDS; i++) {
                sink[0] += policy.checkIpv4(0x0808_0808 + i).allowed() ? 1 : 0;
                sink[0] += policy.checkIpv6(0x2002_0A01_0000_0000L | ((long) i << 16), 1).allowed() ? 1 : 0;
                sink[0] += policy.checkIpv6(0x2A00_1450_0000_0000L, i).allowed() ? 1 : 0;
                sink[0] += policy.check(v4s[i & 1]).allowed() ? 1 : 0;
            }
        });
        assertTrue(sink[0] > 0);
        assertEquals(policy.checkIpv4(0x0A01_0203), policy.check(AllocationTest.ip("10.1.2.3")));
    }
}
