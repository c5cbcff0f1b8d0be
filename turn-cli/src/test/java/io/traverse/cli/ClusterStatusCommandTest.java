package io.traverse.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.traverse.client.Transport;
import io.traverse.client.TurnClient;
import io.traverse.client.TurnCredentials;
import io.traverse.it.RedisFixture;
import io.traverse.it.TestServer;
import io.traverse.it.TurnFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code turn-cli cluster status} against two real Traverse instances reporting to a real Redis. */
class ClusterStatusCommandTest {
    @TempDir
    Path dir;

    private TestServer instance(RedisFixture redis, String id) throws Exception {
        Files.createDirectories(dir.resolve(id));
        return TurnFixture.start(dir.resolve(id), Map.of("cluster.redis-url", redis.url(), "cluster.instance-id", id,
                "cluster.report-interval", "100ms", "relay.max-allocations", "10",
                "listeners", "udp://127.0.0.1:0"));
    }

    @Test
    void listsEveryInstanceWithItsLoad() throws Exception {
        try (RedisFixture redis = RedisFixture.start(dir.resolve("redis"));
                TestServer a = instance(redis, "edge-a");
                TestServer b = instance(redis, "edge-b");
                TurnClient client = TurnClient.connect(Transport.UDP, a.udp4())) {
            client.allocate(TurnCredentials.password(TurnFixture.USER, TurnFixture.PASSWORD));
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            Cli.Result r;
            while (true) {
                r = Cli.exec("cluster", "status", "--redis", redis.url());
                assertEquals(0, r.exitCode(), r.toString());
                if (r.out().matches("(?s).*\\nedge-a\\s+1/10\\s.*") && r.out().contains("\nedge-b ")) {
                    break;
                }
                assertTrue(System.nanoTime() - deadline < 0, "reports did not show up:\n" + r);
                Thread.sleep(100);
            }
            List<String> lines = r.out().lines().toList();
            assertEquals(3, lines.size(), r.out());
            assertTrue(lines.get(0).matches("INSTANCE\\s+ALLOCATIONS\\s+LOAD\\s+CPU\\s+BITRATE\\s+STATE\\s+LISTENERS"),
                    r.out());
            assertTrue(lines.get(1).matches("edge-a\\s+1/10\\s+10%\\s+.*accepting\\s+udp://127\\.0\\.0\\.1:\\d+"),
                    lines.get(1));
            assertTrue(lines.get(2).matches("edge-b\\s+0/10\\s+0%\\s+.*accepting\\s+udp://127\\.0\\.0\\.1:\\d+"),
                    lines.get(2));
        }
    }

    @Test
    void anUnreachableRedisFailsWithoutShowingThePassword() {
        Cli.Result r = Cli.exec("cluster", "status", "--redis", "redis://:hunter2@127.0.0.1:1/0");
        assertEquals(1, r.exitCode(), r.toString());
        assertTrue(r.err().contains("127.0.0.1:1"), r.toString());
        assertFalse(r.err().contains("hunter2"), r.toString());
    }
}
