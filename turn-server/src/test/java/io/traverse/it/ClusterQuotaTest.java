package io.traverse.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.traverse.client.AllocateResult;
import io.traverse.client.ChannelDataMessage;
import io.traverse.client.Transport;
import io.traverse.client.TurnClient;
import io.traverse.client.TurnClientOptions;
import io.traverse.client.TurnCredentials;
import io.traverse.client.TurnErrorException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several Traverse instances sharing one real Redis: the per-user and total quotas hold across instances, a crashed
 * instance's reservations age out, and killing Redis leaves live allocations relaying (fail open) or refuses new
 * ones with 508 (fail closed).
 */
class ClusterQuotaTest {
    @TempDir
    Path dir;

    private RedisFixture redis;
    private final List<AutoCloseable> open = new ArrayList<>();

    @BeforeEach
    void startRedis() throws Exception {
        redis = RedisFixture.start(dir.resolve("redis"));
    }

    @AfterEach
    void stopAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
        redis.close();
    }

    private TestServer instance(String id, Map<String, String> extra) throws Exception {
        Map<String, String> o = new java.util.LinkedHashMap<>();
        o.put("cluster.redis-url", redis.url());
        o.put("cluster.instance-id", id);
        o.put("cluster.max-allocations-per-user", "2");
        o.put("cluster.max-allocations", "3");
        o.put("cluster.quota-ttl", "3s");
        o.put("cluster.timeout", "500ms");
        o.putAll(extra);
        java.nio.file.Files.createDirectories(dir.resolve(id));
        TestServer server = TurnFixture.start(dir.resolve(id), o);
        open.add(server);
        return server;
    }

    private TurnClient allocated(TestServer server, String user, String password) throws Exception {
        TurnClient client = TurnClient.connect(Transport.UDP, server.udp4(),
                TurnClientOptions.builder().transactionTimeout(Duration.ofSeconds(3)).build());
        open.add(client);
        client.allocate(TurnCredentials.password(user, password));
        return client;
    }

    private int refusal(TestServer server, String user, String password) {
        return assertThrows(TurnErrorException.class, () -> allocated(server, user, password)).code();
    }

    @Test
    void perUserAndTotalQuotasHoldAcrossInstances() throws Exception {
        TestServer a = instance("a", Map.of());
        TestServer b = instance("b", Map.of());
        allocated(a, TurnFixture.USER, TurnFixture.PASSWORD);
        TurnClient second = allocated(b, TurnFixture.USER, TurnFixture.PASSWORD);
        assertEquals(486, refusal(a, TurnFixture.USER, TurnFixture.PASSWORD),
                "RFC 8656 §7.2: alice holds 2 allocations in the cluster (one per instance), the quota is 2");
        second.deallocate();
        allocated(a, TurnFixture.USER, TurnFixture.PASSWORD); // the slot came back

        allocated(b, TurnFixture.USER2, TurnFixture.PASSWORD2);
        assertEquals(508, refusal(a, TurnFixture.USER2, TurnFixture.PASSWORD2),
                "three allocations in the cluster: the total quota of 3 is reached");
    }

    @Test
    void aDeletedAllocationsSlotIsFreeInRedisOnceTheRefreshIsAnswered() throws Exception {
        TestServer b = instance("b", Map.of());
        io.lettuce.core.RedisClient redisClient = io.lettuce.core.RedisClient.create(redis.url());
        open.add(redisClient::shutdown);
        try (var connection = redisClient.connect()) {
            var commands = connection.sync();
            String userSet = "traverse:quota:user:" + TurnFixture.USER;
            for (int round = 0; round < 20; round++) {
                TurnClient client = allocated(b, TurnFixture.USER, TurnFixture.PASSWORD);
                assertEquals(1, commands.zcard(userSet), "the allocation holds a slot, round " + round);
                client.deallocate();
                // The client may allocate elsewhere the moment it reads the answer: the slot must be free by then.
                assertEquals(0, commands.zcard(userSet), "Refresh(0) answered before its slot was freed, round " + round);
                assertEquals(0, commands.zcard("traverse:quota:total"), "total slot still held, round " + round);
            }
        }
    }

    @Test
    void aCrashedInstancesReservationsAgeOut() throws Exception {
        TestServer a = instance("a", Map.of());
        TestServer c = instance("c", Map.of());
        allocated(c, TurnFixture.USER, TurnFixture.PASSWORD);
        allocated(c, TurnFixture.USER, TurnFixture.PASSWORD);
        assertEquals(486, refusal(a, TurnFixture.USER, TurnFixture.PASSWORD));
        c.close(); // like a crash: nothing is released in Redis, the renewals stop
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            try {
                allocated(a, TurnFixture.USER, TurnFixture.PASSWORD);
                break;
            } catch (TurnErrorException e) {
                assertEquals(486, e.code());
                assertTrue(System.nanoTime() - deadline < 0, "the reservations did not expire (quota-ttl 3 s)");
                Thread.sleep(200);
            }
        }
    }

    @Test
    void killingRedisLeavesLiveAllocationsRelayingFailOpenAllocatesFailClosedRefuses() throws Exception {
        TestServer failOpen = instance("open", Map.of());
        TestServer failClosed = instance("closed", Map.of("cluster.fail-open", "false"));
        try (UdpPeer peer = UdpPeer.on("127.0.0.1")) {
            TurnClient live = allocated(failOpen, TurnFixture.USER, TurnFixture.PASSWORD);
            live.channelBind(0x4000, peer.address());
            assertRelays(live, peer, "before");

            redis.kill();
            assertRelays(live, peer, "with Redis down");
            allocated(failOpen, TurnFixture.USER2, TurnFixture.PASSWORD2); // local quotas only
            assertEquals(508, refusal(failClosed, TurnFixture.USER2, TurnFixture.PASSWORD2),
                    "fail closed: no cluster answer, no allocation");
            assertRelays(live, peer, "after new allocations were tried");
        }
    }

    private static void assertRelays(TurnClient client, UdpPeer peer, String when) throws Exception {
        byte[] out = ("to peer " + when).getBytes(StandardCharsets.UTF_8);
        client.sendChannelData(0x4000, out);
        UdpPeer.Received got = peer.receive();
        assertArrayEquals(out, got.data(), "client → peer " + when);
        byte[] back = ("to client " + when).getBytes(StandardCharsets.UTF_8);
        peer.send(got.sender(), back);
        ChannelDataMessage in = (ChannelDataMessage) client.receive(Duration.ofSeconds(5));
        assertArrayEquals(back, in.data(), "peer → client " + when);
    }
}
