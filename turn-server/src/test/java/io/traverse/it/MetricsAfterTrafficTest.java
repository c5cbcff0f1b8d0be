package io.traverse.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.traverse.client.ChannelDataMessage;
import io.traverse.client.Inbound;
import io.traverse.client.Transport;
import io.traverse.client.TurnClient;
import io.traverse.client.TurnClientOptions;
import io.traverse.client.TurnCredentials;
import io.traverse.client.TurnErrorException;
import io.traverse.config.ConfigLoader;
import io.traverse.metrics.TraverseMetrics;
import io.traverse.server.TraverseServer;
import io.traverse.turn.TransportProtocol;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.function.DoubleSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The meters after real traffic: a TURN client relays N ChannelData messages each way through its allocation
 * to a UDP peer, and the relay, allocation, permission, channel, auth and request meters say exactly that, in
 * the registry and in the Prometheus scrape, which names no user.
 */
class MetricsAfterTrafficTest {
    private static final int N = 40;
    private static final int TO_PEER_SIZE = 101;
    private static final int TO_CLIENT_SIZE = 57;
    private static final int CHANNEL = 0x4001;
    private static final Duration WAIT = Duration.ofSeconds(5);

    @TempDir
    Path dir;

    private TraverseServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void metersCountRelayedTrafficAllocationsAuthAndRequests() throws Exception {
        Map<String, String> overrides = TurnFixture.overrides(dir);
        overrides.put("listeners", "udp://127.0.0.1:0");
        overrides.put("relay.addresses", "127.0.0.1");
        overrides.put("admin.enabled", "false");
        overrides.put("server.event-loops", "2");
        PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        server = TraverseServer.start(ConfigLoader.parse("", overrides), new TraverseMetrics(prometheus));
        InetSocketAddress udp = server.address(TransportProtocol.UDP, false);
        TurnClientOptions quick = TurnClientOptions.builder().transactionTimeout(Duration.ofSeconds(3)).build();

        // Refused: an unknown user and a wrong password (each after the 401 for the request without integrity).
        try (TurnClient mallory = TurnClient.connect(Transport.UDP, udp, quick)) {
            assertEquals(401, assertThrows(TurnErrorException.class,
                    () -> mallory.allocate(TurnCredentials.password("mallory", "guess"))).code());
        }
        try (TurnClient wrong = TurnClient.connect(Transport.UDP, udp, quick)) {
            assertEquals(401, assertThrows(TurnErrorException.class,
                    () -> wrong.allocate(TurnCredentials.password(TurnFixture.USER, "not the password"))).code());
        }
        assertEquals(0, gauge(prometheus, TraverseMetrics.ALLOCATIONS_ACTIVE));

        try (TurnClient client = TurnClient.connect(Transport.UDP, udp, quick);
                UdpPeer peer = UdpPeer.on("127.0.0.1")) {
            InetSocketAddress relayed = client.allocate(TurnCredentials.password(TurnFixture.USER, TurnFixture.PASSWORD))
                    .relayedAddress();
            awaitEquals(1, () -> gauge(prometheus, TraverseMetrics.ALLOCATIONS_ACTIVE), "allocations active");
            awaitEquals(1, () -> counter(prometheus, TraverseMetrics.ALLOCATIONS_OPENED), "allocations opened");
            client.channelBind(CHANNEL, peer.address());
            awaitEquals(1, () -> gauge(prometheus, TraverseMetrics.PERMISSIONS_ACTIVE),
                    "ChannelBind installs a permission");
            awaitEquals(1, () -> counter(prometheus, TraverseMetrics.PERMISSIONS_INSTALLED), "permissions installed");
            awaitEquals(1, () -> gauge(prometheus, TraverseMetrics.CHANNELS_ACTIVE), "channels active");
            awaitEquals(1, () -> counter(prometheus, TraverseMetrics.CHANNELS_BOUND), "channels bound");

            for (int i = 0; i < N; i++) {
                byte[] out = payload(i, TO_PEER_SIZE);
                client.sendChannelData(CHANNEL, out);
                UdpPeer.Received received = peer.receive();
                assertEquals(relayed, received.sender());
                assertArrayEquals(out, received.data());
            }
            for (int i = 0; i < N; i++) {
                byte[] back = payload(1000 + i, TO_CLIENT_SIZE);
                peer.send(relayed, back);
                Inbound inbound = client.receive(WAIT);
                ChannelDataMessage message = assertInstanceOf(ChannelDataMessage.class, inbound);
                assertEquals(CHANNEL, message.channel());
                assertArrayEquals(back, message.data());
            }
            awaitEquals(N, () -> relayed(prometheus, TraverseMetrics.RELAYED_PACKETS, "to_peer"), "packets to peer");
            awaitEquals(N, () -> relayed(prometheus, TraverseMetrics.RELAYED_PACKETS, "to_client"), "packets to client");
            awaitEquals((double) N * TO_PEER_SIZE, () -> relayed(prometheus, TraverseMetrics.RELAYED_BYTES, "to_peer"),
                    "application bytes to peer (ChannelData header not counted)");
            awaitEquals((double) N * TO_CLIENT_SIZE,
                    () -> relayed(prometheus, TraverseMetrics.RELAYED_BYTES, "to_client"), "application bytes to client");

            client.deallocate();
            awaitEquals(0, () -> gauge(prometheus, TraverseMetrics.ALLOCATIONS_ACTIVE), "allocations after delete");
            awaitEquals(0, () -> gauge(prometheus, TraverseMetrics.PERMISSIONS_ACTIVE), "the permission went with it");
            awaitEquals(0, () -> gauge(prometheus, TraverseMetrics.CHANNELS_ACTIVE), "the channel went with it");
            assertEquals(1, prometheus.get(TraverseMetrics.ALLOCATIONS_ENDED).tag(TraverseMetrics.TAG_REASON,
                    "deleted_by_client").counter().count());
        }

        assertEquals(1, requests(prometheus, "allocate", "200"));
        assertTrue(requests(prometheus, "allocate", "401") >= 3, "three clients were challenged");
        assertEquals(1, requests(prometheus, "channel_bind", "200"));
        assertEquals(1, requests(prometheus, "refresh", "200"));
        // alice's Allocate, ChannelBind and Refresh verified
        assertTrue(prometheus.get(TraverseMetrics.AUTH_SUCCEEDED).counter().count() >= 3);
        assertTrue(authFailed(prometheus, "no_integrity") >= 3, "every client's first Allocate has no integrity");
        assertTrue(authFailed(prometheus, "unknown_user") >= 1);
        assertTrue(authFailed(prometheus, "bad_integrity") >= 1);

        String scrape = prometheus.scrape();
        assertEquals(N, scraped(scrape, "traverse_relayed_packets_total{direction=\"to_peer\"}"));
        assertEquals(N, scraped(scrape, "traverse_relayed_packets_total{direction=\"to_client\"}"));
        assertEquals((double) N * TO_PEER_SIZE, scraped(scrape, "traverse_relayed_bytes_total{direction=\"to_peer\"}"));
        assertEquals(1, scraped(scrape, "traverse_requests_total{code=\"200\",method=\"allocate\"}"));
        for (String name : new String[] {TurnFixture.USER, "mallory", TurnFixture.PASSWORD, TurnFixture.REALM}) {
            assertFalse(scrape.contains(name), () -> "'" + name + "' in the scrape:\n" + scrape);
        }
    }

    private static byte[] payload(int seed, int size) {
        byte[] data = new byte[size];
        Arrays.fill(data, (byte) seed);
        data[0] = (byte) (seed >>> 8);
        return data;
    }

    /** Sum over all tag combinations of a gauge. */
    private static double gauge(MeterRegistry registry, String name) {
        return registry.find(name).gauges().stream().mapToDouble(Gauge::value).sum();
    }

    /** Sum over all tag combinations of a counter. */
    private static double counter(MeterRegistry registry, String name) {
        return registry.find(name).counters().stream().mapToDouble(Counter::count).sum();
    }

    private static double relayed(MeterRegistry registry, String name, String direction) {
        return registry.get(name).tag(TraverseMetrics.TAG_DIRECTION, direction).counter().count();
    }

    private static double requests(MeterRegistry registry, String method, String code) {
        Counter c = registry.find(TraverseMetrics.REQUESTS).tag(TraverseMetrics.TAG_METHOD, method)
                .tag(TraverseMetrics.TAG_CODE, code).counter();
        return c == null ? 0 : c.count();
    }

    private static double authFailed(MeterRegistry registry, String reason) {
        return registry.get(TraverseMetrics.AUTH_FAILED).tag(TraverseMetrics.TAG_REASON, reason).counter().count();
    }

    /** The value of one sample line of the Prometheus text format. */
    private static double scraped(String scrape, String series) {
        Matcher m = Pattern.compile("^" + Pattern.quote(series) + " (\\S+)$", Pattern.MULTILINE).matcher(scrape);
        assertTrue(m.find(), () -> "no sample " + series + " in the scrape:\n" + scrape);
        return Double.parseDouble(m.group(1));
    }

    /** Counters are updated on the event loop after the packet left: wait (bounded) for the expected value. */
    private static void awaitEquals(double expected, DoubleSupplier actual, String what) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (actual.getAsDouble() != expected && System.nanoTime() - deadline < 0) {
            Thread.sleep(10);
        }
        assertEquals(expected, actual.getAsDouble(), what);
    }
}
