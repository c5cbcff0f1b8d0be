package io.traverse.cluster;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.KeyValue;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.traverse.config.ListenerConfig;
import io.traverse.turn.TransportProtocol;
import io.traverse.util.RedisConnector;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Load reports for load-aware ALTERNATE-SERVER (RFC 8489 §10): every {@code interval} this instance publishes its
 * {@link InstanceLoad} with a TTL of three intervals and reads its peers' reports into a snapshot, so choosing an
 * alternate never waits on Redis. While Redis cannot be read the snapshot is empty: no redirects on stale news.
 *
 * <p>Loop prevention: before redirecting a client to a peer, the instance notes in Redis that this client (IP and
 * username) was sent there ({@code traverse:redirected:<peer>:<ip>:<user>}, 30 s). A peer that is itself over its
 * threshold checks the note and never redirects such a client again: it allocates if it can, otherwise 508.
 */
public final class LoadReports implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LoadReports.class);
    static final String INSTANCE_PREFIX = "traverse:instance:";
    private static final String REDIRECTED_PREFIX = "traverse:redirected:";
    private static final long REDIRECT_NOTE_MILLIS = 30_000;
    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    /** Where to send a client: the peer's address for the client's transport and family, and its TLS name. */
    public record Alternate(String instanceId, InetSocketAddress address, String domain) {}

    private final RedisConnector redis;
    private final String instanceId;
    private final Duration interval;
    private final Supplier<InstanceLoad> self;
    private final ScheduledExecutorService timer;
    private volatile List<InstanceLoad> peers = List.of();

    LoadReports(RedisConnector redis, String instanceId, Duration interval, Supplier<InstanceLoad> self) {
        this.redis = redis;
        this.instanceId = instanceId;
        this.interval = interval;
        this.self = self;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "traverse-cluster-load");
            t.setDaemon(true);
            return t;
        });
    }

    /** Starts publishing and reading every interval. */
    void start() {
        timer.scheduleWithFixedDelay(this::tick, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void tick() {
        try {
            publish().thenCompose(ignored -> readAll(redis))
                    .whenComplete((all, error) -> {
                        if (error != null) {
                            peers = List.of();
                            return;
                        }
                        List<InstanceLoad> others = new ArrayList<>();
                        for (InstanceLoad l : all) {
                            if (!l.id().equals(instanceId)) {
                                others.add(l);
                            }
                        }
                        peers = List.copyOf(others);
                    }).get(interval.toMillis() * 3 + 2000, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            peers = List.of();
            LOG.debug("cluster load reports: {}", e.toString());
        }
    }

    private CompletableFuture<String> publish() {
        String json;
        try {
            json = JSON.writeValueAsString(self.get());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            return CompletableFuture.failedFuture(e);
        }
        return redis.run(c -> c.set(INSTANCE_PREFIX + instanceId, json,
                SetArgs.Builder.px(interval.toMillis() * 3)).toCompletableFuture(), ClusterUnavailableException::new);
    }

    /**
     * Every live instance's report in the Redis at {@code url}, sorted by id, for {@code turn-cli cluster status}:
     * blocks the caller (never a server thread) up to twice {@code timeout}, with its own connection.
     *
     * @param password overrides a password in the URL when non-null
     * @throws ClusterUnavailableException naming Redis (never its password) when it cannot answer in time
     * @throws InterruptedException when the calling thread is interrupted
     */
    public static List<InstanceLoad> readAll(String url, String password, Duration timeout)
            throws InterruptedException {
        try (RedisConnector redis = new RedisConnector(url, password, timeout)) {
            return readAll(redis).get(timeout.toMillis() * 2, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof ClusterUnavailableException c ? c
                    : new ClusterUnavailableException(String.valueOf(e.getCause()));
        } catch (java.util.concurrent.TimeoutException e) {
            throw new ClusterUnavailableException("no answer from Redis within " + timeout.toSeconds() * 2 + " s");
        }
    }

    /** Every live instance's report, sorted by id. */
    static CompletableFuture<List<InstanceLoad>> readAll(RedisConnector redis) {
        return redis.run(c -> scan(c, ScanCursor.INITIAL, new ArrayList<>())
                .thenCompose(keys -> keys.isEmpty() ? CompletableFuture.completedFuture(List.<KeyValue<String, String>>of())
                        : c.mget(keys.toArray(String[]::new)).toCompletableFuture()), ClusterUnavailableException::new)
                .thenApply(values -> {
                    List<InstanceLoad> all = new ArrayList<>();
                    for (KeyValue<String, String> kv : values) {
                        if (kv.hasValue()) {
                            try {
                                all.add(JSON.readValue(kv.getValue(), InstanceLoad.class));
                            } catch (java.io.IOException | RuntimeException e) {
                                LOG.debug("unreadable load report {}", kv.getKey());
                            }
                        }
                    }
                    all.sort(Comparator.comparing(InstanceLoad::id));
                    return all;
                });
    }

    private static CompletableFuture<List<String>> scan(RedisAsyncCommands<String, String> c, ScanCursor cursor,
            List<String> found) {
        return c.scan(cursor, ScanArgs.Builder.matches(INSTANCE_PREFIX + "*").limit(500)).toCompletableFuture()
                .thenCompose((KeyScanCursor<String> next) -> {
                    found.addAll(next.getKeys());
                    return next.isFinished() ? CompletableFuture.completedFuture(found) : scan(c, next, found);
                });
    }

    /** This instance's report now. */
    public InstanceLoad current() {
        return self.get();
    }

    /** The peers' reports as last read (empty while Redis cannot be read). */
    public List<InstanceLoad> peers() {
        return peers;
    }

    /**
     * The least-loaded peer that accepts redirects and listens on {@code protocol} in the family of {@code ipv6}
     * (RFC 8489 §10: the alternate must be of the same address family as the request's destination).
     */
    public Optional<Alternate> leastLoaded(TransportProtocol protocol, boolean ipv6) {
        Alternate best = null;
        double bestLoad = Double.MAX_VALUE;
        for (InstanceLoad peer : peers) {
            if (!peer.acceptsRedirects() || peer.load() >= bestLoad) {
                continue;
            }
            for (String uri : peer.listeners()) {
                ListenerConfig listener;
                try {
                    listener = ListenerConfig.parse(uri);
                } catch (RuntimeException e) {
                    continue;
                }
                if (listener.protocol() == protocol && (listener.address() instanceof Inet6Address) == ipv6
                        && !listener.address().isAnyLocalAddress() && listener.port() != 0) {
                    best = new Alternate(peer.id(), new InetSocketAddress(listener.address(), listener.port()),
                            peer.domain());
                    bestLoad = peer.load();
                    break;
                }
            }
        }
        return Optional.ofNullable(best);
    }

    /** Notes that {@code user} at {@code client} is being sent to {@code peerId}; completes when noted (or failed). */
    public CompletableFuture<Void> noteRedirect(String peerId, InetAddress client, String user) {
        return redis.run(c -> c.set(redirectKey(peerId, client, user), "1", SetArgs.Builder.px(REDIRECT_NOTE_MILLIS))
                .toCompletableFuture(), ClusterUnavailableException::new)
                .handle((ok, error) -> null);
    }

    /** Whether a peer sent this client here recently; true when Redis cannot say (never risk a loop). */
    public CompletableFuture<Boolean> wasRedirectedHere(InetAddress client, String user) {
        return redis.run(c -> c.get(redirectKey(instanceId, client, user)).toCompletableFuture(),
                ClusterUnavailableException::new)
                .handle((value, error) -> error != null || value != null);
    }

    private static String redirectKey(String peerId, InetAddress client, String user) {
        return REDIRECTED_PREFIX + peerId + ":" + client.getHostAddress() + ":" + user;
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
