package io.traverse.auth;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;

/**
 * Credentials in an SQL database in coturn's schema ({@link CoturnSchema}) through JDBC: PostgreSQL through a
 * HikariCP pool ({@link PostgresDialect}) or coturn's SQLite file ({@link SqliteDialect}); the SQL is the same, the
 * {@link SqlDialect} says how to connect and what a failure means. JDBC blocks, so every query runs on this store's
 * own worker threads ({@code poolSize}) with a bounded queue; a full queue fails the query at once rather than
 * letting callers pile up. Nothing connects at construction, so the server starts while the database is down (or its
 * file missing).
 */
final class JdbcUserStore implements UserStore {
    private static final int QUEUE = 1024;

    private final SqlDialect dialect;
    private final DataSource connections;
    private final ThreadPoolExecutor workers;
    private final String description;
    private final int timeoutSeconds;

    JdbcUserStore(SqlDialect dialect, Duration timeout, int poolSize) {
        this.dialect = dialect;
        this.description = dialect.describe();
        this.timeoutSeconds = seconds(timeout);
        this.connections = dialect.connections(timeout, poolSize);
        AtomicInteger n = new AtomicInteger();
        this.workers = new ThreadPoolExecutor(poolSize, poolSize, 60, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(QUEUE), r -> {
                    Thread t = new Thread(r, "traverse-store-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        workers.allowCoreThreadTimeOut(true);
    }

    /** A query timeout in whole seconds (JDBC's unit), at least 1. */
    static int seconds(Duration timeout) {
        return (int) Math.max(1, (timeout.toMillis() + 999) / 1000);
    }

    private interface Query<T> {
        T run(Connection c) throws SQLException;
    }

    private <T> CompletableFuture<T> run(Query<T> query) {
        return submit(false, query);
    }

    /** Adding a user may create the database, as coturn's turnadmin does (SQLite: the file and coturn's tables). */
    private <T> CompletableFuture<T> runCreating(Query<T> query) {
        return submit(true, c -> {
            for (String ddl : dialect.schemaToCreate()) {
                try (PreparedStatement s = prepare(c, ddl)) {
                    s.executeUpdate();
                }
            }
            return query.run(c);
        });
    }

    private <T> CompletableFuture<T> submit(boolean create, Query<T> query) {
        CompletableFuture<T> result = new CompletableFuture<>();
        try {
            workers.execute(() -> {
                try {
                    dialect.beforeConnect(create);
                    try (Connection c = connections.getConnection()) {
                        result.complete(query.run(c));
                    }
                } catch (SQLException e) {
                    result.completeExceptionally(new StoreUnavailableException(
                            description + ": " + dialect.explain(e), e));
                } catch (RuntimeException e) {
                    result.completeExceptionally(new StoreUnavailableException(
                            description + ": " + e.getClass().getSimpleName() + " " + e.getMessage(), e));
                }
            });
        } catch (RejectedExecutionException e) {
            result.completeExceptionally(new StoreUnavailableException(description + ": too many queries waiting"));
        }
        return result;
    }

    private PreparedStatement prepare(Connection c, String sql, String... params) throws SQLException {
        PreparedStatement s = c.prepareStatement(sql);
        s.setQueryTimeout(timeoutSeconds);
        for (int i = 0; i < params.length; i++) {
            s.setString(i + 1, params[i]);
        }
        return s;
    }

    @Override
    public CompletableFuture<Optional<UserEntry>> user(String username, String realm) {
        return run(c -> {
            try (PreparedStatement s = prepare(c, CoturnSchema.SQL_USER, realm, username);
                    ResultSet rs = s.executeQuery()) {
                return rs.next() ? UserEntry.fromCoturnKey(username, realm, rs.getString(1)) : Optional.empty();
            }
        });
    }

    @Override
    public CompletableFuture<List<String>> restSecrets(String realm) {
        return run(c -> {
            try (PreparedStatement s = prepare(c, CoturnSchema.SQL_SECRETS, realm); ResultSet rs = s.executeQuery()) {
                List<String> secrets = new ArrayList<>();
                while (rs.next()) {
                    secrets.add(rs.getString(1));
                }
                return List.copyOf(secrets);
            }
        });
    }

    @Override
    public CompletableFuture<Void> put(UserEntry entry) {
        return run(c -> {
            try (PreparedStatement s = prepare(c, CoturnSchema.SQL_PUT, entry.realm(), entry.username(),
                    entry.coturnKey())) {
                s.executeUpdate();
                return null;
            }
        });
    }

    @Override
    public CompletableFuture<Boolean> add(UserEntry entry) {
        return runCreating(c -> {
            try (PreparedStatement s = prepare(c, CoturnSchema.SQL_ADD, entry.realm(), entry.username(),
                    entry.coturnKey())) {
                return s.executeUpdate() > 0;
            }
        });
    }

    @Override
    public CompletableFuture<Boolean> delete(String username, String realm) {
        return run(c -> {
            try (PreparedStatement s = prepare(c, CoturnSchema.SQL_DELETE, realm, username)) {
                return s.executeUpdate() > 0;
            }
        });
    }

    @Override
    public CompletableFuture<List<UserEntry>> list(String realm) {
        return run(c -> {
            try (PreparedStatement s = realm == null ? prepare(c, CoturnSchema.SQL_LIST)
                    : prepare(c, CoturnSchema.SQL_LIST_REALM, realm);
                    ResultSet rs = s.executeQuery()) {
                List<UserEntry> users = new ArrayList<>();
                while (rs.next()) {
                    UserEntry.fromCoturnKey(rs.getString(2), rs.getString(1), rs.getString(3)).ifPresent(users::add);
                }
                return users;
            }
        });
    }

    @Override
    public String describe() {
        return description;
    }

    @Override
    public void close() {
        workers.shutdownNow();
        if (connections instanceof AutoCloseable pool) {
            try {
                pool.close();
            } catch (Exception e) {
                // closing: nothing left to tell
            }
        }
    }

    @Override
    public String toString() {
        return "JdbcUserStore[" + description + "]";
    }
}
