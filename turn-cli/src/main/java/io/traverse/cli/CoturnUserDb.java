package io.traverse.cli;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * coturn's user-database options as an {@code auth.store.url} (docs/migrating-from-coturn.md): {@code userdb=FILE}
 * (also {@code db=}) → {@code sqlite:FILE}; {@code psql-userdb=} (also {@code sql-userdb=}), a libpq connection
 * string or URI → {@code postgres://user@host:port/db}; {@code redis-userdb="ip=… port=… dbname=… tls=…"} → {@code
 * redis://host:port/db} or {@code rediss://…}. A password is never copied into the URL (it would be printed with the
 * YAML): it goes to {@code auth.store.password-file}, which the operator writes. Pure.
 */
final class CoturnUserDb {
    /** The store URL, and what the operator still has to do or what was left behind. */
    record Translation(String url, List<String> caveats) {}

    /** coturn's option names of the databases Traverse can read, as {@link #translate} takes them. */
    static final Set<String> OPTIONS = Set.of("userdb", "db", "psql-userdb", "sql-userdb", "redis-userdb");

    private static final Set<String> PG_CARRIED = Set.of("host", "hostaddr", "port", "dbname", "user", "password");
    private static final String PASSWORD_FILE = "its password is not copied: write it to a file (mode 0600) and set "
            + "auth.store.password-file";

    private CoturnUserDb() {}

    /**
     * @param option one of {@link #OPTIONS}
     * @throws IllegalArgumentException naming what is wrong with the value (never quoting it: it may hold a password)
     */
    static Translation translate(String option, String value) {
        return switch (option) {
            case "userdb", "db" -> sqlite(value);
            case "psql-userdb", "sql-userdb" -> postgres(value);
            case "redis-userdb" -> redis(value);
            default -> throw new IllegalArgumentException("not a user database option: " + option);
        };
    }

    private static Translation sqlite(String file) {
        if (file.isBlank()) {
            throw new IllegalArgumentException("no file named");
        }
        return new Translation("sqlite:" + file.strip(), List.of());
    }

    private static Translation postgres(String value) {
        String lower = value.strip().toLowerCase(Locale.ROOT);
        if (lower.startsWith("postgres://") || lower.startsWith("postgresql://")) {
            return postgresUri(value.strip());
        }
        Map<String, String> kv = keyValues(value);
        List<String> caveats = new ArrayList<>();
        String host = kv.getOrDefault("host", kv.get("hostaddr"));
        if (host == null || host.startsWith("/")) {
            caveats.add("no TCP host (libpq's default is a Unix socket): 127.0.0.1 is used");
            host = "127.0.0.1";
        }
        String user = kv.get("user");
        String db = kv.getOrDefault("dbname", user);
        String url = "postgres://" + (user == null ? "" : user + "@") + bracket(host) + ":"
                + port(kv.getOrDefault("port", "5432")) + (db == null ? "" : "/" + db);
        if (kv.containsKey("password")) {
            caveats.add(PASSWORD_FILE);
        }
        List<String> dropped = kv.keySet().stream().filter(k -> !PG_CARRIED.contains(k)).sorted().toList();
        if (!dropped.isEmpty()) {
            caveats.add("not carried over: " + String.join(", ", dropped));
        }
        return new Translation(url, caveats);
    }

    private static Translation postgresUri(String value) {
        URI uri;
        try {
            uri = new URI(value);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("not a valid postgresql:// URI");
        }
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("the URI names no host");
        }
        List<String> caveats = new ArrayList<>();
        String user = null;
        if (uri.getRawUserInfo() != null) {
            String[] parts = uri.getRawUserInfo().split(":", 2);
            user = parts[0].isEmpty() ? null : parts[0];
            if (parts.length > 1) {
                caveats.add(PASSWORD_FILE);
            }
        }
        if (uri.getRawQuery() != null) {
            caveats.add("its parameters (?" + uri.getRawQuery().replaceAll("password=[^&]*", "password=…")
                    + ") are not carried over");
        }
        String url = "postgres://" + (user == null ? "" : user + "@") + bracket(uri.getHost())
                + ":" + (uri.getPort() < 0 ? 5432 : uri.getPort()) + (uri.getRawPath() == null ? "" : uri.getRawPath());
        return new Translation(url, caveats);
    }

    private static Translation redis(String value) {
        Map<String, String> kv = keyValues(value);
        List<String> caveats = new ArrayList<>();
        String host = first(kv, "host", "ip", "addr", "ipaddr", "hostaddr");
        String db = first(kv, "dbname", "db", "database");
        String port = first(kv, "port", "p");
        String tls = first(kv, "tls", "ssl");
        boolean secure = tls != null && Set.of("1", "true", "on", "yes").contains(tls.toLowerCase(Locale.ROOT));
        if (first(kv, "user", "uname", "name", "username") != null) {
            caveats.add("the Redis user name is not carried over (Traverse authenticates with the password alone)");
        }
        if (first(kv, "password", "pwd", "passwd", "secret") != null) {
            caveats.add(PASSWORD_FILE);
        }
        if (secure && kv.keySet().stream().anyMatch(k -> k.startsWith("tls-") || Set.of("ca", "cacert", "capath",
                "cert", "clientkey", "sni", "servername", "verify").contains(k))) {
            caveats.add("TLS settings (CA, client certificate, SNI, verify) are not carried over: the server "
                    + "certificate is checked against the JVM's trust store");
        }
        String url = (secure ? "rediss://" : "redis://") + bracket(host == null ? "127.0.0.1" : host) + ":"
                + port(port == null ? "6379" : port) + "/" + (db == null ? "0" : db);
        return new Translation(url, caveats);
    }

    /** libpq's and coturn's {@code key=value key='quoted value'} form. */
    private static Map<String, String> keyValues(String value) {
        Map<String, String> out = new LinkedHashMap<>();
        int i = 0;
        String s = value.strip();
        while (i < s.length()) {
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
            int eq = s.indexOf('=', i);
            if (i >= s.length()) {
                break;
            }
            if (eq < 0) {
                throw new IllegalArgumentException("expected key=value pairs");
            }
            String key = s.substring(i, eq).strip().toLowerCase(Locale.ROOT);
            StringBuilder v = new StringBuilder();
            i = eq + 1;
            if (i < s.length() && s.charAt(i) == '\'') {
                for (i++; i < s.length() && s.charAt(i) != '\''; i++) {
                    if (s.charAt(i) == '\\' && i + 1 < s.length()) {
                        i++;
                    }
                    v.append(s.charAt(i));
                }
                i++;
            } else {
                for (; i < s.length() && !Character.isWhitespace(s.charAt(i)); i++) {
                    v.append(s.charAt(i));
                }
            }
            out.put(key, v.toString());
        }
        return out;
    }

    private static String first(Map<String, String> kv, String... keys) {
        for (String k : keys) {
            if (kv.containsKey(k)) {
                return kv.get(k);
            }
        }
        return null;
    }

    private static String port(String port) {
        try {
            int p = Integer.parseInt(port.strip());
            if (p > 0 && p < 65536) {
                return Integer.toString(p);
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new IllegalArgumentException("port is not a number from 1 to 65535");
    }

    private static String bracket(String host) {
        return host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
    }
}
