package io.traverse.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.Counter;
import io.traverse.client.Transport;
import io.traverse.client.TurnClient;
import io.traverse.client.TurnClientOptions;
import io.traverse.client.TurnCredentials;
import io.traverse.client.TurnErrorException;
import io.traverse.cluster.InstanceLoad;
import io.traverse.metrics.TraverseMetrics;
import io.traverse.stun.attr.AlternateServer;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three Traverse instances sharing one real Redis: an instance over its redirect threshold answers 300 with the
 * least-loaded healthy peer (RFC 8489 §10); coturn's turnutils_uclient follows the 300 and relays through that
 * peer; a client that was redirected once and reaches a full peer gets 508, never a second 300.
 */
class ClusterRedirectTest {
    private static final Pattern LOST = Pattern.compile("Total lost packets (\\d+) \\(([0-9.]+)%\\)");

    @TempDir
    Path dir;

    private RedisFixture redis;
    private final List<AutoCloseable> open = new ArrayList<>();

    @BeforeEach
    void startRedis() throws Exception {
        ExternalTool.require("turnutils_uclient");
        redis = RedisFixture.start(dir.resolve("redis"));
    }

    @AfterEach
    void stopAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
        redis.close();
    }

    private TestServer instance(String id, int maxAllocations, String threshold) throws Exception {
        Map<String, String> o = new LinkedHashMap<>();
        o.put("listeners", "udp://127.0.0.1:0,tcp://127.0.0.1:0");
        o.put("cluster.redis-url", redis.url());
        o.put("cluster.instance-id", id);
        o.put("cluster.report-interval", "100ms");
        o.put("cluster.redirect-threshold", threshold);
        o.put("relay.max-allocations", Integer.toString(maxAllocations));
        // Debian's turnutils_uclient (coturn 4.6) picks channel numbers up to 0x7FFF (RFC 5766).
        o.put(TurnFixture.LEGACY_CHANNELS, "true");
        Files.createDirectories(dir.resolve(id));
        TestServer server = TurnFixture.start(dir.resolve(id), o);
        open.add(server);
        return server;
    }

    private TurnClient allocated(TestServer server, String user, String password) throws Exception {
        TurnClient client = connect(server);
        client.allocate(TurnCredentials.password(user, password));
        return client;
    }

    private TurnClient connect(TestServer server) throws Exception {
        TurnClient client = TurnClient.connect(Transport.UDP, server.udp4(),
                TurnClientOptions.builder().transactionTimeout(Duration.ofSeconds(3)).build());
        open.add(client);
        return client;
    }

    private TurnErrorException refused(TestServer server, String user, String password) throws Exception {
        TurnClient client = connect(server);
        return org.junit.jupiter.api.Assertions.assertThrows(TurnErrorException.class,
                () -> client.allocate(TurnCredentials.password(user, password)));
    }

    private static InetSocketAddress alternate(TurnErrorException e) {
        assertEquals(300, e.code(), "Try Alternate expected, got " + e.getMessage());
        return e.response().orElseThrow().attribute(AlternateServer.class).orElseThrow().address();
    }

    /** Waits (bounded) until {@code server} has read its peers' reports with the given allocation counts. */
    private static void awaitPeers(TestServer server, Map<String, Integer> allocations) throws Exception {
        awaitCondition("peer reports " + allocations + " seen by " + server.server().cluster().instanceId(), () -> {
            Map<String, Integer> seen = new LinkedHashMap<>();
            for (InstanceLoad peer : server.server().cluster().loadReports().peers()) {
                seen.put(peer.id(), peer.allocations());
            }
            return seen.equals(allocations);
        });
    }

    private static void awaitCondition(String what, BooleanSupplier condition) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() - deadline < 0, "timed out waiting for " + what);
            Thread.sleep(50);
        }
    }

    private static double opened(TestServer server) {
        return server.metrics().registry().find(TraverseMetrics.ALLOCATIONS_OPENED).counters().stream()
                .mapToDouble(Counter::count).sum();
    }

    @Test
    void anOverloadedInstanceRedirectsToTheLeastLoadedPeerWhereUclientRelaysAndNeverLoops() throws Exception {
        TestServer a = instance("a", 2, "0.5");   // redirects from 1 allocation on
        TestServer b = instance("b", 2, "1.0");   // full at 2
        TestServer c = instance("c", 10, "0.9");
        allocated(a, TurnFixture.USER, TurnFixture.PASSWORD);
        for (int i = 0; i < 3; i++) {
            allocated(c, TurnFixture.USER, TurnFixture.PASSWORD);
        }
        awaitPeers(a, Map.of("b", 0, "c", 3));

        // bob at a: a is over its threshold; b (0 of 2) is less loaded than c (3 of 10).
        assertEquals(b.udp4(), alternate(refused(a, TurnFixture.USER2, TurnFixture.PASSWORD2)));

        // coturn's client follows the 300 and ends up relaying through b.
        double openedA = opened(a);
        double openedB = opened(b);
        int peerPort = UclientInteropTest.freeUdpPort("127.0.0.1");
        Process peer = ExternalTool.start(dir.resolve("peer.log"), "turnutils_peer", "-L", "127.0.0.1", "-p",
                Integer.toString(peerPort));
        open.add(peer::destroyForcibly);
        awaitCondition("turnutils_peer", peer::isAlive);
        ExternalTool.Result run = ExternalTool.run(Duration.ofSeconds(60), "turnutils_uclient", "-u",
                TurnFixture.USER, "-w", TurnFixture.PASSWORD, "-n", "20", "-l", "120", "-z", "5", "-p",
                Integer.toString(a.udp4().getPort()), "-e", "127.0.0.1", "-r", Integer.toString(peerPort),
                "127.0.0.1");
        Matcher m = LOST.matcher(run.output());
        assertTrue(m.find(), "uclient printed no loss summary:\n" + run.output());
        assertEquals("0", m.group(1), run.output());
        assertEquals(openedA, opened(a), "a made no allocation for uclient");
        assertTrue(opened(b) > openedB, "uclient's allocation was made on b");

        // Fill b; a fresh client at b now goes to c (b's least-loaded healthy peer; a is over its threshold), but bob (sent to b by a) gets 508, not another 300.
        while (b.server().allocations().active() < 2) {
            allocated(b, TurnFixture.USER, TurnFixture.PASSWORD);
        }
        awaitPeers(b, Map.of("a", 1, "c", 3));
        // (alice was sent to b too, with uclient: a fresh user is a TURN REST one)
        io.traverse.auth.RestCredential fresh = io.traverse.auth.RestSecrets.of(List.of(TurnFixture.REST_SECRET),
                java.time.Clock.systemUTC()).sign("fresh", Duration.ofMinutes(5));
        assertEquals(c.udp4(), alternate(refused(b, fresh.username(), fresh.password())));
        assertEquals(508, refused(b, TurnFixture.USER2, TurnFixture.PASSWORD2).code(),
                "RFC 8656 §7.2: a redirected client at a full peer gets 508, never a loop of 300s");
    }
}
