package io.traverse.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.traverse.admin.AdminServer;
import io.traverse.config.AdminConfig;
import io.traverse.config.ConfigLoader;
import io.traverse.metrics.TraverseMetrics;
import io.traverse.server.TraverseServer;
import io.traverse.turn.TransportProtocol;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A real socket overflow: a UDP listener configured with the smallest receive buffer, its only event loop held
 * busy, and a burst of Binding requests. The kernel drops what does not fit (RcvbufErrors), and the drops show
 * in {@code GET /metrics} as {@code traverse_udp_kernel_errors_total{family="ipv4",kind="rcvbuf"}}. The burst
 * is one that the kernel's default 212 KiB buffer holds whole, so the rise also proves the listener's
 * {@code socket-buffer} was applied.
 */
class UdpSocketOverflowTest {
    /** Small enough for the default buffer (a 20-byte datagram costs the kernel about 1 KiB), far over 4 KiB. */
    private static final int BURST = 100;
    private static final Pattern RCVBUF = Pattern.compile(
            "^traverse_udp_kernel_errors_total\\{family=\"ipv4\",kind=\"rcvbuf\",?} (\\S+)$", Pattern.MULTILINE);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private TraverseServer server;
    private AdminServer admin;

    @AfterEach
    void stop() {
        if (admin != null) {
            admin.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    void overflowOfATinyListenerBufferIsCountedInMetrics() throws Exception {
        PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        server = TraverseServer.start(ConfigLoader.parse(
                "listeners: [{protocol: udp, address: 127.0.0.1, port: 0, socket-buffer: 4096}]\n"
                        + "server: {event-loops: 1}\nadmin: {enabled: false}\nrelay: {addresses: [127.0.0.1]}\n",
                Map.of()), new TraverseMetrics(prometheus));
        admin = AdminServer.start(new AdminConfig(true, InetAddress.getLoopbackAddress(), 0, null), prometheus,
                server::isReady, null);
        InetSocketAddress udp = server.address(TransportProtocol.UDP, false);
        double before = rcvbufErrors();

        CountDownLatch blocked = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        // With one event loop this is the listener's loop: while it waits, nothing reads the socket.
        server.watchdogExecutor().execute(() -> {
            blocked.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assertTrue(blocked.await(5, TimeUnit.SECONDS));
        try (DatagramSocket client = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            byte[] binding = bindingRequest();
            for (int i = 0; i < BURST; i++) {
                client.send(new DatagramPacket(binding, binding.length, udp));
            }
        } finally {
            release.countDown();
        }

        double dropped = rcvbufErrors() - before;
        // At most a handful of 20-byte datagrams fit in the kernel's floor of about 4 KiB (doubled): the rest
        // were dropped. Other sockets of the host can only add to the counter.
        assertTrue(dropped >= BURST / 2, "RcvbufErrors rose by " + dropped + " after a burst of " + BURST);
        assertEquals(200, http.send(HttpRequest.newBuilder(metricsUri()).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode());
    }

    /** RFC 8489 §5: a Binding request without attributes (the transaction ID's value does not matter here). */
    private static byte[] bindingRequest() {
        return java.nio.ByteBuffer.allocate(20).putShort((short) 0x0001).putShort((short) 0).putInt(0x2112A442)
                .putLong(0x0102030405060708L).putInt(0x090a0b0c).array();
    }

    private URI metricsUri() {
        InetSocketAddress a = admin.address();
        return URI.create("http://127.0.0.1:" + a.getPort() + "/metrics");
    }

    private double rcvbufErrors() throws Exception {
        String body = http.send(HttpRequest.newBuilder(metricsUri()).build(), HttpResponse.BodyHandlers.ofString())
                .body();
        Matcher m = RCVBUF.matcher(body);
        assertTrue(m.find(), "no rcvbuf line in /metrics:\n" + body);
        return Double.parseDouble(m.group(1));
    }
}
