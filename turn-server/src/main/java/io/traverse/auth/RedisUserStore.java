package io.traverse.auth;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.StringCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;

/**
 * Credentials in Redis, in coturn's schema ({@link CoturnSchema}), through Lettuce (which runs on Netty). One
 * multiplexed connection, opened lazily and re-opened after a failure, so the server starts while Redis is down.
 * Commands are rejected at once while disconnected and time out after {@code timeout}: nothing waits on Redis.
 */
public final class RedisUserStore implements UserStore {
    private final io.lettuce.core.resource.ClientResources resources;
    private final RedisClient client;
    private final RedisURI uri;
    private final String description;
    private final Object lock = new Object();
    private CompletableFuture<StatefulRedisConnection<String, String>> connection;

    /**
     * @param uri e.g. {@code redis://127.0.0.1:6379/0}; a password in the URL or {@code password} (non-null wins)
     */
    public RedisUserStore(String uri, String password, Duration timeout) {
        RedisURI parsed = RedisURI.create(uri);
        if (password != null) {
            parsed = RedisURI.builder(parsed).withPassword(password.toCharArray()).build();
        }
        parsed.setTimeout(timeout);
        this.uri = parsed;
        this.description = (parsed.isSsl() ? "rediss://" : "redis://") + parsed.getHost() + ":" + parsed.getPort()
                + "/" + parsed.getDatabase();
        this.resources = clientResources();
        this.client = RedisClient.create(resources, parsed);
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .socketOptions(SocketOptions.builder().connectTimeout(timeout).build())
                .timeoutOptions(TimeoutOptions.enabled(timeout))
                .build());
    }

    private static io.lettuce.core.resource.ClientResources clientResources() {
        // One I/O thread and one computation thread: a credential store sees little traffic behind its cache. Its
        // event loop is Lettuce's own rather than Traverse's: completions hop to the client's loop anyway, and a slow
        // Redis then never shares a thread with relaying. Reconnect quickly (at most every 2 s) after an outage.
        return io.lettuce.core.resource.DefaultClientResources.builder()
                .ioThreadPoolSize(1)
                .computationThreadPoolSize(1)
                .reconnectDelay(io.lettuce.core.resource.Delay.exponential(Duration.ofMillis(50), Duration.ofSeconds(2),
                        2, java.util.concurrent.TimeUnit.MILLISECONDS))
                .build();
    }

    private <T> CompletableFuture<T> run(Function<RedisAsyncCommands<String, String>, CompletableFuture<T>> command) {
        return connection().thenCompose(c -> command.apply(c.async()))
                .handle((value, error) -> {
                    if (error != null) {
                        Throwable cause = error instanceof CompletionException && error.getCause() != null
                                ? error.getCause() : error;
                        throw new CompletionException(new StoreUnavailableException(
                                "redis " + description + ": " + cause.getClass().getSimpleName()
                                        + (cause.getMessage() == null ? "" : " " + cause.getMessage()), cause));
                    }
                    return value;
                });
    }

    private CompletableFuture<StatefulRedisConnection<String, String>> connection() {
        synchronized (lock) {
            if (connection == null || connection.isCompletedExceptionally()) {
                connection = client.connectAsync(StringCodec.UTF8, uri).toCompletableFuture();
            }
            return connection;
        }
    }

    @Override
    public CompletableFuture<Optional<UserEntry>> user(String username, String realm) {
        return run(c -> c.get(CoturnSchema.redisUserKey(username, realm)).toCompletableFuture())
                .thenApply(hex -> UserEntry.fromCoturnKey(username, realm, hex));
    }

    @Override
    public CompletableFuture<List<String>> restSecrets(String realm) {
        return run(c -> c.smembers(CoturnSchema.redisSecretsKey(realm)).toCompletableFuture())
                .thenApply(List::copyOf);
    }

    @Override
    public CompletableFuture<Void> put(UserEntry entry) {
        return run(c -> c.set(CoturnSchema.redisUserKey(entry.username(), entry.realm()), entry.coturnKey())
                .toCompletableFuture()).thenApply(ok -> null);
    }

    @Override
    public CompletableFuture<Boolean> delete(String username, String realm) {
        return run(c -> c.del(CoturnSchema.redisUserKey(username, realm)).toCompletableFuture())
                .thenApply(n -> n > 0);
    }

    @Override
    public CompletableFuture<List<UserEntry>> list(String realm) {
        String pattern = CoturnSchema.redisUserPattern(realm);
        return run(c -> scan(c, ScanCursor.INITIAL, pattern, new ArrayList<>()))
                .thenCompose(keys -> keys.isEmpty() ? CompletableFuture.completedFuture(List.<UserEntry>of())
                        : run(c -> c.mget(keys.toArray(String[]::new)).toCompletableFuture()
                        .thenApply(values -> {
                            List<UserEntry> users = new ArrayList<>();
                            for (var kv : values) {
                                String[] realmName = CoturnSchema.parseRedisUserKey(kv.getKey());
                                if (realmName != null && kv.hasValue()) {
                                    UserEntry.fromCoturnKey(realmName[1], realmName[0], kv.getValue())
                                            .ifPresent(users::add);
                                }
                            }
                            users.sort(Comparator.comparing(UserEntry::realm).thenComparing(UserEntry::username));
                            return users;
                        })));
    }

    private static CompletableFuture<List<String>> scan(RedisAsyncCommands<String, String> c, ScanCursor cursor,
            String pattern, List<String> found) {
        return c.scan(cursor, ScanArgs.Builder.matches(pattern).limit(500)).toCompletableFuture()
                .thenCompose((KeyScanCursor<String> next) -> {
                    found.addAll(next.getKeys());
                    return next.isFinished() ? CompletableFuture.completedFuture(found) : scan(c, next, pattern, found);
                });
    }

    @Override
    public String describe() {
        return description;
    }

    @Override
    public void close() {
        synchronized (lock) {
            if (connection != null && connection.isDone() && !connection.isCompletedExceptionally()) {
                connection.join().close();
            }
        }
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        resources.shutdown(0, 2, java.util.concurrent.TimeUnit.SECONDS);
    }

    @Override
    public String toString() {
        return "RedisUserStore[" + description + "]";
    }
}
