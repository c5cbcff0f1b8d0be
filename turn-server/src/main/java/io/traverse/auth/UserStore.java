package io.traverse.auth;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Where long-term credentials live: the users file, or a PostgreSQL, SQLite or Redis database in coturn's schema
 * (see {@code docs/cluster.md}). Holds derived keys (RFC 8489 §9.2.2) and TURN REST secrets, never
 * passwords.
 *
 * <p>Every method answers asynchronously and never blocks its caller; the future may complete on any thread (a
 * Lettuce event loop, a JDBC worker). A store that cannot be reached completes exceptionally with {@link
 * StoreUnavailableException}. The server reads through {@link CachingUserStore}; the write methods serve {@code
 * turn-cli user}.
 */
public interface UserStore extends AutoCloseable {
    /** The user {@code username} of {@code realm} with its key(s), or empty when the store has no such user. */
    CompletableFuture<Optional<UserEntry>> user(String username, String realm);

    /** The TURN REST secrets of {@code realm}, in no particular order; empty when there are none. */
    CompletableFuture<List<String>> restSecrets(String realm);

    /** Adds {@code entry}, replacing the keys of an existing user of the same name and realm. */
    CompletableFuture<Void> put(UserEntry entry);

    /**
     * Adds {@code entry} unless a user of the same name and realm exists (then completes with false and changes
     * nothing). A database store does this in one atomic step and may create the database where coturn's {@code
     * turnadmin} would (an SQLite file).
     */
    default CompletableFuture<Boolean> add(UserEntry entry) {
        return user(entry.username(), entry.realm()).thenCompose(existing -> existing.isPresent()
                ? CompletableFuture.completedFuture(false) : put(entry).thenApply(done -> true));
    }

    /** Deletes a user; completes with false when there was none. */
    CompletableFuture<Boolean> delete(String username, String realm);

    /** The users of {@code realm}, or of every realm when {@code realm} is null, sorted by realm then name. */
    CompletableFuture<List<UserEntry>> list(String realm);

    /** Where the store is, for logs and status: a URL without password. */
    String describe();

    /** Releases connections; pending futures complete exceptionally. */
    @Override
    void close();
}
