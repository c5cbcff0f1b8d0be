package io.traverse.auth;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
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

/**
 * Credentials in PostgreSQL, in coturn's schema ({@link CoturnSchema}), through JDBC ({@code org.postgresql}) and a
 * HikariCP pool. JDBC blocks, so every query runs on this store's own worker threads (as many as connections) with
 * a bounded queue; a full queue fails the query at once rather than letting callers pile up. The pool starts
 * without a connection, so the server starts while the database is down.
 */
public final class PostgresUserStore implements UserStore {
    private static final int QUEUE = 1024;

    private final HikariDataSource pool;
    private final ThreadPoolExecutor workers;
    private final String description;
    private final int timeoutSeconds;

    /**
     * @param url {@code postgres://user[:password]@host[:port]/database}
     * @param password non-null overrides a password in the URL
     */
    public PostgresUserStore(String url, String password, Duration timeout, int poolSize) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("not a postgres:// URL");
        }
        String user = null;
        String urlPassword = null;
        if (uri.getRawUserInfo() != null) {
            String[] parts = uri.getRawUserInfo().split(":", 2);
            user = decode(parts[0]);
            urlPassword = parts.length > 1 ? decode(parts[1]) : null;
        }
        int port = uri.getPort() < 0 ? 5432 : uri.getPort();
        String database = uri.getPath() == null || uri.getPath().length() <= 1 ? "coturn" : uri.getPath().substring(1);
        String host = uri.getHost().contains(":") ? "[" + uri.getHost() + "]" : uri.getHost();
        this.description = "postgres://" + host + ":" + port + "/" + database;
        this.timeoutSeconds = (int) Math.max(1, (timeout.toMillis() + 999) / 1000);
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl("jdbc:postgresql://" + host + ":" + port + "/" + database);
        config.setUsername(user);
        config.setPassword(password != null ? password : urlPassword);
        config.setMaximumPoolSize(poolSize);
        config.setMinimumIdle(0);
        config.setConnectionTimeout(Math.max(250, timeout.toMillis()));
        config.setValidationTimeout(Math.max(250, timeout.toMillis()));
        config.setInitializationFailTimeout(-1);
        config.setPoolName("traverse-credential-store");
        config.addDataSourceProperty("connectTimeout", Integer.toString(timeoutSeconds));
        config.addDataSourceProperty("socketTimeout", Integer.toString(timeoutSeconds + 1));
        config.addDataSourceProperty("ApplicationName", "traverse");
        this.pool = new HikariDataSource(config);
        AtomicInteger n = new AtomicInteger();
        this.workers = new ThreadPoolExecutor(poolSize, poolSize, 60, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(QUEUE), r -> {
                    Thread t = new Thread(r, "traverse-store-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        workers.allowCoreThreadTimeOut(true);
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    private interface Query<T> {
        T run(Connection c) throws SQLException;
    }

    private <T> CompletableFuture<T> submit(Query<T> query) {
        CompletableFuture<T> result = new CompletableFuture<>();
        try {
            workers.execute(() -> {
                try (Connection c = pool.getConnection()) {
                    result.complete(query.run(c));
                } catch (SQLException | RuntimeException e) {
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
        return submit(c -> {
            try (PreparedStatement s = prepare(c, CoturnSchema.SQL_USER, realm, username);
                    ResultSet rs = s.executeQuery()) {
                return rs.next() ? UserEntry.fromCoturnKey(username, realm, rs.getString(1)) : Optional.empty();
            }
        });
    }

    @Override
    public CompletableFuture<List<String>> restSecrets(String realm) {
        return submit(c -> {
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
        return submit(c -> {
            try (PreparedStatement s = prepare(c, CoturnSchema.SQL_PUT, entry.realm(), entry.username(),
                    entry.coturnKey())) {
                s.executeUpdate();
                return null;
            }
        });
    }

    @Override
    public CompletableFuture<Boolean> delete(String username, String realm) {
        return submit(c -> {
            try (PreparedStatement s = prepare(c, CoturnSchema.SQL_DELETE, realm, username)) {
                return s.executeUpdate() > 0;
            }
        });
    }

    @Override
    public CompletableFuture<List<UserEntry>> list(String realm) {
        return submit(c -> {
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
        pool.close();
    }

    @Override
    public String toString() {
        return "PostgresUserStore[" + description + "]";
    }
}
