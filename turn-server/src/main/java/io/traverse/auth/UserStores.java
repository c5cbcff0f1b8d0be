package io.traverse.auth;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

/** Opens the {@link UserStore} a URL names. */
public final class UserStores {
    private UserStores() {}

    /** The first line of a password file, without surrounding blanks ("" for an empty file). */
    public static String readPassword(Path file) throws java.io.IOException {
        return java.nio.file.Files.readAllLines(file).stream().findFirst().orElse("").strip();
    }

    /**
     * {@code redis://…}/{@code rediss://…} → {@link RedisUserStore}; {@code postgres://…}/{@code postgresql://…} →
     * PostgreSQL and {@code sqlite:PATH} → coturn's SQLite file, both a {@link JdbcUserStore}; {@code file:PATH} or a
     * plain path → {@link FileUserStore}.
     *
     * @param password overrides a password in the URL when non-null
     * @throws IllegalArgumentException naming the problem (never quoting the URL, which may hold a password)
     */
    public static UserStore open(String url, String password, Duration timeout, int poolSize) {
        Path usersFile = usersFile(url);
        if (usersFile != null) {
            return new FileUserStore(usersFile);
        }
        switch (scheme(url)) {
            case "redis":
            case "rediss":
                return new RedisUserStore(url, password, timeout);
            case "postgres":
            case "postgresql":
                return new JdbcUserStore(new PostgresDialect(url, password), timeout, poolSize);
            case "sqlite":
                return new JdbcUserStore(new SqliteDialect(url), timeout, poolSize);
            default:
                throw new IllegalArgumentException("unknown store scheme " + scheme(url)
                        + ": use redis://, rediss://, postgres://, sqlite: or file:");
        }
    }

    /**
     * The users file a store URL names ({@code file:PATH}, or a plain path), or null when it names a database. A
     * one-letter "scheme" is a Windows drive, part of a path.
     */
    public static Path usersFile(String url) {
        String scheme = scheme(url);
        if (scheme.equals("file")) {
            return Path.of(url.substring("file:".length()));
        }
        return scheme.length() > 1 ? null : Path.of(url);
    }

    private static String scheme(String url) {
        int colon = url.indexOf(':');
        return colon < 0 ? "" : url.substring(0, colon).toLowerCase(Locale.ROOT);
    }
}
