package io.traverse.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.traverse.metrics.TraverseMetrics;
import io.traverse.transport.TlsTestCertificates.PemPair;
import io.traverse.transport.TlsTestCertificates;
import io.traverse.turn.TransportProtocol;
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
 * Interop over TLS ({@code -t -S}) and DTLS ({@code -S}) with coturn's turnutils_uclient (a client we did not
 * write, OpenSSL inside) and turnutils_peer: 0 lost packets; a wrong password makes uclient fail. uclient checks the server certificate only
 * when given {@code -E <CA file>}; one test passes our self-signed certificate as the CA so the check runs.
 */
class TlsUclientInteropTest {
    static final Pattern LOST = Pattern.compile("Total lost packets (\\d+) \\(([0-9.]+)%\\)");

    @TempDir
    static Path dir;

    private static TestServer server;
    private static PemPair certificate;
    private static Process peer;
    private static int peerPort;

    @BeforeAll
    static void start() throws Exception {
        certificate = TlsTestCertificates.write(dir, "server", "localhost");
        server = TurnFixture.start(dir, Map.of(
                "listeners", "tls://127.0.0.1:0,dtls://127.0.0.1:0",
                "tls.certificate", certificate.certificate().toString(),
                "tls.private-key", certificate.key().toString(),
                // Outside the kernel's ephemeral range (32768-60999 on Linux): a reserved RTCP port (EVEN-PORT R)
                // cannot be taken by another process's ephemeral socket before uclient claims it.
                "relay.port-range.min", "61000", "relay.port-range.max", "65535",
                TurnFixture.LEGACY_CHANNELS, "true"));
        peerPort = UclientInteropTest.freeUdpPort("127.0.0.1");
        peer = ExternalTool.start(dir.resolve("peer.log"), "turnutils_peer", "-L", "127.0.0.1", "-p",
                Integer.toString(peerPort));
        Thread.sleep(300);
        assertTrue(peer.isAlive(), "turnutils_peer exited: " + Files.readString(dir.resolve("peer.log")));
    }

    @AfterAll
    static void stop() {
        if (peer != null) {
            peer.destroyForcibly();
        }
        if (server != null) {
            server.close();
        }
    }

    static List<String> uclientCommand(int port, int peerPort, List<String> flags) {
        List<String> cmd = new ArrayList<>(List.of("turnutils_uclient"));
        cmd.addAll(flags);
        cmd.addAll(List.of("-n", "20", "-l", "120", "-z", "5", "-p", Integer.toString(port),
                "-e", "127.0.0.1", "-r", Integer.toString(peerPort), "127.0.0.1"));
        return cmd;
    }

    private static ExternalTool.Result uclient(TransportProtocol protocol, String... flags) {
        List<String> all = new ArrayList<>(List.of(flags));
        return ExternalTool.run(Duration.ofSeconds(60), uclientCommand(server.server().address(protocol, false)
                .getPort(), peerPort, all).toArray(new String[0]));
    }

    static void assertNoLoss(ExternalTool.Result result) {
        Matcher m = LOST.matcher(result.output());
        assertTrue(m.find(), "uclient printed no loss summary (exit " + result.exitCode() + "):\n"
                + tail(result.output()));
        assertEquals("0", m.group(1), "lost packets:\n" + tail(result.output()));
        assertEquals(0, result.exitCode(), tail(result.output()));
    }

    static void assertRefused(ExternalTool.Result result) {
        Matcher m = LOST.matcher(result.output());
        assertTrue(result.exitCode() != 0 || !m.find(), "uclient must fail:\n" + tail(result.output()));
    }

    static String tail(String output) {
        return output.length() > 6000 ? output.substring(output.length() - 6000) : output;
    }

    @Test
    void tlsChannels() {
        assertNoLoss(uclient(TransportProtocol.TLS, "-t", "-S", "-u", TurnFixture.USER, "-w", TurnFixture.PASSWORD));
    }

    @Test
    void tlsSendIndications() {
        assertNoLoss(uclient(TransportProtocol.TLS, "-t", "-S", "-s", "-u", TurnFixture.USER, "-w", TurnFixture.PASSWORD));
    }

    @Test
    void tlsWithCertificateVerification() {
        assertNoLoss(uclient(TransportProtocol.TLS, "-t", "-S", "-E", certificate.certificate().toString(),
                "-u", TurnFixture.USER, "-w", TurnFixture.PASSWORD));
    }

    /**
     * The secure session came up and the refusal is TURN's: the server counted a 401 for a bad MAC (coturn 4.6's
     * uclient does not print the code), not a TLS/DTLS failure.
     */
    private static void assertRefusedAfterHandshake(java.util.function.Supplier<ExternalTool.Result> run,
            String method) {
        double before = server.metrics().authFailedCount(TraverseMetrics.AuthFailure.BAD_INTEGRITY);
        ExternalTool.Result result = run.get();
        assertRefused(result);
        assertTrue(result.output().contains("client session connected with cipher")
                && result.output().contains("method=" + method), tail(result.output()));
        assertTrue(server.metrics().authFailedCount(TraverseMetrics.AuthFailure.BAD_INTEGRITY) > before, "no 401 for the wrong password:\n"
                + tail(result.output()));
    }

    @Test
    void tlsWrongPasswordIsRefused() {
        assertRefusedAfterHandshake(() -> uclient(TransportProtocol.TLS, "-t", "-S", "-u", TurnFixture.USER,
                "-w", "wrong"), "TLSv1.");
    }

    @Test
    void dtlsChannels() {
        assertNoLoss(uclient(TransportProtocol.DTLS, "-S", "-u", TurnFixture.USER, "-w", TurnFixture.PASSWORD));
    }

    @Test
    void dtlsSendIndications() {
        assertNoLoss(uclient(TransportProtocol.DTLS, "-S", "-s", "-u", TurnFixture.USER, "-w", TurnFixture.PASSWORD));
    }

    @Test
    void dtlsWithCertificateVerification() {
        assertNoLoss(uclient(TransportProtocol.DTLS, "-S", "-E", certificate.certificate().toString(),
                "-u", TurnFixture.USER, "-w", TurnFixture.PASSWORD));
    }

    @Test
    void dtlsWrongPasswordIsRefused() {
        assertRefusedAfterHandshake(() -> uclient(TransportProtocol.DTLS, "-S", "-u", TurnFixture.USER,
                "-w", "wrong"), "DTLSv1.2");
    }
}
