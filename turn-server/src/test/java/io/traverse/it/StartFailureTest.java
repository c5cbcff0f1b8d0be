package io.traverse.it;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.traverse.config.ConfigLoader;
import io.traverse.config.TraverseConfig;
import io.traverse.metrics.TraverseMetrics;
import io.traverse.server.TraverseServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A server that fails to start closes what it had opened before the failing part. */
class StartFailureTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    /** The thread that polls the users and secrets files ({@code CredentialFiles}). */
    private static final String POLLER = "traverse-credential-poll";

    @Test
    void aListenerThatCannotBeBoundClosesTheListenersAndPollersOpenedBefore(@TempDir Path dir) throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 50, LOOPBACK)) {
            port = probe.getLocalPort();
        }
        Map<String, String> overrides = new LinkedHashMap<>(TurnFixture.overrides(dir));
        // 192.0.2.1 (TEST-NET-1, RFC 5737) is no address of this host: the second bind fails, nothing is sent.
        overrides.put("listeners", "tcp://127.0.0.1:" + port + ",udp://192.0.2.1:0");
        Set<Thread> pollersBefore = pollers();

        IllegalStateException e = assertThrows(IllegalStateException.class, () -> start(overrides));

        assertTrue(e.getMessage().contains("192.0.2.1"), e::getMessage);
        try (ServerSocket again = new ServerSocket()) {
            again.bind(new InetSocketAddress(LOOPBACK, port)); // throws while the TCP listener is still open
        }
        assertPollersStopped(pollersBefore);
    }

    @Test
    void anUnreadableStorePasswordStopsTheCredentialFilePoller(@TempDir Path dir) throws Exception {
        Map<String, String> overrides = new LinkedHashMap<>(TurnFixture.overrides(dir));
        overrides.put("auth.store.url", "redis://127.0.0.1:1");
        overrides.put("auth.store.password-file", dir.resolve("no-such-password").toString());
        Set<Thread> pollersBefore = pollers();

        IllegalStateException e = assertThrows(IllegalStateException.class, () -> start(overrides));

        assertTrue(e.getMessage().contains("auth.store.password-file"), e::getMessage);
        assertPollersStopped(pollersBefore);
    }

    private static void start(Map<String, String> overrides) throws Exception {
        Map<String, String> all = new LinkedHashMap<>();
        all.put("admin.enabled", "false");
        all.put("server.event-loops", "1");
        all.putAll(overrides);
        TraverseConfig config = ConfigLoader.parse("", all);
        TraverseServer.start(config, TraverseMetrics.inMemory()).close();
    }

    private static Set<Thread> pollers() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals(POLLER))
                .collect(Collectors.toSet());
    }

    /** Every poller thread started since {@code before} ends (a poller still scheduled never would). */
    private static void assertPollersStopped(Set<Thread> before) throws InterruptedException {
        for (Thread t : pollers()) {
            if (!before.contains(t)) {
                t.join(10_000);
                assertFalse(t.isAlive(), "credential-file poller still running after a failed start");
            }
        }
    }
}
