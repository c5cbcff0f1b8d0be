package io.traverse.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.traverse.stun.MessageType;
import io.traverse.stun.Method;
import io.traverse.transport.TlsTestCertificates.PemPair;
import io.traverse.transport.TlsTestCertificates;
import io.traverse.turn.TransportProtocol;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Certificate reload (SIGHUP → {@code TraverseServer.reloadCertificates()}) while a TLS allocation relays: new
 * handshakes see the new certificate, the established connection keeps its session and keeps relaying (coturn's
 * turnutils_uclient over TLS reports 0 lost packets across the swap).
 */
class TlsReloadTest {
    @TempDir
    Path dir;

    private TestServer server;
    private PemPair original;
    private InetSocketAddress tls;
    private Process peer;
    private int peerPort;

    @BeforeEach
    void start() throws Exception {
        original = TlsTestCertificates.write(dir, "server", "first.test");
        server = TurnFixture.start(dir, Map.of("listeners", "tls://127.0.0.1:0",
                "tls.certificate", original.certificate().toString(),
                "tls.private-key", original.key().toString(),
                // Outside the kernel's ephemeral range (32768-60999 on Linux): a reserved RTCP port (EVEN-PORT R)
                // cannot be taken by another process's ephemeral socket before uclient claims it.
                "relay.port-range.min", "61000", "relay.port-range.max", "65535",
                TurnFixture.LEGACY_CHANNELS, "true"));
        tls = server.server().address(TransportProtocol.TLS, false);
        peerPort = UclientInteropTest.freeUdpPort("127.0.0.1");
        peer = ExternalTool.start(dir.resolve("peer.log"), "turnutils_peer", "-L", "127.0.0.1", "-p",
                Integer.toString(peerPort));
    }

    @AfterEach
    void stop() {
        if (peer != null) {
            peer.destroyForcibly();
        }
        if (server != null) {
            server.close();
        }
    }

    private void replaceCertificate(PemPair next) throws Exception {
        Files.move(next.certificate(), original.certificate(), StandardCopyOption.REPLACE_EXISTING);
        Files.move(next.key(), original.key(), StandardCopyOption.REPLACE_EXISTING);
    }

    @Test
    void reloadWhileAnAllocationRelays() throws Exception {
        try (TlsTestClient before = TlsTestClient.connect(tls)) {
            assertEquals(original.leaf(), before.serverCertificate());
            Path log = dir.resolve("uclient.log");
            List<String> cmd = TlsUclientInteropTest.uclientCommand(tls.getPort(), peerPort,
                    List.of("-t", "-S", "-u", TurnFixture.USER, "-w", TurnFixture.PASSWORD));
            // 150 packets 40 ms apart per session: relaying for about 6 s, across the reload.
            cmd.set(cmd.indexOf("-n") + 1, "150");
            cmd.set(cmd.indexOf("-z") + 1, "40");
            Process uclient = ExternalTool.start(log, cmd.toArray(new String[0]));
            try {
                long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                while (server.server().allocations().active() == 0 && System.nanoTime() < deadline
                        && uclient.isAlive()) {
                    Thread.sleep(20);
                }
                assertTrue(server.server().allocations().active() > 0, "uclient allocated:\n" + Files.readString(log));
                Thread.sleep(500);

                PemPair next = TlsTestCertificates.write(dir, "next", "second.test");
                replaceCertificate(next);
                assertTrue(server.server().reloadCertificates());

                try (TlsTestClient after = TlsTestClient.connect(tls)) {
                    assertEquals(next.leaf(), after.serverCertificate(), "a new handshake sees the new certificate");
                    assertEquals(MessageType.successResponse(Method.BINDING), after.binding().type());
                }
                assertEquals(original.leaf(), before.serverCertificate(), "the old session keeps its certificate");
                assertEquals(MessageType.successResponse(Method.BINDING), before.binding().type());
                assertTrue(uclient.isAlive(), "uclient still relaying after the reload:\n" + Files.readString(log));
                assertTrue(server.server().allocations().active() > 0);

                assertTrue(uclient.waitFor(90, TimeUnit.SECONDS), "uclient finished");
            } finally {
                uclient.destroyForcibly();
            }
            String output = Files.readString(log);
            TlsUclientInteropTest.assertNoLoss(new ExternalTool.Result(uclient.exitValue(), output));
        }
    }

    @Test
    void badFileOnReloadKeepsTheCurrentCertificate() throws Exception {
        Files.writeString(original.key(), "not a key");
        assertFalse(server.server().reloadCertificates());
        try (TlsTestClient client = TlsTestClient.connect(tls)) {
            assertEquals(original.leaf(), client.serverCertificate());
            assertEquals(MessageType.successResponse(Method.BINDING), client.binding().type());
        }
    }
}
