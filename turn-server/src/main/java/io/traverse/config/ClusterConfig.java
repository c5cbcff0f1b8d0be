package io.traverse.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The {@code cluster} section: instances sharing quotas and load reports through one Redis (see {@code
 * docs/cluster.md}). Without {@code redis-url} each instance stands alone.
 *
 * @param redisUrl               {@code redis://host:port/db} or {@code rediss://…}; null: no cluster
 * @param passwordFile           file whose first line is the Redis password
 * @param instanceId             this instance's name in the cluster (letters, digits, {@code .-_}); null: the host
 *                               name plus a random suffix
 * @param timeout                how long one Redis command may take, at least 10 ms
 * @param maxAllocationsPerUser  cluster-wide allocations per user (486 beyond); 0: no cluster-wide per-user quota
 * @param maxAllocations         cluster-wide allocations in total (508 beyond); 0: no cluster-wide total
 * @param quotaTtl               a reservation lives this long unless its instance renews it (a crashed instance's
 *                               reservations age out), at least 3 s
 * @param failOpen               when Redis cannot answer: true allocates under the local quotas only, false refuses
 *                               with 508
 * @param reportInterval         how often the load report is published and the peers' are read, at least 100 ms
 * @param redirectThreshold      share of {@code relay.max-allocations} in use above which new Allocates are sent to
 *                               the least-loaded peer (300 Try Alternate), in (0, 1]; 1: never redirect for load
 * @param advertise              where peers send clients to reach this instance: listener URIs such as
 *                               {@code udp://203.0.113.7:3478}; empty: the bound listeners
 * @param alternateDomain        the TLS name of this instance, sent as ALTERNATE-DOMAIN with a redirect to it for a
 *                               TLS client (RFC 8489 §14.16); null: none
 */
public record ClusterConfig(String redisUrl, Path passwordFile, String instanceId, Duration timeout,
        int maxAllocationsPerUser, int maxAllocations, Duration quotaTtl, boolean failOpen, Duration reportInterval,
        double redirectThreshold, List<ListenerConfig> advertise, String alternateDomain) {

    public ClusterConfig {
        Validator v = new Validator();
        if (redisUrl != null && !redisUrl.startsWith("redis://") && !redisUrl.startsWith("rediss://")) {
            v.add("redis-url", "must be a redis:// or rediss:// URL");
        }
        if (instanceId != null && !instanceId.matches("[A-Za-z0-9._-]{1,64}")) {
            v.add("instance-id", "must be 1-64 letters, digits, '.', '-' or '_'");
        }
        v.duration("timeout", timeout, Duration.ofMillis(10));
        v.atLeast("max-allocations-per-user", maxAllocationsPerUser, 0);
        v.atLeast("max-allocations", maxAllocations, 0);
        v.duration("quota-ttl", quotaTtl, Duration.ofSeconds(3));
        v.duration("report-interval", reportInterval, Duration.ofMillis(100));
        if (!(redirectThreshold > 0 && redirectThreshold <= 1)) {
            v.add("redirect-threshold", "must be in (0, 1], got " + redirectThreshold);
        }
        v.list("advertise", advertise);
        v.done();
        advertise = List.copyOf(advertise);
    }

    /** No cluster; quota TTL 60 s, fail open, reports every 2 s, redirect above 90 %. */
    public static ClusterConfig defaults() {
        return new ClusterConfig(null, null, null, Duration.ofSeconds(2), 0, 0, Duration.ofSeconds(60), true,
                Duration.ofSeconds(2), 0.9, List.of(), null);
    }

    public boolean enabled() {
        return redisUrl != null;
    }

    @Override
    public String toString() {
        return "ClusterConfig[redisUrl=" + (redisUrl == null ? null : redisUrl.replaceAll("//[^@/]*@", "//"))
                + ", instanceId=" + instanceId + ", maxAllocationsPerUser=" + maxAllocationsPerUser
                + ", maxAllocations=" + maxAllocations + ", quotaTtl=" + quotaTtl + ", failOpen=" + failOpen
                + ", reportInterval=" + reportInterval + ", redirectThreshold=" + redirectThreshold
                + ", advertise=" + advertise + ", alternateDomain=" + alternateDomain + "]";
    }
}
