package io.traverse.it;

import io.traverse.auth.UsersFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A TURN-enabled test server: a users file with known test users, a REST secret, relay on loopback and the
 * test-only switch that lets loopback peers through (turnutils_peer runs on 127.0.0.1 / ::1).
 */
public final class TurnFixture {
    public static final String REALM = "traverse.test";
    public static final String USER = "alice";
    public static final String PASSWORD = "correct horse";
    public static final String USER2 = "bob";
    public static final String PASSWORD2 = "battery staple";
    public static final String REST_SECRET = "rest-secret-for-tests";
    /**
     * Set to "true" by tests that run Debian's coturn 4.6 turnutils_uclient: it picks channel numbers from RFC
     * 5766's 0x4000-0x7FFF, which the server refuses (400) by default, as coturn 4.17 does. Exactly the RFC
     * 5766-era client the switch exists for.
     */
    public static final String LEGACY_CHANNELS = "relay.legacy-channel-numbers";

    private TurnFixture() {}

    /** Overrides for a TURN test server whose credentials live under {@code dir}. */
    public static Map<String, String> overrides(Path dir) throws Exception {
        Path users = dir.resolve("users");
        UsersFile.empty().add(USER, REALM, PASSWORD).add(USER2, REALM, PASSWORD2).write(users);
        Path secrets = dir.resolve("rest-secrets");
        Files.writeString(secrets, REST_SECRET + "\n");
        Map<String, String> o = new LinkedHashMap<>();
        o.put("server.realm", REALM);
        o.put("auth.users-file", users.toString());
        o.put("auth.rest-secrets-file", secrets.toString());
        o.put("relay.addresses", "127.0.0.1,::1");
        o.put("peers.allow-loopback-insecure-test-only", "true");
        o.put("auth.unauthenticated-rate-limit.per-second", "0");
        o.put("relay.max-allocations-per-user", "1000");
        // Above Linux's ephemeral range (32768-60999), so other sockets of the test run never take relay ports.
        o.put("relay.port-range.min", "61000");
        return o;
    }

    public static TestServer start(Path dir) throws Exception {
        return TestServer.start("", overrides(dir));
    }

    public static TestServer start(Path dir, Map<String, String> extra) throws Exception {
        Map<String, String> o = overrides(dir);
        o.putAll(extra);
        return TestServer.start("", o);
    }
}
