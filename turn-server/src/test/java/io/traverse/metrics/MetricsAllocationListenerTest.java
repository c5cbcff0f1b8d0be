package io.traverse.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.traverse.turn.Allocation;
import io.traverse.turn.AllocationRegistry;
import io.traverse.turn.BindResult;
import io.traverse.turn.EndReason;
import io.traverse.turn.FiveTuple;
import io.traverse.turn.ReserveResult;
import io.traverse.turn.TransportProtocol;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Drives a real {@link AllocationRegistry} and checks what the meters say. */
class MetricsAllocationListenerTest {

    static final String USER = "alice-secret-user@example.org";
    static final long SECOND = 1_000_000_000L;
    static final AtomicInteger PORTS = new AtomicInteger(10_000);

    final PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    final TraverseMetrics metrics = new TraverseMetrics(prometheus);
    final AllocationRegistry registry = new AllocationRegistry(100_000, 100_000, metrics.allocationListener());

    static InetSocketAddress addr(String ip, int port) {
        try {
            return new InetSocketAddress(InetAddress.getByName(ip), port);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    Allocation open(TransportProtocol transport, String... relays) {
        FiveTuple tuple = new FiveTuple(transport, addr("198.51.100.7", PORTS.incrementAndGet()),
                addr("192.0.2.1", 3478));
        Allocation.Builder b = Allocation.builder(tuple, USER).realm("example.org").transactionId(new byte[12]);
        for (String relay : relays) {
            b.relay(addr(relay, 50_000));
        }
        Allocation a = b.build(0);
        ReserveResult reserved = registry.reserve(USER);
        registry.register(assertInstanceOf(ReserveResult.Granted.class, reserved).permit(), a);
        return a;
    }

    double counter(String name, String... tags) {
        return prometheus.get(name).tags(tags).counter().count();
    }

    double gauge(String name, String... tags) {
        return prometheus.get(name).tags(tags).gauge().value();
    }

    @ParameterizedTest
    @EnumSource(TransportProtocol.class)
    void allocationsByTransportAndFamily(TransportProtocol transport) {
        String t = transport.name().toLowerCase();
        Allocation v4 = open(transport, "192.0.2.1");
        open(transport, "2001:db8::1");
        Allocation dual = open(transport, "192.0.2.1", "2001:db8::1");
        open(transport, "192.0.2.1");
        assertEquals(2, gauge(TraverseMetrics.ALLOCATIONS_ACTIVE, "transport", t, "family", "ipv4"));
        assertEquals(1, gauge(TraverseMetrics.ALLOCATIONS_ACTIVE, "transport", t, "family", "ipv6"));
        assertEquals(1, gauge(TraverseMetrics.ALLOCATIONS_ACTIVE, "transport", t, "family", "dual"));
        assertEquals(2, counter(TraverseMetrics.ALLOCATIONS_OPENED, "transport", t, "family", "ipv4"));
        assertEquals(4, metrics.activeAllocations());

        registry.remove(v4, EndReason.EXPIRED);
        registry.remove(dual, EndReason.DELETED_BY_CLIENT);
        registry.remove(dual, EndReason.DELETED_BY_CLIENT); // idempotent: no second event
        assertEquals(1, gauge(TraverseMetrics.ALLOCATIONS_ACTIVE, "transport", t, "family", "ipv4"));
        assertEquals(0, gauge(TraverseMetrics.ALLOCATIONS_ACTIVE, "transport", t, "family", "dual"));
        assertEquals(1, counter(TraverseMetrics.ALLOCATIONS_EXPIRED, "transport", t, "family", "ipv4"));
        assertEquals(0, counter(TraverseMetrics.ALLOCATIONS_EXPIRED, "transport", t, "family", "dual"));
        assertEquals(1, counter(TraverseMetrics.ALLOCATIONS_ENDED, "reason", "expired"));
        assertEquals(1, counter(TraverseMetrics.ALLOCATIONS_ENDED, "reason", "deleted_by_client"));
        assertEquals(2, counter(TraverseMetrics.ALLOCATIONS_OPENED, "transport", t, "family", "ipv4"),
                "counters never go down");
        assertEquals(2, metrics.activeAllocations());
        assertEquals(1, metrics.activeAllocations(transport, AllocationFamily.IPV6));
    }

    @Test
    void permissionsInstalledRefreshedExpiredAndDroppedWithTheirAllocation() {
        Allocation a = open(TransportProtocol.UDP, "192.0.2.1");
        InetAddress p1 = addr("203.0.113.5", 1).getAddress();
        InetAddress p2 = addr("203.0.113.6", 1).getAddress();
        InetAddress p3 = addr("203.0.113.7", 1).getAddress();
        assertTrue(a.installPermission(p1, 0));
        assertTrue(a.installPermission(p2, 0));
        assertTrue(a.installPermission(p1, SECOND)); // refresh: not a new permission
        assertEquals(2, gauge(TraverseMetrics.PERMISSIONS_ACTIVE));
        assertEquals(2, counter(TraverseMetrics.PERMISSIONS_INSTALLED));

        // p2 expires at 300 s, p1 (refreshed at 1 s) at 301 s
        a.expireStale(300 * SECOND);
        assertEquals(1, gauge(TraverseMetrics.PERMISSIONS_ACTIVE));
        assertTrue(a.installPermission(p3, 300 * SECOND));
        assertEquals(2, metrics.activePermissions());
        assertEquals(3, counter(TraverseMetrics.PERMISSIONS_INSTALLED));

        registry.remove(a, EndReason.CONNECTION_CLOSED);
        assertEquals(0, gauge(TraverseMetrics.PERMISSIONS_ACTIVE));
        assertEquals(3, counter(TraverseMetrics.PERMISSIONS_INSTALLED));
    }

    @Test
    void channelsBoundRefreshedExpiredAndDroppedWithTheirAllocation() {
        Allocation a = open(TransportProtocol.TCP, "192.0.2.1");
        InetSocketAddress peer1 = addr("203.0.113.5", 4000);
        InetSocketAddress peer2 = addr("203.0.113.6", 4000);
        assertEquals(BindResult.BOUND, a.bindChannel(0x4000, peer1, 0));
        assertEquals(BindResult.REFRESHED, a.bindChannel(0x4000, peer1, SECOND));
        assertEquals(BindResult.BOUND, a.bindChannel(0x4001, peer2, 2 * SECOND));
        assertEquals(2, gauge(TraverseMetrics.CHANNELS_ACTIVE));
        assertEquals(2, counter(TraverseMetrics.CHANNELS_BOUND));
        assertEquals(2, gauge(TraverseMetrics.PERMISSIONS_ACTIVE), "a channel installs its peer's permission");

        a.expireStale(601 * SECOND); // 0x4000 refreshed at 1 s runs out at 601 s; 0x4001 at 602 s
        assertEquals(1, metrics.activeChannels());
        assertEquals(0, metrics.activePermissions(), "both permissions ran out at 301/302 s");

        registry.remove(a, EndReason.SHUTDOWN);
        assertEquals(0, metrics.activeChannels());
        assertEquals(0, metrics.activePermissions());
        assertEquals(2, counter(TraverseMetrics.CHANNELS_BOUND));
        assertEquals(1, counter(TraverseMetrics.ALLOCATIONS_ENDED, "reason", "shutdown"));
    }

    @Test
    void noUsernameInAnyTagOrInTheScrape() {
        Allocation a = open(TransportProtocol.UDP, "192.0.2.1", "2001:db8::1");
        a.installPermission(addr("203.0.113.5", 1).getAddress(), 0);
        a.bindChannel(0x4000, addr("203.0.113.5", 4000), 0);
        metrics.request(USER, 200);
        metrics.recordRequestNanos(USER, 5);
        metrics.authFailed(TraverseMetrics.AuthFailure.UNKNOWN_USER);
        metrics.handshake(USER, true);
        registry.remove(a, EndReason.ADMIN);
        for (Meter m : prometheus.getMeters()) {
            for (Tag tag : m.getId().getTags()) {
                assertFalse(tag.getValue().contains("alice"), () -> m.getId() + " carries the username");
            }
        }
        String scrape = prometheus.scrape();
        assertFalse(scrape.contains("alice"), scrape);
        assertFalse(scrape.contains("example.org"), scrape);
        assertFalse(scrape.contains("198.51.100.7"), "no client address either");
    }

    @Test
    void concurrentEventsFromSeveralLoopsBalance() throws Exception {
        int threads = 4;
        int perThread = 500;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                done.add(pool.submit(() -> {
                    start.await();
                    List<Allocation> mine = new ArrayList<>();
                    for (int i = 0; i < perThread; i++) {
                        Allocation a = open(i % 2 == 0 ? TransportProtocol.UDP : TransportProtocol.TLS, "192.0.2.1");
                        a.installPermission(addr("203.0.113.5", 1).getAddress(), 0);
                        a.bindChannel(0x4000, addr("203.0.113.6", 4000), 0);
                        mine.add(a);
                    }
                    for (int i = 0; i < mine.size(); i++) {
                        if (i % 4 == 0) {
                            mine.get(i).expireStale(700 * SECOND); // permissions and channel run out first
                        }
                        registry.remove(mine.get(i), EndReason.EXPIRED);
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : done) {
                f.get(30, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        int total = threads * perThread;
        assertEquals(0, metrics.activeAllocations());
        assertEquals(0, metrics.activePermissions());
        assertEquals(0, metrics.activeChannels());
        assertEquals(total / 2, counter(TraverseMetrics.ALLOCATIONS_OPENED, "transport", "udp", "family", "ipv4"));
        assertEquals(total / 2, counter(TraverseMetrics.ALLOCATIONS_EXPIRED, "transport", "tls", "family", "ipv4"));
        assertEquals(2 * total, counter(TraverseMetrics.PERMISSIONS_INSTALLED));
        assertEquals(total, counter(TraverseMetrics.CHANNELS_BOUND));
    }
}
