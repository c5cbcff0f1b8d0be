package io.traverse.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;

/**
 * The {@code auth.store} section: an external credential store in coturn's schema (PostgreSQL, SQLite or Redis) read
 * through a cache, next to the users file and REST secrets. See {@code docs/cluster.md}.
 *
 * <p>{@link #toString()} never prints a password that the URL may carry.
 *
 * @param url              {@code redis://host:port/db}, {@code rediss://…} (TLS), {@code postgres://user@host:port/db}
 *                         ({@code postgresql://} too), {@code sqlite:/path/to/turndb} (coturn's SQLite file); null:
 *                         no store
 * @param passwordFile     file whose first line is the store's password (preferred over a password in the URL)
 * @param timeout          how long one query may take before the store counts as down, at least 10 ms
 * @param poolSize         PostgreSQL/SQLite connections (and worker threads), at least 1
 * @param negativeTtl      how long "no such user" is cached, at least 1 ms
 * @param refreshAfter     a cached user read after this long is re-read in the background; 0 disables
 * @param lookupsPerSecond queries per second the store may receive for uncached users, at least 1
 * @param lookupBurst      queries it may receive at once, at least 1
 * @param retryInterval    after a failed query no query is sent for this long, at least 10 ms
 */
public record StoreConfig(String url, Path passwordFile, Duration timeout, int poolSize, Duration negativeTtl,
        Duration refreshAfter, int lookupsPerSecond, int lookupBurst, Duration retryInterval) {
    private static final Set<String> SCHEMES = Set.of("redis", "rediss", "postgres", "postgresql");
    private static final String SQLITE = "sqlite:";

    public StoreConfig {
        Validator v = new Validator();
        if (url != null) {
            String problem = urlProblem(url);
            if (problem != null) {
                v.add("url", problem);
            }
        }
        v.duration("timeout", timeout, Duration.ofMillis(10));
        v.atLeast("pool-size", poolSize, 1);
        v.duration("negative-ttl", negativeTtl, Duration.ofMillis(1));
        v.duration("refresh-after", refreshAfter, Duration.ZERO);
        v.atLeast("lookups-per-second", lookupsPerSecond, 1);
        v.atLeast("lookup-burst", lookupBurst, 1);
        v.duration("retry-interval", retryInterval, Duration.ofMillis(10));
        v.done();
    }

    /** No store; 2 s timeout, 4 connections, negative TTL 10 s, refresh after 30 s, 500/s burst 1000, retry 5 s. */
    public static StoreConfig defaults() {
        return new StoreConfig(null, null, Duration.ofSeconds(2), 4, Duration.ofSeconds(10), Duration.ofSeconds(30),
                500, 1000, Duration.ofSeconds(5));
    }

    /** Whether a store is configured. */
    public boolean enabled() {
        return url != null;
    }

    /** The problem with a store URL (never quoting it: it may hold a password), or null. */
    static String urlProblem(String url) {
        if (isSqlite(url)) {
            // relative to what? the server's working directory is rarely the config's: say it in full
            return url.startsWith("/", SQLITE.length()) ? null
                    : "sqlite: needs the file's absolute path, e.g. sqlite:/var/lib/turn/turndb";
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            return "must be a URL such as redis://127.0.0.1:6379/0, postgres://turn@127.0.0.1:5432/coturn or"
                    + " sqlite:/var/lib/turn/turndb";
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!SCHEMES.contains(scheme)) {
            return "scheme must be redis, rediss, postgres, postgresql or sqlite";
        }
        if (uri.getHost() == null) {
            return "must name a host, e.g. " + scheme + "://127.0.0.1/";
        }
        return null;
    }

    private static boolean isSqlite(String url) {
        return url.regionMatches(true, 0, SQLITE, 0, SQLITE.length());
    }

    /** The URL without user information (for logs). */
    public String redactedUrl() {
        if (url == null) {
            return "none";
        }
        if (isSqlite(url)) {
            return url; // a path, no password
        }
        try {
            URI u = new URI(url);
            return new URI(u.getScheme(), null, u.getHost(), u.getPort(), u.getPath(), null, null).toString();
        } catch (URISyntaxException e) {
            return "<invalid>";
        }
    }

    @Override
    public String toString() {
        return "StoreConfig[url=" + redactedUrl() + ", passwordFile=" + passwordFile + ", timeout=" + timeout
                + ", poolSize=" + poolSize + ", negativeTtl=" + negativeTtl + ", refreshAfter=" + refreshAfter
                + ", lookupsPerSecond=" + lookupsPerSecond + ", lookupBurst=" + lookupBurst
                + ", retryInterval=" + retryInterval + "]";
    }
}
