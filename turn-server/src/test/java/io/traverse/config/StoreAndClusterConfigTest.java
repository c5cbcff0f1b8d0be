package io.traverse.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code auth.store} and {@code cluster}: parsed strictly, errors name the key, passwords never printed. */
class StoreAndClusterConfigTest {
    @Test
    void storeAndClusterKeysParse() throws Exception {
        TraverseConfig c = ConfigLoader.parse(String.join("\n",
                "auth:",
                "  store:",
                "    url: postgres://turn:s3cret@db.example:5432/coturn",
                "    negative-ttl: 5s",
                "    lookups-per-second: 20",
                "cluster:",
                "  redis-url: redis://:s3cret@10.0.0.2:6379/0",
                "  instance-id: edge-1",
                "  max-allocations-per-user: 5",
                "  redirect-threshold: 0.75",
                "  advertise: [udp://203.0.113.7:3478]",
                ""), Map.of());
        assertEquals(Duration.ofSeconds(5), c.auth().store().negativeTtl());
        assertEquals(20, c.auth().store().lookupsPerSecond());
        assertEquals("postgres://db.example:5432/coturn", c.auth().store().redactedUrl());
        assertEquals(0.75, c.cluster().redirectThreshold());
        assertEquals("udp://203.0.113.7:3478", c.cluster().advertise().get(0).uri());
        assertFalse(c.toString().contains("s3cret"), c.toString());
    }

    @Test
    void coturnsSqliteFileIsAStoreByItsAbsolutePath() throws Exception {
        TraverseConfig c = ConfigLoader.parse("auth:\n  store:\n    url: sqlite:/var/lib/turn/turndb\n", Map.of());
        assertEquals("sqlite:/var/lib/turn/turndb", c.auth().store().url());
        assertEquals("sqlite:/var/lib/turn/turndb", c.auth().store().redactedUrl());
        for (String bad : new String[] {"sqlite:", "sqlite:turndb", "sqlite:../turndb"}) {
            ConfigException e = assertThrows(ConfigException.class,
                    () -> ConfigLoader.parse("", Map.of("auth.store.url", bad)));
            assertTrue(e.getMessage().contains("auth.store.url: sqlite: needs the file's absolute path"),
                    e.getMessage());
        }
    }

    @Test
    void aThresholdGivenAsAnOverrideIsANumber() throws Exception {
        TraverseConfig c = ConfigLoader.parse("", Map.of("cluster.redirect-threshold", "0.5"));
        assertEquals(0.5, c.cluster().redirectThreshold());
    }

    @Test
    void badValuesNameTheirKey() {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.parse("",
                Map.of("auth.store.url", "mysql://db/x", "cluster.redirect-threshold", "1.5",
                        "cluster.instance-id", "bad id", "cluster.quota-ttl", "1s")));
        String m = e.getMessage();
        assertTrue(m.contains("auth.store.url: scheme must be redis, rediss, postgres, postgresql or sqlite"), m);
        assertTrue(m.contains("cluster.redirect-threshold: must be in (0, 1]"), m);
        assertTrue(m.contains("cluster.instance-id"), m);
        assertTrue(m.contains("cluster.quota-ttl: must be at least 3s"), m);
    }
}
