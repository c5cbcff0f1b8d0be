package io.traverse.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.traverse.metrics.TraverseMetrics.DropReason;
import io.traverse.turn.TransportProtocol;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class TraverseMetricsTest {

    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final TraverseMetrics metrics = new TraverseMetrics(registry);

    @ParameterizedTest
    @EnumSource(DropReason.class)
    void droppedCountsByReason(DropReason reason) {
        metrics.dropped(reason);
        metrics.dropped(reason);
        assertEquals(2, metrics.droppedCount(reason));
        assertEquals(2, registry.get(TraverseMetrics.PACKETS_DROPPED).tag("reason", reason.tag()).counter().count());
        for (DropReason other : DropReason.values()) {
            if (other != reason) {
                assertEquals(0, metrics.droppedCount(other));
            }
        }
    }

    @Test
    void relayedCountsPacketsAndBytesPerDirection() {
        metrics.relayed(true, 100);
        metrics.relayed(true, 20);
        metrics.relayed(false, 7);
        assertEquals(2, metrics.relayedPackets(true));
        assertEquals(1, metrics.relayedPackets(false));
        assertEquals(120, registry.get(TraverseMetrics.RELAYED_BYTES).tag("direction", "to_peer").counter().count());
        assertEquals(7, registry.get(TraverseMetrics.RELAYED_BYTES).tag("direction", "to_client").counter().count());
    }

    @Test
    void requestMethodNamesInEitherCaseShareOneLowerCaseTag() {
        metrics.request("ALLOCATE", 200);
        metrics.request("allocate", 200);
        metrics.request("ALLOCATE", 401);
        assertEquals(2, requests("allocate", "200"));
        assertEquals(1, requests("allocate", "401"));
        assertEquals(2, metrics.requestCount("ALLOCATE", 200));
        assertNull(registry.find(TraverseMetrics.REQUESTS).tag("method", "ALLOCATE").counter());
    }

    @ParameterizedTest
    @ValueSource(strings = {"0x0FF", "GET", "", "alice@example.org"})
    void unknownMethodsCountAsOther(String method) {
        metrics.request(method, 400);
        metrics.recordRequestNanos(method, 1_000);
        assertEquals(1, requests("other", "400"));
        assertEquals(1, registry.get(TraverseMetrics.REQUEST_LATENCY).tag("method", "other").timer().count());
        assertNull(registry.find(TraverseMetrics.REQUESTS).tag("method", method).counter());
    }

    @Test
    void nullMethodCountsAsOther() {
        metrics.request(null, 0);
        assertEquals(1, requests("other", "0"));
    }

    @ParameterizedTest
    @ValueSource(ints = {-1, 700, 1000, Integer.MAX_VALUE, Integer.MIN_VALUE})
    void codesOutsideTheStunRangeCountAsOther(int code) {
        metrics.request("BINDING", code);
        assertEquals(1, requests("binding", "other"));
    }

    @Test
    void requestTagValuesStayBounded() {
        for (int i = 0; i < 5_000; i++) {
            metrics.request("m" + i, i);
        }
        Set<String> methods = new HashSet<>();
        Set<String> codes = new HashSet<>();
        for (Meter m : registry.find(TraverseMetrics.REQUESTS).meters()) {
            methods.add(m.getId().getTag("method"));
            codes.add(m.getId().getTag("code"));
        }
        assertEquals(Set.of("other"), methods);
        assertEquals(701, codes.size(), "0..699 and other");
    }

    @Test
    void latencyTimerByMethodWithHistogramBuckets() {
        metrics.recordRequestNanos("BINDING", TimeUnit.MICROSECONDS.toNanos(300));
        metrics.recordRequestNanos("binding", TimeUnit.MILLISECONDS.toNanos(3));
        metrics.recordRequestNanos("BINDING", -5);
        Timer timer = registry.get(TraverseMetrics.REQUEST_LATENCY).tag("method", "binding").timer();
        assertEquals(2, timer.count());
        assertEquals(3.3, timer.totalTime(TimeUnit.MILLISECONDS), 1e-9);
        assertEquals(TraverseMetrics.LATENCY_BUCKETS.length, timer.takeSnapshot().histogramCounts().length);
    }

    @Test
    void authSuccessAndFailuresByReason() {
        metrics.authSucceeded();
        metrics.authSucceeded();
        for (TraverseMetrics.AuthFailure reason : TraverseMetrics.AuthFailure.values()) {
            metrics.authFailed(reason);
        }
        metrics.authFailed(TraverseMetrics.AuthFailure.STALE_NONCE);
        assertEquals(2, metrics.authSucceededCount());
        assertEquals(2, registry.get(TraverseMetrics.AUTH_FAILED).tag("reason", "stale_nonce").counter().count());
        assertEquals(1, registry.get(TraverseMetrics.AUTH_FAILED).tag("reason", "no_integrity").counter().count());
        assertEquals(2, metrics.authFailedCount(TraverseMetrics.AuthFailure.STALE_NONCE));
        assertEquals(0, registry.get(TraverseMetrics.AUTH_FAILED).tag("reason", "other").counter().count());
    }

    /** The exported tag values are what the Grafana dashboard and alert rules query: they must not change. */
    @Test
    void authFailureTagValuesAreStable() {
        assertEquals(List.of("no_integrity", "missing_attribute", "feature_bits", "password_algorithm", "wrong_realm",
                "unknown_user", "bad_integrity", "stale_nonce", "rate_limited", "store_unavailable"),
                TraverseMetrics.AUTH_FAILURE_REASONS);
    }

    @Test
    void authFailureReasonsArePreRegistered() {
        Set<String> reasons = new HashSet<>();
        for (Meter m : registry.find(TraverseMetrics.AUTH_FAILED).meters()) {
            reasons.add(m.getId().getTag("reason"));
        }
        Set<String> expected = new HashSet<>(TraverseMetrics.AUTH_FAILURE_REASONS);
        expected.add("other");
        assertEquals(expected, reasons);
    }

    @Test
    void handshakesByProtocolAndOutcome() {
        metrics.handshake("tls", true);
        metrics.handshake("TLS", true);
        metrics.handshake(TransportProtocol.DTLS, false);
        metrics.handshake("quic", true);
        metrics.handshake((String) null, false);
        assertEquals(2, handshakes("tls", "success"));
        assertEquals(0, handshakes("tls", "failure"));
        assertEquals(1, handshakes("dtls", "failure"));
        assertEquals(1, handshakes("other", "success"));
        assertEquals(1, handshakes("other", "failure"));
        assertEquals(2, metrics.handshakeCount("Tls", true));
    }

    @Test
    void prometheusNamesAsDocumented() {
        PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        TraverseMetrics m = new TraverseMetrics(prometheus);
        m.request("BINDING", 200);
        m.recordRequestNanos("BINDING", 1_000);
        String text = prometheus.scrape();
        for (String name : new String[] {
            "traverse_packets_dropped_total{reason=\"malformed\"} 0.0",
            "traverse_requests_total{code=\"200\",method=\"binding\"} 1.0",
            "traverse_request_latency_seconds_bucket{method=\"binding\",le=\"1.0E-4\"} 1",
            "traverse_request_latency_seconds_count{method=\"binding\"} 1",
            "traverse_relayed_packets_total{direction=\"to_peer\"}",
            "traverse_relayed_bytes_total{direction=\"to_client\"}",
            "traverse_allocations_active{family=\"dual\",transport=\"udp\"} 0.0",
            "traverse_allocations_opened_total{family=\"ipv4\",transport=\"tls\"} 0.0",
            "traverse_allocations_expired_total{family=\"ipv6\",transport=\"tcp\"} 0.0",
            "traverse_allocations_ended_total{reason=\"deleted_by_client\"} 0.0",
            "traverse_permissions_active 0.0",
            "traverse_permissions_installed_total 0.0",
            "traverse_channels_active 0.0",
            "traverse_channels_bound_total 0.0",
            "traverse_auth_succeeded_total 0.0",
            "traverse_auth_failed_total{reason=\"bad_integrity\"} 0.0",
            "traverse_handshakes_total{outcome=\"failure\",protocol=\"dtls\"} 0.0",
        }) {
            assertTrue(text.contains(name), () -> name + " missing from:\n" + text);
        }
    }

    @Test
    void inMemoryHasItsOwnRegistry() {
        TraverseMetrics a = TraverseMetrics.inMemory();
        TraverseMetrics b = TraverseMetrics.inMemory();
        a.dropped(DropReason.MALFORMED);
        assertEquals(1, a.droppedCount(DropReason.MALFORMED));
        assertEquals(0, b.droppedCount(DropReason.MALFORMED));
        assertNotNull(a.registry().find(TraverseMetrics.PACKETS_DROPPED).counter());
    }

    private double requests(String method, String code) {
        Counter c = registry.find(TraverseMetrics.REQUESTS).tag("method", method).tag("code", code).counter();
        return c == null ? 0 : c.count();
    }

    private double handshakes(String protocol, String outcome) {
        return registry.get(TraverseMetrics.HANDSHAKES).tag("protocol", protocol).tag("outcome", outcome).counter()
                .count();
    }
}
