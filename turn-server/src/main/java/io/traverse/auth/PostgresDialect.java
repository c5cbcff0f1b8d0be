package io.traverse.auth;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import javax.sql.DataSource;

/**
 * PostgreSQL ({@code org.postgresql} JDBC) at {@code postgres://user[:password]@host[:port]/database}, through a
 * HikariCP pool that starts without a connection.
 */
final class PostgresDialect implements SqlDialect {
    private final String host;
    private final int port;
    private final String database;
    private final String user;
    private final String password;

    /**
     * @param url {@code postgres://user[:password]@host[:port]/database} (database default {@code coturn})
     * @param password non-null overrides a password in the URL
     */
    PostgresDialect(String url, String password) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("not a postgres:// URL");
        }
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("a postgres:// URL must name a host");
        }
        String urlUser = null;
        String urlPassword = null;
        if (uri.getRawUserInfo() != null) {
            String[] parts = uri.getRawUserInfo().split(":", 2);
            urlUser = decode(parts[0]);
            urlPassword = parts.length > 1 ? decode(parts[1]) : null;
        }
        this.user = urlUser;
        this.password = password != null ? password : urlPassword;
        this.port = uri.getPort() < 0 ? 5432 : uri.getPort();
        this.database = uri.getPath() == null || uri.getPath().length() <= 1 ? "coturn" : uri.getPath().substring(1);
        this.host = uri.getHost().contains(":") ? "[" + uri.getHost() + "]" : uri.getHost();
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    @Override
    public String describe() {
        return "postgres://" + host + ":" + port + "/" + database;
    }

    @Override
    public DataSource connections(Duration timeout, int poolSize) {
        int seconds = JdbcUserStore.seconds(timeout);
        HikariConfig pool = new HikariConfig();
        pool.setMaximumPoolSize(poolSize);
        pool.setMinimumIdle(0);
        pool.setConnectionTimeout(Math.max(250, timeout.toMillis()));
        pool.setValidationTimeout(Math.max(250, timeout.toMillis()));
        pool.setInitializationFailTimeout(-1);
        pool.setPoolName("traverse-credential-store");
        pool.setJdbcUrl("jdbc:postgresql://" + host + ":" + port + "/" + database);
        pool.setUsername(user);
        pool.setPassword(password);
        pool.addDataSourceProperty("connectTimeout", Integer.toString(seconds));
        pool.addDataSourceProperty("socketTimeout", Integer.toString(seconds + 1));
        pool.addDataSourceProperty("ApplicationName", "traverse");
        return new HikariDataSource(pool);
    }
}
