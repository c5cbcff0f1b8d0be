package io.traverse.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.traverse.client.Transport;
import io.traverse.client.TurnClient;
import io.traverse.client.TurnCredentials;
import io.traverse.client.TurnErrorException;
import io.traverse.it.UdpPeer;
import java.io.EOFException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code turn-cli sessions | disconnect | status | reload} against the real server (a child JVM running
 * TraverseMain) through its admin API, with real TURN clients holding allocations.
 */
class AdminCommandsTest {
    static final String REALM = "admin.test";
    static final String TOKEN = "s3cret-admin-token";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    private static ServerProcess server;
    private static Path tokenFile;

    @BeforeAll
    static void start() throws Exception {
        Path users = dir.resolve("users.txt");
        for (String user : new String[] {"alice", "bob", "carol", "dave"}) {
            Cli.Result added = new Cli().stdin("pw-" + user + "\n").run("user", "add", "--users-file",
                    users.toString(), "--realm", REALM, "--user", user, "--password-stdin");
            assertEquals(0, added.exitCode(), added.toString());
        }
        tokenFile = Files.writeString(dir.resolve("admin-token"), TOKEN + "\n");
        Path config = Files.writeString(dir.resolve("traverse.yaml"), String.join("\n",
                "server:",
                "  realm: " + REALM,
                "  event-loops: 2",
                "listeners: [udp://127.0.0.1:0, tcp://127.0.0.1:0]",
                "relay:",
                "  addresses: [{bind: 127.0.0.1}]",
                "auth:",
                "  users-file: " + users,
                "peers:",
                "  allow-loopback-insecure-test-only: true",
                "admin:",
                "  port: 0",
                "  bearer-token-file: " + tokenFile,
                ""));
        server = ServerProcess.start(config);
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    private static Cli.Result cli(String... args) throws Exception {
        String[] all = new String[args.length + 4];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--admin";
        all[args.length + 1] = server.adminUrl();
        all[args.length + 2] = "--token-file";
        all[args.length + 3] = tokenFile.toString();
        return new Cli().run(all);
    }

    private record Allocated(TurnClient client, java.net.InetSocketAddress relayed) implements AutoCloseable {
        @Override
        public void close() {
            client.close();
        }
    }

    private static Allocated allocated(String user, Transport transport) throws Exception {
        TurnClient client = TurnClient.connect(transport, server.listener(transport == Transport.UDP ? "udp" : "tcp"));
        return new Allocated(client, client.allocate(TurnCredentials.password(user, "pw-" + user)).relayedAddress());
    }

    @Test
    void sessionsListsTheAllocationWithItsTrafficAsJsonAndAsATable() throws Exception {
        try (Allocated alice = allocated("alice", Transport.UDP); Allocated bob = allocated("bob", Transport.UDP);
                UdpPeer peer = UdpPeer.on("127.0.0.1")) {
            alice.client().channelBind(0x4000, peer.address());
            for (int i = 0; i < 5; i++) {
                alice.client().sendChannelData(0x4000, new byte[100]);
                peer.receive();
            }
            for (int i = 0; i < 3; i++) {
                peer.send(alice.relayed(), new byte[40]);
                alice.client().receive(Duration.ofSeconds(5));
            }

            Cli.Result json = cli("sessions", "--user", "alice", "--json");
            assertEquals(0, json.exitCode(), json.toString());
            JsonNode page = JSON.readTree(json.out());
            assertEquals(1, page.get("total").asInt(), json.out());
            JsonNode s = page.get("sessions").get(0);
            assertEquals("alice", s.get("username").asText());
            assertEquals("udp", s.get("transport").asText());
            assertEquals("127.0.0.1:" + alice.client().localAddress().getPort(), s.get("client").asText());
            assertEquals("127.0.0.1:" + alice.relayed().getPort(), s.get("relayed").get(0).asText());
            assertEquals(1, s.get("permissions").asInt());
            assertEquals(1, s.get("channels").asInt());
            assertTrue(s.get("lifetimeLeftSeconds").asLong() > 500, s.toString());
            JsonNode traffic = s.get("traffic");
            assertEquals(5, traffic.get("packetsToPeer").asLong(), s.toString());
            assertEquals(500, traffic.get("bytesToPeer").asLong(), s.toString());
            assertEquals(3, traffic.get("packetsToClient").asLong(), s.toString());
            assertEquals(120, traffic.get("bytesToClient").asLong(), s.toString());

            Cli.Result table = cli("sessions");
            assertEquals(0, table.exitCode(), table.toString());
            assertTrue(table.out().startsWith("ID "), table.out());
            assertTrue(table.out().contains("alice") && table.out().contains("bob"), table.out());
            assertTrue(table.out().contains("500B/5p"), table.out());

            Cli.Result byClient = cli("sessions", "--json", "--client", "127.0.0.1", "--limit", "1");
            JsonNode one = JSON.readTree(byClient.out());
            assertEquals(1, one.get("sessions").size(), byClient.out());
            assertTrue(one.get("total").asInt() >= 2, byClient.out());
        }
    }

    @Test
    void disconnectByUserEndsTheAllocationAndTheClientsNextRequestGets437() throws Exception {
        try (Allocated carol = allocated("carol", Transport.UDP)) {
            Cli.Result r = cli("disconnect", "--user", "carol");
            assertEquals(0, r.exitCode(), r.toString());
            assertEquals("ended 1 session(s)", r.out().trim());
            TurnErrorException e = assertThrows(TurnErrorException.class, () -> carol.client().refresh(600));
            assertEquals(437, e.code());
            assertEquals(0, JSON.readTree(cli("sessions", "--user", "carol", "--json").out()).get("total").asInt());
            assertTrue(server.log().matches("(?s).*admin /127\\.0\\.0\\.1:\\d+ DELETE /admin/sessions\\?user=carol -> 200.*"),
                    "audit line missing:\n" + server.log());
        }
    }

    @Test
    void disconnectByIdClosesATcpClientsConnection() throws Exception {
        try (Allocated dave = allocated("dave", Transport.TCP)) {
            JsonNode page = JSON.readTree(cli("sessions", "--user", "dave", "--json").out());
            long id = page.get("sessions").get(0).get("id").asLong();
            assertEquals("tcp", page.get("sessions").get(0).get("transport").asText());
            Cli.Result r = cli("disconnect", "--id", Long.toString(id));
            assertEquals(0, r.exitCode(), r.toString());
            assertEquals("ended 1 session(s)", r.out().trim());
            assertThrows(EOFException.class, () -> dave.client().receive(Duration.ofSeconds(5)));
            Cli.Result again = cli("disconnect", "--id", Long.toString(id));
            assertEquals(1, again.exitCode(), again.toString());
            assertTrue(again.err().contains("HTTP 404: no such session"), again.err());
        }
    }

    @Test
    void statusAndReload() throws Exception {
        Cli.Result status = cli("status", "--json");
        assertEquals(0, status.exitCode(), status.toString());
        JsonNode before = JSON.readTree(status.out());
        assertFalse(before.get("draining").asBoolean());
        assertTrue(before.get("version").asText().startsWith("traverse "), status.out());
        assertTrue(before.get("listeners").toString().contains("udp://127.0.0.1:" + server.listener("udp").getPort()),
                status.out());
        Cli.Result table = cli("status");
        assertTrue(table.out().contains("uptimeSeconds"), table.out());

        Cli.Result reload = cli("reload");
        assertEquals(0, reload.exitCode(), reload.toString());
        long generation = before.get("reloadGeneration").asLong() + 1;
        assertEquals("reloaded, generation " + generation, reload.out().trim());
        assertEquals(generation, JSON.readTree(cli("status", "--json").out()).get("reloadGeneration").asLong());
    }

    @Test
    void withoutTheTokenEveryCallIsRefused() throws Exception {
        Cli.Result r = new Cli().run("sessions", "--admin", server.adminUrl());
        assertEquals(1, r.exitCode(), r.toString());
        assertTrue(r.err().contains("unauthorized"), r.err());
        Cli.Result wrong = new Cli().env("TRAVERSE_ADMIN_TOKEN", "not-it").run("reload", "--admin", server.adminUrl());
        assertEquals(1, wrong.exitCode(), wrong.toString());
        assertTrue(wrong.err().contains("unauthorized"), wrong.err());
        Cli.Result viaEnv = new Cli().env("TRAVERSE_ADMIN_TOKEN", TOKEN).run("status", "--admin", server.adminUrl());
        assertEquals(0, viaEnv.exitCode(), viaEnv.toString());
    }

    @Test
    void aBadRequestIsRefusedWithItsCause() throws Exception {
        Cli.Result r = cli("sessions", "--limit", "5000");
        assertEquals(1, r.exitCode(), r.toString());
        assertTrue(r.err().contains("HTTP 400: offset must be >= 0 and limit 1..1000"), r.err());
        Cli.Result badIp = cli("sessions", "--client", "not-an-ip");
        assertTrue(badIp.err().contains("HTTP 400: client: not an IP address"), badIp.err());
        Cli.Result noServer = new Cli().run("status", "--admin", "http://127.0.0.1:1");
        assertEquals(1, noServer.exitCode(), noServer.toString());
        assertTrue(noServer.err().contains("admin endpoint http://127.0.0.1:1"), noServer.err());
    }

    /** One client for the class: a client per call would hold an idle connection each (the admin caps them per IP). */
    private static final java.net.http.HttpClient HTTP = java.net.http.HttpClient.newHttpClient();

    private static java.net.http.HttpResponse<String> http(String method, String path) throws Exception {
        return HTTP.send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create(server.adminUrl() + path)).header("Authorization", "Bearer " + TOKEN)
                .method(method, java.net.http.HttpRequest.BodyPublishers.noBody()).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void theApiRefusesWhatItDoesNotDoWithItsCause() throws Exception {
        var all = http("DELETE", "/admin/sessions");
        assertEquals(400, all.statusCode());
        assertEquals("say which sessions to end: user=U or client=IP", JSON.readTree(all.body()).get("error").asText());
        assertEquals(405, http("PUT", "/admin/status").statusCode());
        assertEquals(405, http("GET", "/admin/reload").statusCode());
        assertEquals(404, http("GET", "/admin/nothing").statusCode());
        var badId = http("DELETE", "/admin/sessions/12x");
        assertEquals(400, badId.statusCode());
        assertEquals("session id: not a number: 12x", JSON.readTree(badId.body()).get("error").asText());
        assertEquals("application/json", http("GET", "/admin/status").headers().firstValue("Content-Type").orElse(""));
    }

    @Test
    void disconnectByClientIpEndsThatClientsAllocations() throws Exception {
        try (Allocated erin = allocated("alice", Transport.UDP)) {
            String client = "127.0.0.1";
            int before = JSON.readTree(cli("sessions", "--client", client, "--json").out()).get("total").asInt();
            assertTrue(before >= 1);
            var ended = http("DELETE", "/admin/sessions?client=" + client);
            assertEquals(200, ended.statusCode(), ended.body());
            assertEquals(before, JSON.readTree(ended.body()).get("ended").asInt());
            TurnErrorException e = assertThrows(TurnErrorException.class, () -> erin.client().refresh(600));
            assertEquals(437, e.code());
        }
    }
}
