package io.traverse.auth;

import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.traverse.util.RedisConnector;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * Credentials in Redis, in coturn's schema ({@link CoturnSchema}), through Lettuce (which runs on Netty) and a
 * {@link RedisConnector}: nothing waits on Redis, and the server starts while it is down.
 */
final class RedisUserStore implements UserStore {
    private final RedisConnector redis;

    /**
     * @param uri e.g. {@code redis://127.0.0.1:6379/0}; a password in the URL or {@code password} (non-null wins)
     */
    RedisUserStore(String uri, String password, Duration timeout) {
        this.redis = new RedisConnector(uri, password, timeout);
    }

    private <T> CompletableFuture<T> run(Function<RedisAsyncCommands<String, String>, CompletableFuture<T>> command) {
        return redis.run(command, StoreUnavailableException::new);
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
    public CompletableFuture<Boolean> add(UserEntry entry) {
        return run(c -> c.setnx(CoturnSchema.redisUserKey(entry.username(), entry.realm()), entry.coturnKey())
                .toCompletableFuture());
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
        return redis.describe();
    }

    @Override
    public void close() {
        redis.close();
    }

    @Override
    public String toString() {
        return "RedisUserStore[" + redis.describe() + "]";
    }
}
