package io.traverse.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.traverse.it.TestServer;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code turn-cli probe}: Binding against the real server; failures named by step (connection refused, ICMP,
 * timeout, 401, 403 for a denied peer); the whole peer test through a scripted TURN server.
 */
class ProbeCommandTest {
    static final String USER = "alice";
    static final String PASSWORD = "correct horse";
    static final Pattern STEP = Pattern.compile("  (ok  |FAIL)  (\\S+) +\\d+ ms  .*");

    private static TestServer server;
    private FakeTurnServer fake;

    @BeforeAll
    static void startServer() throws Exception {
        server = TestServer.start("", Map.of());
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    @BeforeEach
    void startFake() throws Exception {
        fake = new FakeTurnServer(USER, PASSWORD);
    }

    @AfterEach
    void stopFake() throws Exception {
        fake.close();
    }

    /** Step name to status, in order. */
    private static List<String> steps(Cli.Result r) {
        return r.out().lines().filter(l -> STEP.matcher(l).matches())
                .map(l -> {
                    var m = STEP.matcher(l);
                    m.matches();
                    return m.group(1).trim() + " " + m.group(2);
                }).toList();
    }

    private Cli.Result probeFake(String... more) {
        String[] args = new String[more.length + 5];
        args[0] = "probe";
        args[1] = fake.url();
        args[2] = "--user";
        args[3] = USER;
        args[4] = "--password-stdin";
        System.arraycopy(more, 0, args, 5, more.length);
        return new Cli().stdin(PASSWORD + "\n").run(args);
    }

    @ParameterizedTest
    @ValueSource(strings = {"udp", "tcp"})
    void stunProbeOfTheRealServerPasses(String transport) {
        InetSocketAddress a = transport.equals("udp") ? server.udp4() : server.tcp4();
        String url = "stun:127.0.0.1:" + a.getPort() + (transport.equals("tcp") ? "?transport=tcp" : "");
        Cli.Result r = Cli.exec("probe", url);
        assertEquals(0, r.exitCode(), r.toString());
        assertEquals(List.of("ok resolve", "ok connect", "ok binding"), steps(r), r.out());
        assertTrue(r.out().contains("reflexive address 127.0.0.1:"), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("OK: 3 steps passed")), r.out());
        assertEquals("", r.err());
    }

    @Test
    void bindingStepPassesAgainstTheRealServerOverTurnUrl() {
        // Until TURN lands the real server answers Allocate with 400; the Binding step must pass either way.
        Cli.Result r = new Cli().stdin(PASSWORD + "\n").run("probe",
                "turn:127.0.0.1:" + server.udp4().getPort() + "?transport=udp", "--user", USER, "--password-stdin");
        List<String> steps = steps(r);
        assertEquals(List.of("ok resolve", "ok connect", "ok binding"), steps.subList(0, 3), r.out());
    }

    @Test
    void closedUdpPortFailsAtBindingWithIcmp() throws Exception {
        int port;
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            port = s.getLocalPort();
        }
        Cli.Result r = new Cli().stdin("pw\n").run("probe", "turn:127.0.0.1:" + port + "?transport=udp", "--user", "u",
                "--password-stdin", "--timeout", "3s");
        assertEquals(1, r.exitCode(), r.toString());
        assertEquals(List.of("ok resolve", "ok connect", "FAIL binding"), steps(r), r.out());
        assertEquals("turn-cli: probe failed at step 'binding': connection refused: ICMP port unreachable "
                + "(nothing listens on that UDP port)\n", r.err());
    }

    @Test
    void closedTcpPortFailsAtConnect() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Cli.Result r = Cli.exec("probe", "stun:127.0.0.1:" + port + "?transport=tcp");
        assertEquals(1, r.exitCode(), r.toString());
        assertEquals(List.of("ok resolve", "FAIL connect"), steps(r), r.out());
        assertTrue(r.err().startsWith("turn-cli: probe failed at step 'connect': connection refused"), r.err());
        assertEquals(1, r.err().lines().count());
    }

    @Test
    void silentServerTimesOutAtBinding() {
        fake.silent = true;
        long start = System.nanoTime();
        Cli.Result r = probeFake("--timeout", "1s");
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertEquals(1, r.exitCode(), r.toString());
        assertEquals(List.of("ok resolve", "ok connect", "FAIL binding"), steps(r), r.out());
        assertTrue(r.err().startsWith("turn-cli: probe failed at step 'binding': timeout: BINDING: no response after"),
                r.err());
        assertTrue(ms >= 900 && ms < 5000, "took " + ms + " ms");
    }

    @Test
    void wrongCredentialsFailAtAllocateWith401() {
        fake.rejectCredentials = true;
        Cli.Result r = probeFake();
        assertEquals(1, r.exitCode(), r.toString());
        assertEquals(List.of("ok resolve", "ok connect", "ok binding", "FAIL allocate"), steps(r), r.out());
        assertTrue(r.err().startsWith("turn-cli: probe failed at step 'allocate': 401 Unauthenticated: the server "
                + "rejected the credentials"), r.err());
        assertFalse(r.out().contains(PASSWORD) || r.err().contains(PASSWORD));
    }

    @Test
    void deniedPeerIsReportedClearly() {
        fake.denyPermissions = true;
        Cli.Result r = probeFake();
        assertEquals(1, r.exitCode(), r.toString());
        assertEquals(List.of("ok resolve", "ok connect", "ok binding", "ok allocate", "ok allocate-peer",
                "FAIL create-permission"), steps(r), r.out());
        assertTrue(r.err().contains("403 Forbidden: the server's peer policy denies relaying to 192.0.2.1 (the "
                + "probe's second relayed address)"), r.err());
        assertTrue(r.err().contains("--peer HOST:PORT"), r.err());
    }

    @Test
    void fullPeerTestThroughTwoAllocations() {
        Cli.Result r = probeFake();
        assertEquals(0, r.exitCode(), r.toString());
        assertEquals(List.of("ok resolve", "ok connect", "ok binding", "ok allocate", "ok allocate-peer",
                "ok create-permission", "ok channel-bind", "ok relay", "ok deallocate"), steps(r), r.out());
        assertTrue(r.out().contains("relayed 192.0.2.1:50000, lifetime 600 s (SHA-256 key, MESSAGE-INTEGRITY-SHA256, "
                + "USERNAME, realm fake.example)"), r.out());
        assertTrue(r.out().contains("A -> relay A -> relay B -> B and back as ChannelData"), r.out());
    }

    @Test
    void explicitEchoPeer() {
        fake.echoUnknownPeers = true;
        Cli.Result r = probeFake("--peer", "198.51.100.9:7");
        assertEquals(0, r.exitCode(), r.toString());
        assertEquals(List.of("ok resolve", "ok connect", "ok binding", "ok allocate", "ok create-permission",
                "ok channel-bind", "ok relay", "ok deallocate"), steps(r), r.out());
        assertTrue(r.out().contains("to 198.51.100.9:7 and back as ChannelData"), r.out());
    }

    @Test
    void explicitPeerThatDoesNotAnswer() {
        Cli.Result r = probeFake("--peer", "198.51.100.9:7", "--timeout", "1s");
        assertEquals(1, r.exitCode(), r.toString());
        assertTrue(r.err().contains("step 'relay': no reply from peer 198.51.100.9:7 within 1000 ms"), r.err());
    }

    @Test
    void withoutPeerTestStopsAfterAllocate() {
        Cli.Result r = probeFake("--no-peer-test");
        assertEquals(0, r.exitCode(), r.toString());
        assertEquals(List.of("ok resolve", "ok connect", "ok binding", "ok allocate", "ok deallocate"), steps(r),
                r.out());
    }

    @Test
    void restCredentialsFromASecret() {
        // The fake knows one user/password; a REST credential has another username, so the fake rejects it:
        // what matters here is that the REST path reaches Allocate with an authenticated request.
        Cli.Result r = new Cli().env("SECRET", "s").run("probe", fake.url(), "--secret-env", "SECRET", "--user", "x");
        assertEquals(1, r.exitCode(), r.toString());
        assertEquals("FAIL allocate", steps(r).get(3), r.out());
        assertTrue(r.err().contains("401"), r.err());
    }

    @Test
    void usageErrors() {
        assertEquals(2, Cli.exec("probe", "turn:127.0.0.1:3478").exitCode(), "TURN needs credentials");
        assertEquals(2, Cli.exec("probe", "http://example.org").exitCode());
        assertEquals(2, Cli.exec("probe", "turns:example.org?transport=udp").exitCode(), "DTLS");
        Cli.Result badPeer = new Cli().stdin("x\n").run("probe", fake.url(), "--user", "u", "--password-stdin",
                "--peer", "nocolon");
        assertEquals(2, badPeer.exitCode(), badPeer.toString());
        Cli.Result both = new Cli().stdin("x\n").env("S", "s").run("probe", fake.url(), "--user", "u",
                "--password-stdin", "--secret-env", "S");
        assertEquals(2, both.exitCode(), both.toString());
        Cli.Result alg = new Cli().stdin("x\n").run("probe", fake.url(), "--user", "u", "--password-stdin",
                "--password-algorithm", "sha512");
        assertEquals(2, alg.exitCode(), alg.toString());
    }

    @Test
    void forcedVariantsAreUsed() {
        // The fake accepts only MESSAGE-INTEGRITY-SHA256 with the SHA-256 key: forcing MD5 must fail with 401.
        Cli.Result md5 = probeFake("--password-algorithm", "md5", "--no-peer-test");
        assertEquals(1, md5.exitCode(), md5.toString());
        assertTrue(md5.err().contains("'allocate': 401"), md5.err());
        Cli.Result sha1 = probeFake("--integrity", "sha1", "--no-peer-test");
        assertEquals(1, sha1.exitCode(), sha1.toString());
        Cli.Result sha256 = probeFake("--integrity", "sha256", "--password-algorithm", "sha256", "--no-peer-test");
        assertEquals(0, sha256.exitCode(), sha256.toString());
    }
}
