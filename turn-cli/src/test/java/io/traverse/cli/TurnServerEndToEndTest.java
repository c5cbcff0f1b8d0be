package io.traverse.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.traverse.client.Transport;
import io.traverse.client.TurnClient;
import io.traverse.client.TurnCredentials;
import io.traverse.it.TestServer;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * TO ENABLE once the server implements TURN (rename this file to {@code .java}): turn-cli against the real
 * server on loopback. Users added with {@code user add} and credentials minted with {@code credentials} are
 * accepted by the server; {@code probe} passes every step; a server that denies loopback peers makes the probe
 * report the denied peer at create-permission.
 */
class TurnServerEndToEndTest {
    static final String REALM = "traverse.test";
    static final String SECRET = "e2e-rest-secret";

    @TempDir
    static Path dir;

    private static TestServer open;
    private static TestServer strict;
    private static Path config;

    @BeforeAll
    static void start() throws Exception {
        Path users = dir.resolve("users.txt");
        Cli.Result added = new Cli().stdin("correct horse\n").run("user", "add", "--users-file", users.toString(),
                "--realm", REALM, "--user", "alice", "--password-stdin");
        assertEquals(0, added.exitCode(), added.toString());
        Files.writeString(dir.resolve("rest-secrets"), SECRET + "\n");
        String yaml = String.join("\n",
                "server:",
                "  realm: " + REALM,
                "auth:",
                "  users-file: " + users,
                "  rest-secrets-file: " + dir.resolve("rest-secrets"),
                "");
        config = Files.writeString(dir.resolve("traverse.yaml"), yaml + "listeners: [udp://127.0.0.1:3478]\n");
        open = TestServer.start(yaml + "peers:\n  allow-loopback-insecure-test-only: true\n",
                Map.of("relay.addresses", "127.0.0.1"));
        strict = TestServer.start(yaml, Map.of("relay.addresses", "127.0.0.1"));
    }

    @AfterAll
    static void stop() {
        open.close();
        strict.close();
    }

    private static String url(TestServer s, String transport) {
        InetSocketAddress a = transport.equals("udp") ? s.udp4() : s.tcp4();
        return "turn:127.0.0.1:" + a.getPort() + "?transport=" + transport;
    }

    @ParameterizedTest
    @ValueSource(strings = {"udp", "tcp"})
    void probePassesEveryStepWithAUserFromUserAdd(String transport) {
        Cli.Result r = new Cli().clock(Clock.systemUTC()).stdin("correct horse\n").run("probe", url(open, transport),
                "--user", "alice", "--password-stdin");
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.out().contains("ok    relay"), r.out());
        assertTrue(r.out().contains("realm " + REALM), r.out());
    }

    @Test
    void probeWithRestSecretPasses() {
        Cli.Result r = new Cli().clock(Clock.systemUTC()).run("probe", url(open, "udp"), "--secret-file",
                dir.resolve("rest-secrets").toString(), "--user", "probe");
        assertEquals(0, r.exitCode(), r.toString());
    }

    @Test
    void probeReportsDeniedPeerOnAStrictServer() {
        Cli.Result r = new Cli().clock(Clock.systemUTC()).stdin("correct horse\n").run("probe", url(strict, "udp"),
                "--user", "alice", "--password-stdin");
        assertEquals(1, r.exitCode(), r.toString());
        assertTrue(r.err().contains("step 'create-permission': 403"), r.err());
        assertTrue(r.err().contains("peer policy denies relaying to 127.0.0.1"), r.err());
    }

    @Test
    void probeWithWrongPasswordFailsAt401() {
        Cli.Result r = new Cli().clock(Clock.systemUTC()).stdin("wrong\n").run("probe", url(open, "udp"), "--user",
                "alice", "--password-stdin");
        assertEquals(1, r.exitCode(), r.toString());
        assertTrue(r.err().startsWith("turn-cli: probe failed at step 'allocate': 401"), r.err());
    }

    @Test
    void credentialsFromConfigAreAcceptedByTheServer() throws Exception {
        Cli.Result r = new Cli().clock(Clock.systemUTC()).run("credentials", "--config", config.toString(), "--user",
                "web-user", "--ttl", "10m");
        assertEquals(0, r.exitCode(), r.toString());
        JsonNode server = new ObjectMapper().readTree(r.out()).get(0);
        assertEquals(List.of("turn:127.0.0.1:3478?transport=udp"), List.of(server.get("urls").get(0).asText()));
        try (TurnClient client = TurnClient.connect(Transport.UDP, open.udp4())) {
            client.allocate(TurnCredentials.password(server.get("username").asText(),
                    server.get("credential").asText()));
            client.deallocate();
        }
    }

    @Test
    void expiredCredentialsAreRejected() throws Exception {
        Cli.Result r = new Cli().clock(Clock.offset(Clock.systemUTC(), java.time.Duration.ofHours(-2)))
                .run("credentials", "--config", config.toString(), "--ttl", "1h");
        JsonNode server = new ObjectMapper().readTree(r.out()).get(0);
        try (TurnClient client = TurnClient.connect(Transport.UDP, open.udp4())) {
            io.traverse.client.TurnErrorException e = org.junit.jupiter.api.Assertions.assertThrows(
                    io.traverse.client.TurnErrorException.class, () -> client.allocate(TurnCredentials.password(
                            server.get("username").asText(), server.get("credential").asText())));
            assertEquals(401, e.code());
        }
    }
}
