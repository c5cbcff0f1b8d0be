package io.traverse.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.traverse.metrics.TraverseMetrics.AuthFailure;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Interop with coturn's turnutils_uclient and turnutils_peer (clients we did not write) relaying through
 * Traverse: each run must report 0 lost packets. Refusals must make uclient fail.
 */
class UclientInteropTest {
    private static final Pattern LOST = Pattern.compile("Total lost packets (\\d+) \\(([0-9.]+)%\\)");
    private static final Pattern SENT = Pattern.compile("Total transmit time is \\d+");

    @TempDir
    static Path dir;

    private static TestServer server;
    private static Process peer4;
    private static Process peer6;
    private static int peerPort4;
    private static int peerPort6;

    @BeforeAll
    static void start() throws Exception {
        server = TurnFixture.start(dir, Map.of(TurnFixture.LEGACY_CHANNELS, "true"));
        peerPort4 = freeUdpPort("127.0.0.1");
        peerPort6 = freeUdpPort("::1");
        peer4 = ExternalTool.start(dir.resolve("peer4.log"), "turnutils_peer", "-L", "127.0.0.1", "-p",
                Integer.toString(peerPort4));
        peer6 = ExternalTool.start(dir.resolve("peer6.log"), "turnutils_peer", "-L", "::1", "-p",
                Integer.toString(peerPort6));
        Thread.sleep(300);
        assertTrue(peer4.isAlive(), "turnutils_peer (IPv4) exited: " + Files.readString(dir.resolve("peer4.log")));
        assertTrue(peer6.isAlive(), "turnutils_peer (IPv6) exited: " + Files.readString(dir.resolve("peer6.log")));
    }

    @AfterAll
    static void stop() {
        if (peer4 != null) {
            peer4.destroyForcibly();
        }
        if (peer6 != null) {
            peer6.destroyForcibly();
        }
        if (server != null) {
            server.close();
        }
    }

    static int freeUdpPort(String host) throws Exception {
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getByName(host), 0))) {
            return s.getLocalPort();
        }
    }

    /** Runs uclient with the test user against the IPv4 UDP listener plus {@code flags}. */
    private static ExternalTool.Result uclient(String server, int port, String peer, int peerPort,
            String... flags) {
        List<String> cmd = new ArrayList<>(List.of("turnutils_uclient"));
        cmd.addAll(List.of(flags));
        cmd.addAll(List.of("-n", "20", "-l", "120", "-z", "5", "-p", Integer.toString(port),
                "-e", peer, "-r", Integer.toString(peerPort)));
        cmd.add(server);
        return ExternalTool.run(Duration.ofSeconds(60), cmd.toArray(new String[0]));
    }

    private static String[] withUser(String... flags) {
        List<String> all = new ArrayList<>(List.of("-u", TurnFixture.USER, "-w", TurnFixture.PASSWORD));
        all.addAll(List.of(flags));
        return all.toArray(new String[0]);
    }

    private static void assertNoLoss(ExternalTool.Result result) {
        Matcher m = LOST.matcher(result.output());
        assertTrue(m.find(), "uclient printed no loss summary (exit " + result.exitCode() + "):\n"
                + tail(result.output()));
        assertEquals("0", m.group(1), "lost packets:\n" + tail(result.output()));
        assertEquals(0, result.exitCode(), tail(result.output()));
    }

    private static String tail(String output) {
        return output.length() > 6000 ? output.substring(output.length() - 6000) : output;
    }

    @Test
    void udpChannels() {
        assertNoLoss(uclient("127.0.0.1", server.udp4().getPort(), "127.0.0.1", peerPort4, withUser()));
    }

    @Test
    void udpSendIndications() {
        assertNoLoss(uclient("127.0.0.1", server.udp4().getPort(), "127.0.0.1", peerPort4, withUser("-s")));
    }

    @Test
    void tcpClientTransport() {
        assertNoLoss(uclient("127.0.0.1", server.tcp4().getPort(), "127.0.0.1", peerPort4, withUser("-t")));
    }

    @Test
    void clientToClient() {
        assertNoLoss(uclient("127.0.0.1", server.udp4().getPort(), "127.0.0.1", peerPort4, withUser("-y")));
    }

    @Test
    void ipv6RelayWithIpv6Peer() {
        assertNoLoss(uclient("::1", server.udp6().getPort(), "::1", peerPort6, withUser("-x")));
    }

    @Test
    void explicitIpv4Relay() {
        assertNoLoss(uclient("127.0.0.1", server.udp4().getPort(), "127.0.0.1", peerPort4, withUser("-X")));
    }

    @Test
    void dualAllocation() {
        ExternalTool.Result result = uclient("127.0.0.1", server.udp4().getPort(), "127.0.0.1", peerPort4,
                withUser("-Z"));
        assertNoLoss(result);
        // uclient refreshes the IPv6 half with REQUESTED-ADDRESS-FAMILY IPv6: that only succeeds (no 443) when the
        // allocation really got both relay addresses.
        assertFalse(result.output().contains("error"), tail(result.output()));
    }

    @Test
    void dontFragment() {
        assertNoLoss(uclient("127.0.0.1", server.udp4().getPort(), "127.0.0.1", peerPort4, withUser("-g")));
    }

    @Test
    void extraRequests() {
        assertNoLoss(uclient("127.0.0.1", server.udp4().getPort(), "127.0.0.1", peerPort4, withUser("-G")));
    }

    @Test
    void restSecret() {
        assertNoLoss(uclient("127.0.0.1", server.udp4().getPort(), "127.0.0.1", peerPort4,
                "-u", "carol", "-W", TurnFixture.REST_SECRET));
    }

    @Test
    void fortyClients() {
        List<String> flags = List.of("-u", TurnFixture.USER, "-w", TurnFixture.PASSWORD, "-m", "40");
        List<String> cmd = new ArrayList<>(List.of("turnutils_uclient"));
        cmd.addAll(flags);
        cmd.addAll(List.of("-n", "200", "-l", "120", "-z", "5", "-p", Integer.toString(server.udp4().getPort()),
                "-e", "127.0.0.1", "-r", Integer.toString(peerPort4), "127.0.0.1"));
        assertNoLoss(ExternalTool.run(Duration.ofSeconds(120), cmd.toArray(new String[0])));
    }

    @Test
    void tcpRelayRfc6062() {
        assertNoLoss(uclient("127.0.0.1", server.tcp4().getPort(), "127.0.0.1", peerPort4, withUser("-T")));
    }

    @Test
    void tcpRelayWrongPasswordIsRefused() {
        assertRefused(AuthFailure.BAD_INTEGRITY, () -> uclient("127.0.0.1", server.tcp4().getPort(), "127.0.0.1", peerPort4,
                "-T", "-u", TurnFixture.USER, "-w", "wrong"));
    }

    /**
     * uclient gives up ("Cannot complete Allocation", no loss summary, non-zero exit) and the server counted the
     * 401 it sent for {@code reason}: the refusal is the authentication's, not a network or relay failure. (coturn
     * 4.6's uclient does not print the error code of a 401, so the cause is read from the server's counter.)
     */
    static void assertRefused(AuthFailure reason, java.util.function.Supplier<ExternalTool.Result> run) {
        double before = server.metrics().authFailedCount(reason);
        ExternalTool.Result result = run.get();
        assertFalse(LOST.matcher(result.output()).find(), "uclient must fail:\n" + tail(result.output()));
        assertTrue(result.exitCode() != 0 && result.output().contains("Cannot complete Allocation"),
                "uclient must fail to allocate:\n" + tail(result.output()));
        assertTrue(server.metrics().authFailedCount(reason) > before, "no 401 for " + reason + ":\n"
                + tail(result.output()));
    }

    @Test
    void wrongPasswordIsRefused() {
        assertRefused(AuthFailure.BAD_INTEGRITY, () -> uclient("127.0.0.1", server.udp4().getPort(), "127.0.0.1", peerPort4,
                "-u", TurnFixture.USER, "-w", "wrong"));
    }

    @Test
    void unknownUserIsRefused() {
        assertRefused(AuthFailure.UNKNOWN_USER, () -> uclient("127.0.0.1", server.udp4().getPort(), "127.0.0.1", peerPort4,
                "-u", "mallory", "-w", "whatever"));
    }

    @Test
    void wrongRestSecretIsRefused() {
        assertRefused(AuthFailure.BAD_INTEGRITY, () -> uclient("127.0.0.1", server.udp4().getPort(), "127.0.0.1", peerPort4,
                "-u", "carol", "-W", "not-the-secret"));
    }
}
