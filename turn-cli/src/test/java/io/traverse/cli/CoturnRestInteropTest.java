package io.traverse.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.traverse.it.TestServer;
import io.traverse.metrics.TraverseMetrics;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TURN REST semantics match coturn's: the same shared secret and user give credentials that BOTH coturn's own
 * server (turnserver --use-auth-secret) and Traverse accept, whether minted by {@code turn-cli credentials} or by
 * coturn's {@code turnutils_uclient -W}. Also: a user added with {@code turn-cli user add} while Traverse runs can
 * allocate without a restart. Fails (does not skip) when coturn's tools are missing.
 */
class CoturnRestInteropTest {
    private static final String REALM = "traverse.test";
    private static final String SECRET = "shared-secret-for-interop";
    private static final Pattern LOST = Pattern.compile("Total lost packets (\\d+)");

    @TempDir
    static Path dir;

    private static TestServer traverse;
    private static Process coturn;
    private static Process peer;
    private static int coturnPort;
    private static int peerPort;
    private static Path users;

    @BeforeAll
    static void start() throws Exception {
        users = dir.resolve("users");
        Cli.Result init = new Cli().stdin("initial password\n").run("user", "add", "--users-file", users.toString(),
                "--realm", REALM, "--user", "initial", "--password-stdin");
        assertEquals(0, init.exitCode(), init.toString());
        Path secrets = Files.writeString(dir.resolve("rest-secrets"), SECRET + "\n");
        traverse = TestServer.start(String.join("\n",
                "server:", "  realm: " + REALM,
                "auth:", "  users-file: " + users, "  rest-secrets-file: " + secrets,
                "peers:", "  allow-loopback-insecure-test-only: true", ""),
                // coturn 4.6's uclient picks RFC 5766 channel numbers (up to 0x7FFF): the switch for such clients.
                Map.of("relay.addresses", "127.0.0.1", "relay.legacy-channel-numbers", "true"));
        coturnPort = freeUdpAndTcpPort();
        int relayMin = freeUdpAndTcpPort();
        coturn = start(dir.resolve("coturn.log"), "turnserver", "-n", "--no-cli", "--no-tls", "--no-dtls",
                "--listening-ip=127.0.0.1", "--listening-port=" + coturnPort, "--relay-ip=127.0.0.1",
                "--min-port=" + relayMin, "--max-port=" + (relayMin + 50), "--use-auth-secret",
                "--static-auth-secret=" + SECRET, "--realm=" + REALM, "--allow-loopback-peers",
                "--log-file=stdout", "--pidfile=" + dir.resolve("coturn.pid"));
        peerPort = freeUdpAndTcpPort();
        peer = start(dir.resolve("peer.log"), "turnutils_peer", "-L", "127.0.0.1", "-p", Integer.toString(peerPort));
        Thread.sleep(1500);
        assertTrue(coturn.isAlive(), "coturn's turnserver exited: " + Files.readString(dir.resolve("coturn.log")));
        assertTrue(peer.isAlive(), "turnutils_peer exited");
    }

    @AfterAll
    static void stop() {
        if (coturn != null) {
            coturn.destroyForcibly();
        }
        if (peer != null) {
            peer.destroyForcibly();
        }
        if (traverse != null) {
            traverse.close();
        }
    }

    @Test
    void turnCliCredentialsAreAcceptedByCoturnAndTraverse() throws Exception {
        Cli.Result r = new Cli().clock(Clock.systemUTC()).run("credentials", "--secret-file",
                dir.resolve("rest-secrets").toString(), "--user", "carol", "--ttl", "1h",
                "--url", "turn:127.0.0.1:3478?transport=udp");
        assertEquals(0, r.exitCode(), r.toString());
        JsonNode server = new ObjectMapper().readTree(r.out()).get(0);
        String username = server.get("username").asText();
        String credential = server.get("credential").asText();
        assertTrue(username.endsWith(":carol"), username);
        assertNoLoss(uclient(coturnPort, "-u", username, "-w", credential), "coturn");
        assertNoLoss(uclient(traverse.udp4().getPort(), "-u", username, "-w", credential), "Traverse");
    }

    @Test
    void uclientRestSecretIsAcceptedByCoturnAndTraverse() throws Exception {
        assertNoLoss(uclient(coturnPort, "-W", SECRET, "-u", "dave"), "coturn");
        assertNoLoss(uclient(traverse.udp4().getPort(), "-W", SECRET, "-u", "dave"), "Traverse");
    }

    @Test
    void aWrongSecretIsRefusedByBoth() throws Exception {
        assertRefused(uclient(coturnPort, "-W", "not-the-secret", "-u", "erin"), "coturn");
        double before = traverse.metrics().authFailedCount(TraverseMetrics.AuthFailure.BAD_INTEGRITY);
        assertRefused(uclient(traverse.udp4().getPort(), "-W", "not-the-secret", "-u", "erin"), "Traverse");
        // The cause: Traverse answered the wrongly signed credential with 401 (uclient 4.6 prints no code).
        assertTrue(traverse.metrics().authFailedCount(TraverseMetrics.AuthFailure.BAD_INTEGRITY) > before, "no 401 for the wrong secret");
    }

    @Test
    void userAddedByTheCliAuthenticatesWithoutRestart() throws Exception {
        Cli.Result added = new Cli().stdin("frank's password\n").run("user", "add", "--users-file", users.toString(),
                "--realm", REALM, "--user", "frank", "--password-stdin");
        assertEquals(0, added.exitCode(), added.toString());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        String last = "";
        while (System.nanoTime() < deadline) {
            last = uclient(traverse.udp4().getPort(), "-u", "frank", "-w", "frank's password");
            Matcher m = LOST.matcher(last);
            if (m.find() && m.group(1).equals("0")) {
                return;
            }
            Thread.sleep(300);
        }
        fail("a user added with turn-cli was not accepted within 10 s:\n" + last);
    }

    private static void assertNoLoss(String output, String server) {
        Matcher m = LOST.matcher(output);
        assertTrue(m.find(), server + " did not relay:\n" + output);
        assertEquals("0", m.group(1), server + " lost packets:\n" + output);
    }

    private static void assertRefused(String output, String server) {
        assertFalse(LOST.matcher(output).find(), server + " accepted a wrong secret:\n" + output);
        assertTrue(output.contains("Cannot complete Allocation"), server + ": not refused at Allocate:\n" + output);
    }

    private static String uclient(int port, String... auth) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("turnutils_uclient"));
        cmd.addAll(List.of(auth));
        cmd.addAll(List.of("-n", "10", "-z", "5", "-p", Integer.toString(port), "-e", "127.0.0.1", "-r",
                Integer.toString(peerPort), "127.0.0.1"));
        Process p = new ProcessBuilder(resolve(cmd)).redirectErrorStream(true).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("turnutils_uclient did not finish within 60 s");
        }
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    private static Process start(Path log, String... command) throws IOException {
        return new ProcessBuilder(resolve(List.of(command))).redirectErrorStream(true).redirectOutput(log.toFile())
                .start();
    }

    /** Resolves the tool on PATH; a missing tool fails the test (scripts/test.sh installs Debian's coturn). */
    private static List<String> resolve(List<String> command) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
            Path candidate = Path.of(d, command.get(0));
            if (Files.isExecutable(candidate)) {
                List<String> resolved = new ArrayList<>(command);
                resolved.set(0, candidate.toString());
                return resolved;
            }
        }
        return fail(command.get(0) + " is not installed (Debian package coturn; scripts/test.sh installs it)");
    }

    /** A port free for both UDP and TCP on 127.0.0.1 right now. */
    private static int freeUdpAndTcpPort() throws IOException {
        for (int i = 0; i < 50; i++) {
            try (DatagramSocket u = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
                int port = u.getLocalPort();
                try (ServerSocket t = new ServerSocket()) {
                    t.bind(new InetSocketAddress("127.0.0.1", port));
                    return port;
                } catch (IOException taken) {
                    // try another
                }
            }
        }
        throw new IOException("no free port");
    }
}
