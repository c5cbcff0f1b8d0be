package io.traverse.auth;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An in-memory {@link UserStore} for cache tests: counts queries, can hold answers back (to show single flight)
 * and can be "down" (every query fails like a refused connection).
 */
final class CountingUserStore implements UserStore {
    private final Map<String, UserEntry> users = new ConcurrentHashMap<>();
    private final List<String> secrets = new CopyOnWriteArrayList<>();
    private final List<Runnable> held = new ArrayList<>();
    final AtomicInteger userQueries = new AtomicInteger();
    final AtomicInteger secretQueries = new AtomicInteger();
    volatile boolean down;
    volatile boolean hold;

    private static String key(String username, String realm) {
        return username + "\u0000" + realm;
    }

    @Override
    public CompletableFuture<Optional<UserEntry>> user(String username, String realm) {
        userQueries.incrementAndGet();
        return answer(() -> Optional.ofNullable(users.get(key(username, realm))));
    }

    @Override
    public CompletableFuture<List<String>> restSecrets(String realm) {
        secretQueries.incrementAndGet();
        return answer(() -> List.copyOf(secrets));
    }

    private <T> CompletableFuture<T> answer(java.util.function.Supplier<T> value) {
        if (down) {
            return CompletableFuture.failedFuture(new StoreUnavailableException("counting store: connection refused"));
        }
        CompletableFuture<T> f = new CompletableFuture<>();
        if (hold) {
            synchronized (held) {
                held.add(() -> f.complete(value.get()));
            }
        } else {
            f.complete(value.get());
        }
        return f;
    }

    /** Completes every held answer; returns how many there were. */
    int release() {
        List<Runnable> copy;
        synchronized (held) {
            copy = new ArrayList<>(held);
            held.clear();
        }
        hold = false;
        copy.forEach(Runnable::run);
        return copy.size();
    }

    void addSecret(String secret) {
        secrets.add(secret);
    }

    @Override
    public CompletableFuture<Void> put(UserEntry entry) {
        users.put(key(entry.username(), entry.realm()), entry);
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<Boolean> delete(String username, String realm) {
        return CompletableFuture.completedFuture(users.remove(key(username, realm)) != null);
    }

    @Override
    public CompletableFuture<List<UserEntry>> list(String realm) {
        return CompletableFuture.completedFuture(List.copyOf(users.values()));
    }

    @Override
    public String describe() {
        return "counting://test";
    }

    @Override
    public void close() {}
}
