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
     * {@link PostgresUserStore}; {@code file:PATH} or a plain path → {@link FileUserStore}.
     *
     * @param password overrides a password in the URL when non-null
     * @throws IllegalArgumentException naming the problem (never quoting the URL, which may hold a password)
     */
    public static UserStore open(String url, String password, Duration timeout, int poolSize) {
        int colon = url.indexOf(':');
        String scheme = colon < 0 ? "" : url.substring(0, colon).toLowerCase(Locale.ROOT);
        switch (scheme) {
            case "redis":
            case "rediss":
                return new RedisUserStore(url, password, timeout);
            case "postgres":
            case "postgresql":
                return new PostgresUserStore(url, password, timeout, poolSize);
            case "file":
                return new FileUserStore(Path.of(url.substring(colon + 1)));
            default:
                if (scheme.length() > 1) {
                    throw new IllegalArgumentException("unknown store scheme " + scheme
                            + ": use redis://, rediss://, postgres:// or file:");
                }
                return new FileUserStore(Path.of(url));
        }
    }
}
