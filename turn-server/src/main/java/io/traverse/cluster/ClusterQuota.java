package io.traverse.cluster;

import io.lettuce.core.ScriptOutputType;
import io.traverse.util.RedisConnector;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Allocation quotas across all instances (RFC 8656 §7.2 step 10 "quota ... based on the username", and 508 for the
 * whole fleet), kept in Redis with atomic Lua scripts.
 *
 * <p>Each reservation is a member {@code <instance>:<n>} of two sorted sets, {@code traverse:quota:user:<user>} and
 * {@code traverse:quota:total}, scored with its expiry (Redis server time, ms). Reserving first drops expired
 * members, then counts and adds in one script, so two instances never both take the last slot. The instance renews
 * its live members every {@code ttl / 3}; a crashed instance's members expire after {@code ttl}. Releasing removes
 * the member.
 *
 * <p>When Redis cannot answer, {@link #reserve} completes with {@link Decision#UNAVAILABLE}: the caller then allocates
 * under its local quotas (fail open) or refuses with 508 (fail closed). Thread-safe.
 */
public final class ClusterQuota implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterQuota.class);
    static final String USER_PREFIX = "traverse:quota:user:";
    static final String TOTAL = "traverse:quota:total";

    /** KEYS: user set, total set. ARGV: ttl ms, member, per-user limit (0 none), total limit (0 none). */
    private static final String RESERVE = String.join("\n",
            "local t = redis.call('TIME')",
            "local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)",
            "local expiry = now + tonumber(ARGV[1])",
            "redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)",
            "redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)",
            "if tonumber(ARGV[3]) > 0 and redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then return 486 end",
            "if tonumber(ARGV[4]) > 0 and redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[4]) then return 508 end",
            "redis.call('ZADD', KEYS[1], expiry, ARGV[2])",
            "redis.call('ZADD', KEYS[2], expiry, ARGV[2])",
            "redis.call('PEXPIREAT', KEYS[1], expiry)",
            "redis.call('PEXPIREAT', KEYS[2], expiry)",
            "return 0");

    /** KEYS: user set, total set. ARGV: ttl ms, member. Renews a member (and re-adds it after a Redis restart). */
    private static final String RENEW = String.join("\n",
            "local t = redis.call('TIME')",
            "local expiry = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) + tonumber(ARGV[1])",
            "redis.call('ZADD', KEYS[1], expiry, ARGV[2])",
            "redis.call('ZADD', KEYS[2], expiry, ARGV[2])",
            "redis.call('PEXPIREAT', KEYS[1], expiry)",
            "redis.call('PEXPIREAT', KEYS[2], expiry)",
            "return 0");

    /** KEYS: user set, total set. ARGV: member. Both removals in one round trip. */
    private static final String RELEASE = String.join("\n",
            "redis.call('ZREM', KEYS[1], ARGV[1])",
            "redis.call('ZREM', KEYS[2], ARGV[1])",
            "return 0");

    /** Outcome of a reservation. */
    public enum Decision {
        GRANTED(0), QUOTA_REACHED(486), INSUFFICIENT_CAPACITY(508), UNAVAILABLE(0);

        private final int errorCode;

        Decision(int errorCode) {
            this.errorCode = errorCode;
        }

        /** 486 or 508 for a refusal. */
        public int errorCode() {
            return errorCode;
        }
    }

    /** A reservation: release it exactly once through {@link #release}. */
    public record Slot(String user, String member, Decision decision) {}

    private final RedisConnector redis;
    private final String instanceId;
    private final int perUser;
    private final int total;
    private final long ttlMillis;
    private final AtomicLong sequence = new AtomicLong();
    /** Live reservations of this instance, member → user, renewed periodically. */
    private final Map<String, String> live = new ConcurrentHashMap<>();
    private final ScheduledExecutorService renewer;

    ClusterQuota(RedisConnector redis, String instanceId, int perUser, int total, Duration ttl) {
        this.redis = redis;
        this.instanceId = instanceId;
        this.perUser = perUser;
        this.total = total;
        this.ttlMillis = ttl.toMillis();
        this.renewer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "traverse-cluster-quota");
            t.setDaemon(true);
            return t;
        });
        long period = Math.max(1, ttlMillis / 3);
        renewer.scheduleAtFixedRate(this::renewAll, period, period, TimeUnit.MILLISECONDS);
    }

    /** Whether a cluster-wide quota is configured at all. */
    public boolean enabled() {
        return perUser > 0 || total > 0;
    }

    /**
     * Takes a slot for {@code user}. Completes (on a Redis thread) with the slot; its decision says whether it was
     * granted, refused (486/508), or Redis could not answer. Never completes exceptionally.
     */
    public CompletableFuture<Slot> reserve(String user) {
        String member = instanceId + ":" + sequence.incrementAndGet();
        String[] keys = {USER_PREFIX + user, TOTAL};
        return redis.<Long>run(c -> c.<Long>eval(RESERVE, ScriptOutputType.INTEGER, keys, Long.toString(ttlMillis),
                member, Integer.toString(perUser), Integer.toString(total)).toCompletableFuture(),
                ClusterUnavailableException::new)
                .handle((code, error) -> {
                    if (error != null) {
                        LOG.debug("cluster quota unavailable: {}", error.getMessage());
                        return new Slot(user, member, Decision.UNAVAILABLE);
                    }
                    if (code == 486) {
                        return new Slot(user, member, Decision.QUOTA_REACHED);
                    }
                    if (code == 508) {
                        return new Slot(user, member, Decision.INSUFFICIENT_CAPACITY);
                    }
                    live.put(member, user);
                    return new Slot(user, member, Decision.GRANTED);
                });
    }

    /**
     * Gives a granted slot back (the allocation ended or was never made); does nothing for other decisions. Completes
     * (on a Redis thread) once Redis has removed the slot, or could not be reached (then the slot expires after the
     * TTL); never exceptionally. Runs on the renewing thread, after any renewal already under way: a renewal sent
     * after the removal would add the slot again for a whole TTL (ClusterQuotaTest saw a freed slot still counted).
     */
    public CompletableFuture<Void> release(Slot slot) {
        if (slot == null || slot.decision() != Decision.GRANTED) {
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<Void> released = new CompletableFuture<>();
        try {
            renewer.execute(() -> {
                if (live.remove(slot.member()) == null) {
                    released.complete(null);
                    return;
                }
                String[] keys = {USER_PREFIX + slot.user(), TOTAL};
                redis.run(c -> c.<Long>eval(RELEASE, ScriptOutputType.INTEGER, keys, slot.member())
                        .toCompletableFuture(), ClusterUnavailableException::new)
                        // Redis unreachable or failing: the member expires after the TTL instead.
                        .whenComplete((n, e) -> released.complete(null));
            });
        } catch (RejectedExecutionException closed) {
            released.complete(null); // shutting down: the slot expires after the TTL
        }
        return released;
    }

    private void renewAll() {
        for (Map.Entry<String, String> e : live.entrySet()) {
            String[] keys = {USER_PREFIX + e.getValue(), TOTAL};
            redis.run(c -> c.<Long>eval(RENEW, ScriptOutputType.INTEGER, keys, Long.toString(ttlMillis), e.getKey())
                    .toCompletableFuture(), ClusterUnavailableException::new)
                    .exceptionally(error -> null); // Redis down: local quotas hold meanwhile
        }
    }

    @Override
    public void close() {
        renewer.shutdownNow();
    }
}
