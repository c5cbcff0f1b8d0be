package io.traverse.cli;

import io.traverse.auth.UserEntry;
import io.traverse.net.IpAddresses;
import io.traverse.stun.auth.PrecisException;
import java.math.BigInteger;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Translates a coturn {@code turnserver.conf} into a Traverse configuration (docs/migrating-from-coturn.md):
 * every option with a Traverse equivalent becomes YAML; every other one becomes a {@link Note} naming its line
 * and why it was not translated. {@code user=} lines become {@link UserEntry users} with derived keys (the
 * caller writes the users file). Pure: no file or network access.
 */
final class CoturnImport {
    /**
     * An option that was not translated, or was translated with a caveat ({@code translated}), with its line
     * (0: about the whole file).
     */
    record Note(int line, String text, String reason, boolean translated) {
        Note(int line, String text, String reason) {
            this(line, text, reason, false);
        }

        @Override
        public String toString() {
            return (translated ? "translated with a caveat: " : "not translated: ")
                    + (line == 0 ? "" : "line " + line + ": ") + text + ": " + reason;
        }
    }

    /** The translation: YAML text, users for the users file, and the notes. */
    record Result(String yaml, List<UserEntry> users, List<Note> notes) {}

    /** One {@code key[=value]} line. */
    private record Option(int line, String text, String key, String value) {}

    /** Options that need nothing in Traverse: what they turn on is always on. */
    private static final Map<String, String> ALWAYS_ON = Map.ofEntries(
            Map.entry("lt-cred-mech", ""), Map.entry("fingerprint", ""), Map.entry("no-multicast-peers", ""),
            Map.entry("no-loopback-peers", ""), Map.entry("stale-nonce", ""), Map.entry("no-cli", ""),
            Map.entry("no-tlsv1", ""), Map.entry("no-tlsv1_1", ""), Map.entry("no-sslv3", ""),
            Map.entry("no-sslv2", ""), Map.entry("no-stdout-log", ""), Map.entry("simple-log", ""),
            Map.entry("new-log-timestamp", ""), Map.entry("check-origin-consistency", ""));

    /** Options with no Traverse equivalent, and why. */
    private static final Map<String, String> UNSUPPORTED = Map.ofEntries(
            Map.entry("no-auth", "Traverse always authenticates TURN requests (STUN Binding needs no credentials)"),
            Map.entry("stun-only", "Traverse always offers TURN; to serve STUN alone give no credentials"),
            Map.entry("no-stun", "Traverse always answers STUN Binding"),
            Map.entry("secure-stun", "Binding requests are never authenticated in Traverse"),
            Map.entry("mobility", "ICE mobility (MOBILITY-TICKET) is not implemented"),
            Map.entry("mysql-userdb", "Traverse reads coturn's SQLite, PostgreSQL and Redis databases only: move the "
                    + "users (turnadmin -l) to one of them or to the users file"),
            Map.entry("mongo-userdb", "Traverse reads coturn's SQLite, PostgreSQL and Redis databases only: move the "
                    + "users (turnadmin -l) to one of them or to the users file"),
            Map.entry("redis-statsdb", "statistics are Prometheus metrics on the admin endpoint"),
            Map.entry("oauth", "third-party (OAuth) authorization is not implemented"),
            Map.entry("server-name", "Traverse has no server name; the realm identifies it"),
            Map.entry("cli-ip", "no telnet CLI: use turn-cli sessions/disconnect/status over the admin API"),
            Map.entry("cli-port", "no telnet CLI: use turn-cli sessions/disconnect/status over the admin API"),
            Map.entry("cli-password", "no telnet CLI: the admin API uses admin.bearer-token-file"),
            Map.entry("cli-max-output-sessions", "no telnet CLI: use turn-cli sessions --limit"),
            Map.entry("web-admin", "no web admin: use the admin API and turn-cli"),
            Map.entry("web-admin-ip", "no web admin: use the admin API and turn-cli"),
            Map.entry("web-admin-port", "no web admin: use the admin API and turn-cli"),
            Map.entry("web-admin-listen-on-workers", "no web admin: use the admin API and turn-cli"),
            Map.entry("allow-loopback-peers", "loopback peers are refused; Traverse's switch is for tests only"),
            Map.entry("listening-device", "bind to addresses (listening-ip), not devices"),
            Map.entry("relay-device", "bind to addresses (relay-ip), not devices"),
            Map.entry("aux-server", "auxiliary servers are not implemented"),
            Map.entry("udp-self-balance", "no load balancing between processes"),
            Map.entry("tcp-proxy-port", "the PROXY protocol is not implemented"),
            Map.entry("no-udp-relay", "UDP relaying cannot be switched off"),
            Map.entry("no-tcp-relay", "RFC 6062 TCP relaying cannot be switched off"),
            Map.entry("dh-file", "TLS 1.2/1.3 uses ECDHE only; no DH parameters"),
            Map.entry("dh566", "TLS uses ECDHE only"), Map.entry("dh1066", "TLS uses ECDHE only"),
            Map.entry("cipher-list", "the cipher suites are fixed to modern AEAD suites"),
            Map.entry("ec-curve-name", "the curves are chosen by the TLS library"),
            Map.entry("pkey-pwd", "encrypted private keys are not supported: decrypt the key file"),
            Map.entry("CA-file", "client certificates are not verified"),
            Map.entry("log-file", "Traverse logs to stdout/journald; set logging.format for JSON lines"),
            Map.entry("syslog", "Traverse logs to stdout/journald"),
            Map.entry("syslog-facility", "Traverse logs to stdout/journald"),
            Map.entry("log-binding", "Binding requests are counted in metrics, not logged"),
            Map.entry("pidfile", "run under systemd (systemd/traverse.service); no pid file"),
            Map.entry("proc-user", "run under systemd with User= (systemd/traverse.service)"),
            Map.entry("proc-group", "run under systemd with Group= (systemd/traverse.service)"),
            Map.entry("relay-threads", "use server.event-loops"),
            Map.entry("cpus", "use server.event-loops"),
            Map.entry("sock-buf-size", "socket buffers are sized by the server"),
            Map.entry("rest-api-separator", "the TURN REST separator is always ':'"),
            Map.entry("secret-key-file", "the secret for encrypted user keys is not needed: keys are hashed"),
            Map.entry("prometheus-username-labels", "per-user labels are not exported (unbounded cardinality)"),
            Map.entry("respond-http-unsupported", "the TURN ports do not speak HTTP"),
            Map.entry("keep-address-family", "Traverse follows RFC 8656 address-family rules always"),
            Map.entry("allocation-default-address-family", "the relayed family follows RFC 8656 (IPv4 default)"),
            Map.entry("no-rfc5780", "RFC 5780 runs only where nat-discovery is configured"),
            Map.entry("response-origin-only-with-rfc5780", "RESPONSE-ORIGIN follows nat-discovery"),
            Map.entry("no-stun-backward-compatibility", "classic RFC 3489 STUN is not served"),
            Map.entry("stateless-nonce", "Traverse nonces are always stateless"),
            Map.entry("stateless-nonce-secret", "the nonce key is generated at start"),
            Map.entry("multiplex-peer", "peer multiplexing is not implemented"),
            Map.entry("multiplex-peer-max-peers", "peer multiplexing is not implemented"),
            Map.entry("multiplex-peer-port", "peer multiplexing is not implemented"),
            Map.entry("udp-gso", "UDP batching is chosen by server.io"),
            Map.entry("udp-recvmmsg", "UDP batching is chosen by server.io"),
            Map.entry("udp-recvmmsg-log", "UDP batching is chosen by server.io"),
            Map.entry("drain-min-allocations", "draining waits for drain.grace-period"),
            Map.entry("max-allocate-timeout", "allocation set-up is bounded by the server"),
            Map.entry("raw-public-keys", "raw public keys in TLS are not supported"),
            Map.entry("acme-redirect", "no HTTP listener on the TURN ports; use a separate ACME client"),
            Map.entry("include-reason-string", "reason phrases are always sent"),
            Map.entry("no-software-attribute", "set server.software to \"\" to omit SOFTWARE"),
            Map.entry("log-min-level", "use logging.level"),
            Map.entry("new-log-timestamp-format", "log timestamps are ISO 8601"),
            Map.entry("ne", "the TLS version options are fixed (TLS 1.2+)"),
            Map.entry("alt-listening-port", "RFC 5780 alternate ports need nat-discovery.alternate-address too"),
            Map.entry("alt-tls-listening-port", "RFC 5780 over TLS is not implemented"),
            Map.entry("unauthorized-ratelimit", "unauthenticated requests are always rate-limited "
                    + "(auth.unauthenticated-rate-limit)"));

    private CoturnImport() {}

    /**
     * @param lines     the coturn file's lines
     * @param usersFile where the caller writes the users, as the YAML should name it; null when it does not
     */
    static Result translate(List<String> lines, String usersFile) {
        List<Option> options = parse(lines);
        List<Note> notes = new ArrayList<>();
        Map<String, List<Option>> byKey = new LinkedHashMap<>();
        for (Option o : options) {
            byKey.computeIfAbsent(o.key(), k -> new ArrayList<>()).add(o);
        }
        Yaml yaml = new Yaml();
        String realm = last(byKey, "realm");
        yaml.section("server");
        if (realm != null) {
            yaml.entry("realm", quote(realm));
        } else {
            notes.add(new Note(0, "(no realm)", "Traverse uses its default realm traverse.local; set server.realm"));
        }
        // listeners
        int port = intValue(byKey, "listening-port", 3478, notes);
        int tlsPort = intValue(byKey, "tls-listening-port", 5349, notes);
        List<String> ips = new ArrayList<>();
        for (Option o : byKey.getOrDefault("listening-ip", List.of())) {
            InetAddress ip = ip(o, notes);
            if (ip != null) {
                ips.add(IpAddresses.formatForUri(ip));
            }
        }
        if (ips.isEmpty()) {
            ips = List.of("0.0.0.0", "[::]");
        }
        String cert = last(byKey, "cert");
        String pkey = last(byKey, "pkey");
        boolean tlsUsable = cert != null && pkey != null;
        List<String> listeners = new ArrayList<>();
        for (String ip : ips) {
            if (!byKey.containsKey("no-udp")) {
                listeners.add("udp://" + ip + ":" + port);
            }
            if (!byKey.containsKey("no-tcp")) {
                listeners.add("tcp://" + ip + ":" + port);
            }
            if (tlsUsable && !byKey.containsKey("no-tls")) {
                listeners.add("tls://" + ip + ":" + tlsPort);
            }
            if (tlsUsable && !byKey.containsKey("no-dtls")) {
                listeners.add("dtls://" + ip + ":" + tlsPort);
            }
        }
        if (!tlsUsable && (!byKey.containsKey("no-tls") || !byKey.containsKey("no-dtls"))) {
            notes.add(new Note(0, "(TLS/DTLS listeners)", "not configured: coturn needs cert and pkey for them too"));
        }
        if (listeners.isEmpty()) {
            notes.add(new Note(0, "(listeners)", "every listener is switched off (no-udp, no-tcp, no-tls, no-dtls); "
                    + "Traverse's default listeners are kept"));
        } else {
            yaml.list("listeners", listeners.stream().map(CoturnImport::quote).toList(), true);
        }

        // relay
        yaml.section("relay");
        List<String> addresses = relayAddresses(byKey, notes);
        if (!addresses.isEmpty()) {
            yaml.list("addresses", addresses, false);
        }
        String min = last(byKey, "min-port");
        String max = last(byKey, "max-port");
        if (min != null || max != null) {
            yaml.entry("  port-range", "{ min: " + intValue(byKey, "min-port", 49152, notes) + ", max: "
                    + intValue(byKey, "max-port", 65535, notes) + " }");
        }
        String maxLifetime = last(byKey, "max-allocate-lifetime");
        if (maxLifetime != null) {
            int maxSeconds = intValue(byKey, "max-allocate-lifetime", 3600, notes);
            yaml.entry("allocation-lifetime", "{ default: " + Math.min(600, maxSeconds) + "s, max: " + maxSeconds
                    + "s }");
        }
        if (last(byKey, "permission-lifetime") != null) {
            yaml.entry("  permission-lifetime", intValue(byKey, "permission-lifetime", 300, notes) + "s");
        }
        if (last(byKey, "channel-lifetime") != null) {
            yaml.entry("  channel-lifetime", intValue(byKey, "channel-lifetime", 600, notes) + "s");
        }
        if (last(byKey, "total-quota") != null) {
            int total = intValue(byKey, "total-quota", 0, notes);
            // coturn: 0 means no limit
            yaml.entry("  max-allocations", Integer.toString(total == 0 ? 100000 : total));
        }
        if (last(byKey, "user-quota") != null) {
            int user = intValue(byKey, "user-quota", 0, notes);
            yaml.entry("  max-allocations-per-user", Integer.toString(user == 0 ? 100000 : user));
        }

        // auth
        yaml.section("auth");
        List<String> secrets = new ArrayList<>();
        for (Option o : byKey.getOrDefault("static-auth-secret", List.of())) {
            if (o.value().isEmpty()) {
                notes.add(new Note(o.line(), o.text(), "empty secret"));
            } else {
                secrets.add(quote(o.value()));
            }
        }
        if (byKey.containsKey("use-auth-secret") && secrets.isEmpty()) {
            notes.add(new Note(lineOf(byKey, "use-auth-secret"), "use-auth-secret",
                    "no static-auth-secret: the secrets are in a database; put them in auth.rest-secrets-file"));
        }
        if (!secrets.isEmpty()) {
            yaml.list("rest-secrets", secrets, false);
        }
        List<UserEntry> users = users(byKey.getOrDefault("user", List.of()),
                realm == null ? "traverse.local" : realm, notes);
        if (!users.isEmpty() && usersFile != null) {
            yaml.entry("users-file", quote(usersFile));
        } else if (!users.isEmpty()) {
            notes.add(new Note(lineOf(byKey, "user"), "user=...", users.size() + " user(s) not written: give "
                    + "--users-file FILE to write them with derived keys"));
        }
        userDatabase(options, byKey, yaml, notes);
        if (last(byKey, "stale-nonce") != null && !last(byKey, "stale-nonce").isEmpty()) {
            yaml.entry("  nonce-lifetime", intValue(byKey, "stale-nonce", 600, notes) + "s");
        }
        String rps = last(byKey, "unauthorized-ratelimit-rps");
        if (rps != null) {
            int n = intValue(byKey, "unauthorized-ratelimit-rps", 50, notes);
            yaml.entry("  unauthenticated-rate-limit", "{ per-second: " + n + ", burst: " + Math.max(n, 4 * n) + " }");
        }

        // peers
        List<String> allow = cidrs(byKey.getOrDefault("allowed-peer-ip", List.of()), notes);
        List<String> deny = cidrs(byKey.getOrDefault("denied-peer-ip", List.of()), notes);
        if (!allow.isEmpty() || !deny.isEmpty()) {
            yaml.section("peers");
            yaml.list("allow", allow.stream().map(CoturnImport::quote).toList(), false);
            yaml.list("deny", deny.stream().map(CoturnImport::quote).toList(), false);
        }

        // tls
        if (cert != null || pkey != null) {
            yaml.section("tls");
            if (cert != null) {
                yaml.entry("  certificate", quote(cert));
            }
            if (pkey != null) {
                yaml.entry("  private-key", quote(pkey));
            }
            if (!tlsUsable) {
                notes.add(new Note(lineOf(byKey, cert != null ? "cert" : "pkey"), cert != null ? "cert" : "pkey",
                        "the other half (cert/pkey) is missing: Traverse needs both"));
            }
        }

        // admin (Prometheus)
        if (byKey.containsKey("prometheus")) {
            yaml.section("admin");
            yaml.entry("  enabled", "true");
            yaml.entry("  port", Integer.toString(intValue(byKey, "prometheus-port", 9641, notes)));
            notes.add(new Note(lineOf(byKey, "prometheus"), "prometheus",
                    "translated to admin.*; /metrics listens on 127.0.0.1 (coturn: every address): set "
                            + "admin.address and admin.bearer-token-file to scrape it from elsewhere", true));
        } else if (byKey.containsKey("prometheus-port")) {
            Option o = byKey.get("prometheus-port").get(0);
            notes.add(new Note(o.line(), o.text(), "without prometheus coturn exports nothing; Traverse's "
                    + "admin endpoint stays on its default port"));
        }

        // logging
        if (byKey.containsKey("verbose") || byKey.containsKey("Verbose")) {
            yaml.section("logging");
            yaml.entry("  level", "debug");
        }

        bandwidth(byKey, yaml, notes);

        // drain
        List<Option> alternates = new ArrayList<>();
        for (String key : List.of("alternate-server", "udp-alternate-server", "tcp-alternate-server",
                "tls-alternate-server")) {
            alternates.addAll(byKey.getOrDefault(key, List.of()));
        }
        if (!alternates.isEmpty()) {
            Option first = alternates.get(0);
            String address = alternate(first, notes);
            if (address != null) {
                yaml.section("drain");
                yaml.entry("  alternate-server", quote(address));
                notes.add(new Note(first.line(), first.text(), "translated to drain.alternate-server: Traverse "
                        + "redirects (300) only while draining, coturn always balances", true));
            }
            for (Option other : alternates.subList(1, alternates.size())) {
                notes.add(new Note(other.line(), other.text(), "Traverse takes one alternate server"));
            }
        }

        // everything else
        for (Option o : options) {
            if (HANDLED.contains(o.key()) || ALWAYS_ON.containsKey(o.key())) {
                continue;
            }
            String reason = UNSUPPORTED.get(o.key());
            notes.add(new Note(o.line(), o.text(), reason != null ? reason : "unknown option"));
        }
        notes.sort(java.util.Comparator.comparingInt(Note::line));
        return new Result(yaml.text(), users, notes);
    }

    /**
     * coturn's user database ({@code userdb=}, {@code psql-userdb=}, {@code redis-userdb=}) as {@code auth.store}; coturn
     * reads the last one given. Without one, coturn still reads its default SQLite file: said in a note.
     */
    private static void userDatabase(List<Option> options, Map<String, List<Option>> byKey, Yaml yaml,
            List<Note> notes) {
        List<Option> databases = options.stream().filter(o -> CoturnUserDb.OPTIONS.contains(o.key())).toList();
        if (databases.isEmpty()) {
            boolean auth = byKey.containsKey("lt-cred-mech") || byKey.containsKey("use-auth-secret");
            if (auth && !byKey.containsKey("mysql-userdb") && !byKey.containsKey("mongo-userdb")) {
                notes.add(new Note(0, "(user database)", "without userdb= coturn also reads users and REST secrets "
                        + "from its default SQLite file (/var/lib/turn/turndb on Debian, else /var/db/turndb or "
                        + "/usr/local/var/db/turndb); if yours holds any, set auth.store.url: sqlite:FILE"));
            }
            return;
        }
        Option db = databases.get(databases.size() - 1);
        for (Option other : databases.subList(0, databases.size() - 1)) {
            notes.add(new Note(other.line(), other.text(), "coturn reads one user database, the last one given"));
        }
        CoturnUserDb.Translation t;
        try {
            t = CoturnUserDb.translate(db.key(), db.value());
        } catch (IllegalArgumentException e) {
            notes.add(new Note(db.line(), db.text(), e.getMessage()));
            return;
        }
        yaml.entry("store", "{ url: " + quote(t.url()) + " }");
        yaml.entry("password-algorithms", "[md5]");
        StringBuilder reason = new StringBuilder("translated to auth.store.url ").append(t.url())
                .append("; coturn's keys are MD5, so auth.password-algorithms: [md5]");
        for (String caveat : t.caveats()) {
            reason.append("; ").append(caveat);
        }
        notes.add(new Note(db.line(), db.text(), reason.toString(), true));
    }

    /**
     * coturn's {@code max-bps} (per session, bytes per second) and {@code bps-capacity} (server-wide) as the
     * {@code bandwidth} section; 0 (coturn: no limit) writes nothing. A capacity without max-bps cannot be shared
     * out in Traverse and is noted instead.
     */
    private static void bandwidth(Map<String, List<Option>> byKey, Yaml yaml, List<Note> notes) {
        int maxBps = byKey.containsKey("max-bps") ? intValue(byKey, "max-bps", 0, notes) : 0;
        int capacity = byKey.containsKey("bps-capacity") ? intValue(byKey, "bps-capacity", 0, notes) : 0;
        yaml.section("bandwidth");
        if (maxBps > 0) {
            yaml.entry("max-bps", Integer.toString(maxBps));
        }
        if (capacity > 0 && maxBps > 0) {
            yaml.entry("bps-capacity", Integer.toString(capacity));
        } else if (capacity > 0) {
            Option o = byKey.get("bps-capacity").get(0);
            notes.add(new Note(o.line(), o.text(), "Traverse shares the capacity out as max-bps per allocation; "
                    + "without max-bps there is nothing to share"));
        }
    }

    private static final java.util.Set<String> HANDLED = java.util.Set.of("realm", "listening-port",
            "tls-listening-port", "listening-ip", "cert", "pkey", "no-udp", "no-tcp", "no-tls", "no-dtls", "relay-ip",
            "external-ip", "min-port", "max-port", "max-allocate-lifetime", "permission-lifetime", "channel-lifetime",
            "total-quota", "user-quota", "max-bps", "bps-capacity", "static-auth-secret", "use-auth-secret", "user",
            "stale-nonce", "unauthorized-ratelimit-rps", "allowed-peer-ip",
            "denied-peer-ip", "prometheus", "prometheus-port", "verbose", "Verbose", "alternate-server",
            "udp-alternate-server", "tcp-alternate-server", "tls-alternate-server", "userdb", "db", "psql-userdb",
            "sql-userdb", "redis-userdb");

    /** Lines as options: {@code key}, {@code key=value} or {@code key value}; {@code #} starts a comment. */
    private static List<Option> parse(List<String> lines) {
        List<Option> options = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String text = lines.get(i).strip();
            if (text.isEmpty() || text.startsWith("#")) {
                continue;
            }
            String body = text.startsWith("--") ? text.substring(2) : text;
            int eq = body.indexOf('=');
            int space = body.indexOf(' ');
            int split = eq < 0 ? space : (space < 0 ? eq : Math.min(eq, space));
            String key = split < 0 ? body : body.substring(0, split).strip();
            String value = split < 0 ? "" : body.substring(split + 1).strip();
            if (value.startsWith("\"") && value.endsWith("\"") && value.length() >= 2) {
                value = value.substring(1, value.length() - 1);
            }
            options.add(new Option(i + 1, redact(key, text), key, value));
        }
        return options;
    }

    /** The line as shown in a note: a secret or password never is. */
    private static String redact(String key, String text) {
        return switch (key) {
            case "static-auth-secret", "cli-password", "user", "pkey-pwd", "stateless-nonce-secret",
                    "secret-key-file", "psql-userdb", "sql-userdb", "mysql-userdb", "mongo-userdb", "redis-userdb",
                    "redis-statsdb" -> key + "=(redacted)";
            default -> text;
        };
    }

    private static List<String> relayAddresses(Map<String, List<Option>> byKey, List<Note> notes) {
        List<InetAddress> relays = new ArrayList<>();
        for (Option o : byKey.getOrDefault("relay-ip", List.of())) {
            InetAddress ip = ip(o, notes);
            if (ip != null) {
                relays.add(ip);
            }
        }
        // external-ip: PUBLIC or PUBLIC/PRIVATE (the relay address it stands for)
        Map<InetAddress, InetAddress> advertised = new LinkedHashMap<>();
        InetAddress single = null;
        for (Option o : byKey.getOrDefault("external-ip", List.of())) {
            String[] parts = o.value().split("/", -1);
            try {
                InetAddress pub = IpAddresses.parse(parts[0]);
                if (parts.length == 2) {
                    advertised.put(IpAddresses.parse(parts[1]), pub);
                } else if (parts.length == 1) {
                    single = pub;
                } else {
                    throw new IllegalArgumentException("expected PUBLIC or PUBLIC/PRIVATE");
                }
            } catch (IllegalArgumentException e) {
                notes.add(new Note(o.line(), o.text(), e.getMessage() + " (host names are not resolved)"));
            }
        }
        if (relays.isEmpty()) {
            relays.addAll(advertised.keySet());
        }
        List<String> out = new ArrayList<>();
        if (relays.isEmpty()) {
            if (single != null) {
                out.add("{ bind: " + (single instanceof Inet6Address ? "\"::\"" : "0.0.0.0") + ", advertised: "
                        + quote(IpAddresses.format(single)) + " }");
            }
            return out;
        }
        boolean v4 = false;
        boolean v6 = false;
        for (InetAddress relay : relays) {
            boolean ipv6 = relay instanceof Inet6Address;
            if (ipv6 ? v6 : v4) {
                notes.add(new Note(lineOf(byKey, "relay-ip"), "relay-ip=" + IpAddresses.format(relay),
                        "Traverse relays from one address per family; this one is not used"));
                continue;
            }
            if (ipv6) {
                v6 = true;
            } else {
                v4 = true;
            }
            InetAddress ad = advertised.get(relay);
            if (ad == null && single != null && (single instanceof Inet6Address) == ipv6) {
                ad = single;
            }
            out.add("{ bind: " + quote(IpAddresses.format(relay)) + ", advertised: "
                    + (ad == null ? "null" : quote(IpAddresses.format(ad))) + " }");
        }
        return out;
    }

    private static List<UserEntry> users(List<Option> options, String realm, List<Note> notes) {
        List<UserEntry> users = new ArrayList<>();
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (Option o : options) {
            int colon = o.value().indexOf(':');
            if (colon <= 0) {
                notes.add(new Note(o.line(), o.text(), "expected user=NAME:PASSWORD or NAME:0xKEY"));
                continue;
            }
            String name = o.value().substring(0, colon);
            String secret = o.value().substring(colon + 1);
            if (!seen.add(name)) {
                notes.add(new Note(o.line(), o.text(), "user " + name + " appears twice; the first is kept"));
                continue;
            }
            try {
                if (secret.startsWith("0x") && secret.length() == 34) {
                    // coturn: the MD5 long-term key itself, MD5(user:realm:password)
                    users.add(new UserEntry(name, realm, HexFormat.of().parseHex(secret.substring(2)), null));
                } else {
                    users.add(UserEntry.fromPassword(name, realm, secret));
                }
            } catch (PrecisException | IllegalArgumentException e) {
                seen.remove(name);
                notes.add(new Note(o.line(), o.text(), "user " + name + ": " + e.getMessage()));
            }
        }
        return users;
    }

    /** coturn's peer lists: an IP or a range {@code FIRST-LAST}, as the CIDR blocks that cover it exactly. */
    private static List<String> cidrs(List<Option> options, List<Note> notes) {
        List<String> out = new ArrayList<>();
        for (Option o : options) {
            try {
                String[] range = o.value().split("-", -1);
                if (range.length > 2) {
                    throw new IllegalArgumentException("expected IP or FIRST-LAST");
                }
                InetAddress first = IpAddresses.parse(range[0]);
                InetAddress last = range.length == 2 ? IpAddresses.parse(range[1]) : first;
                if ((first instanceof Inet6Address) != (last instanceof Inet6Address)) {
                    throw new IllegalArgumentException("the range mixes IPv4 and IPv6");
                }
                out.addAll(rangeToCidrs(first, last));
            } catch (IllegalArgumentException e) {
                notes.add(new Note(o.line(), o.text(), e.getMessage()));
            }
        }
        return out;
    }

    /** The smallest list of CIDR blocks that covers exactly {@code first..last}. */
    static List<String> rangeToCidrs(InetAddress first, InetAddress last) {
        int bits = first.getAddress().length * 8;
        BigInteger lo = new BigInteger(1, first.getAddress());
        BigInteger hi = new BigInteger(1, last.getAddress());
        if (lo.compareTo(hi) > 0) {
            throw new IllegalArgumentException("the range ends before it starts");
        }
        List<String> out = new ArrayList<>();
        while (lo.compareTo(hi) <= 0) {
            int size = lo.signum() == 0 ? bits : lo.getLowestSetBit();
            while (size > 0 && lo.add(BigInteger.ONE.shiftLeft(size)).subtract(BigInteger.ONE).compareTo(hi) > 0) {
                size--;
            }
            out.add(IpAddresses.format(toAddress(lo, bits / 8)) + "/" + (bits - size));
            lo = lo.add(BigInteger.ONE.shiftLeft(size));
        }
        return out;
    }

    private static InetAddress toAddress(BigInteger value, int bytes) {
        byte[] raw = value.toByteArray();
        byte[] out = new byte[bytes];
        int copy = Math.min(raw.length, bytes);
        System.arraycopy(raw, raw.length - copy, out, bytes - copy, copy);
        try {
            return InetAddress.getByAddress(out);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String alternate(Option o, List<Note> notes) {
        String v = o.value();
        try {
            if (v.startsWith("[")) {
                int close = v.indexOf(']');
                InetAddress ip = IpAddresses.parse(v.substring(0, close + 1));
                String port = close + 1 < v.length() && v.charAt(close + 1) == ':' ? v.substring(close + 2) : "3478";
                return "[" + IpAddresses.format(ip) + "]:" + Integer.parseInt(port);
            }
            int colon = v.lastIndexOf(':');
            if (colon > 0 && v.indexOf(':') == colon) {
                return IpAddresses.format(IpAddresses.parse(v.substring(0, colon))) + ":"
                        + Integer.parseInt(v.substring(colon + 1));
            }
            InetAddress ip = IpAddresses.parse(v);
            return ip instanceof Inet6Address ? "[" + IpAddresses.format(ip) + "]:3478"
                    : IpAddresses.format(ip) + ":3478";
        } catch (IllegalArgumentException | StringIndexOutOfBoundsException e) {
            notes.add(new Note(o.line(), o.text(), "not an IP address with port (host names are not resolved)"));
            return null;
        }
    }

    private static InetAddress ip(Option o, List<Note> notes) {
        try {
            return IpAddresses.parse(o.value());
        } catch (IllegalArgumentException e) {
            notes.add(new Note(o.line(), o.text(), e.getMessage()));
            return null;
        }
    }

    private static String last(Map<String, List<Option>> byKey, String key) {
        List<Option> list = byKey.get(key);
        return list == null ? null : list.get(list.size() - 1).value();
    }

    private static int lineOf(Map<String, List<Option>> byKey, String key) {
        List<Option> list = byKey.get(key);
        return list == null ? 0 : list.get(0).line();
    }

    private static int intValue(Map<String, List<Option>> byKey, String key, int fallback, List<Note> notes) {
        List<Option> list = byKey.get(key);
        if (list == null) {
            return fallback;
        }
        Option o = list.get(list.size() - 1);
        try {
            return Integer.parseInt(o.value().strip());
        } catch (NumberFormatException e) {
            notes.add(new Note(o.line(), o.text(), "not a number; the default " + fallback + " is used"));
            return fallback;
        }
    }

    /** A YAML double-quoted scalar. */
    static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c < 0x20) {
                b.append(String.format(Locale.ROOT, "\\x%02x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.append('"').toString();
    }

    /** The YAML being written: top-level sections (written with their first entry) and indented entries. */
    static final class Yaml {
        private final StringBuilder text = new StringBuilder(
                "# Translated from a coturn turnserver.conf by turn-cli config import-coturn.\n"
                        + "# See docs/migrating-from-coturn.md; keys not set here keep their defaults.\n");
        private String pending;

        void section(String name) {
            pending = name;
        }

        private void flush() {
            if (pending != null) {
                text.append(pending).append(":\n");
                pending = null;
            }
        }

        /** {@code key: value} in the current section. */
        void entry(String key, String value) {
            flush();
            text.append("  ").append(key.strip()).append(": ").append(value).append('\n');
        }

        /** A list in the current section, or at the top level when {@code top}. */
        void list(String key, List<String> items, boolean top) {
            String indent = top ? "" : "  ";
            if (top) {
                pending = null;
            } else {
                flush();
            }
            text.append(indent).append(key.strip()).append(':');
            if (items.isEmpty()) {
                text.append(" []\n");
                return;
            }
            text.append('\n');
            for (String item : items) {
                text.append(indent).append("  - ").append(item).append('\n');
            }
        }

        String text() {
            return text.toString();
        }
    }
}
