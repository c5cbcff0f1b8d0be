package io.traverse.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.traverse.it.TestServer;
import io.traverse.it.TurnFixture;
import io.traverse.transport.TlsTestCertificates;
import io.traverse.turn.TransportProtocol;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code turn-cli probe turns:...} against the real server's TLS listener: every step passes; a wrong CA fails. */
class ProbeRealTlsTest {
    @TempDir
    static Path dir;

    private static TestServer server;

    @BeforeAll
    static void start() throws Exception {
        KeyPair keys = TlsTestCertificates.ec();
        TlsTestCertificates.writeCertificates(dir.resolve("server.crt"), TlsTestCertificates.selfSigned(keys, "127.0.0.1"));
        TlsTestCertificates.writeKey(dir.resolve("server.key"), keys, TlsTestCertificates.KeyFormat.PKCS8);
        Map<String, String> overrides = new HashMap<>();
        overrides.put("listeners", "tls://127.0.0.1:0,udp://127.0.0.1:0");
        overrides.put("tls.certificate", dir.resolve("server.crt").toString());
        overrides.put("tls.private-key", dir.resolve("server.key").toString());
        server = TurnFixture.start(dir, overrides);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static String url() {
        return "turns:127.0.0.1:" + server.server().address(TransportProtocol.TLS, false).getPort() + "?transport=tcp";
    }

    @Test
    void probeOverTlsPassesEveryStep() {
        Cli.Result r = new Cli().clock(Clock.systemUTC()).stdin(TurnFixture.PASSWORD + "\n").run("probe", url(),
                "--user", TurnFixture.USER, "--password-stdin", "--insecure");
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.out().contains("relay"), r.out());
    }

    @Test
    void probeOverTlsWithAnUntrustedCertificateNamesTheTlsStep() {
        Cli.Result r = new Cli().clock(Clock.systemUTC()).stdin(TurnFixture.PASSWORD + "\n").run("probe", url(),
                "--user", TurnFixture.USER, "--password-stdin");
        assertEquals(1, r.exitCode(), r.toString());
        assertTrue((r.out() + r.err()).toLowerCase().contains("tls"), r.toString());
    }
}
