package io.traverse.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.traverse.config.AdminConfig;
import io.traverse.metrics.TraverseMetrics;
import io.traverse.metrics.TraverseMetrics.DropReason;
import io.traverse.metrics.TraverseMetrics.Limit;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AdminServerTest {

    static final String TOKEN = "0123456789abcdef-token";

    final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    final TraverseMetrics metrics = new TraverseMetrics(registry);
    final AtomicBoolean ready = new AtomicBoolean();
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    AdminServer server;

    @TempDir
    Path dir;

    static AdminConfig config(Path tokenFile) {
        return new AdminConfig(true, InetAddress.getLoopbackAddress(), 0, tokenFile);
    }

    AdminServer start() {
        return start(ready::get);
    }

    AdminServer start(BooleanSupplier readiness) {
        server = AdminServer.start(config(null), registry, readiness, null);
        return server;
    }

    AdminServer startWithToken() throws IOException {
        Path file = Files.writeString(dir.resolve("admin.token"), TOKEN + "\n");
        server = AdminServer.start(config(file), registry, ready::get, file);
        return server;
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.address().getPort() + path);
    }

    HttpResponse<String> get(String path, String... headers) throws Exception {
        return send("GET", path, headers);
    }

    HttpResponse<String> send(String method, String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(10))
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (headers.length > 0) {
            b.headers(headers);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Writes raw bytes on a fresh connection and reads until the server closes it. */
    String raw(byte[] request) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(server.address(), 5_000);
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(request);
            out.flush();
            InputStream in = s.getInputStream();
            ByteArrayOutputStream response = new ByteArrayOutputStream();
            byte[] buf = new byte[4096];
            for (int n; (n = in.read(buf)) >= 0; ) {
                response.write(buf, 0, n);
            }
            return response.toString(StandardCharsets.ISO_8859_1);
        }
    }

    String raw(String request) throws IOException {
        return raw(request.getBytes(StandardCharsets.ISO_8859_1));
    }

    @Test
    void bindsAnEphemeralLoopbackPort() {
        start();
        assertEquals(InetAddress.getLoopbackAddress(), server.address().getAddress());
        assertNotEquals(0, server.address().getPort());
    }

    @Test
    void metricsInPrometheusTextFormatWithLiveCounters() throws Exception {
        start();
        HttpResponse<String> first = get("/metrics");
        assertEquals(200, first.statusCode());
        assertEquals("text/plain; version=0.0.4; charset=utf-8",
                first.headers().firstValue("content-type").orElseThrow());
        assertTrue(first.body().contains("traverse_packets_dropped_total{reason=\"malformed\"} 0.0"), first.body());
        assertTrue(first.body().contains("# TYPE traverse_allocations_active gauge"), first.body());

        metrics.dropped(DropReason.MALFORMED);
        metrics.dropped(DropReason.MALFORMED);
        HttpResponse<String> second = get("/metrics?ignored=query");
        assertEquals(200, second.statusCode());
        assertTrue(second.body().contains("traverse_packets_dropped_total{reason=\"malformed\"} 2.0"), second.body());
    }

    @Test
    void healthzIsAlwaysOk() throws Exception {
        start();
        HttpResponse<String> r = get("/healthz");
        assertEquals(200, r.statusCode());
        assertEquals("ok", r.body());
        assertEquals("no-store", r.headers().firstValue("cache-control").orElseThrow());
    }

    @Test
    void readyzFollowsTheSupplier() throws Exception {
        start();
        HttpResponse<String> notReady = get("/readyz");
        assertEquals(503, notReady.statusCode());
        assertEquals("not ready", notReady.body());
        ready.set(true);
        HttpResponse<String> isReady = get("/readyz");
        assertEquals(200, isReady.statusCode());
        assertEquals("ready", isReady.body());
        ready.set(false);
        assertEquals(503, get("/readyz").statusCode());
        assertEquals(200, get("/healthz").statusCode(), "alive while not ready");
    }

    @Test
    void aThrowingReadinessCheckMeansNotReady() throws Exception {
        start(() -> {
            throw new IllegalStateException("boom");
        });
        assertEquals(503, get("/readyz").statusCode());
        assertEquals(200, get("/healthz").statusCode());
    }

    @ParameterizedTest
    @ValueSource(strings = {"/healthz", "/readyz", "/metrics"})
    void headAnswersLikeGetWithoutABody(String path) throws Exception {
        start();
        ready.set(true);
        HttpResponse<String> head = send("HEAD", path);
        assertEquals(200, head.statusCode());
        assertEquals("", head.body());
        long length = head.headers().firstValueAsLong("content-length").orElseThrow();
        assertTrue(length > 0);
        if (!path.equals("/metrics")) {
            assertEquals(get(path).body().length(), length);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"/", "/metrics/", "/health", "/readyz/x", "/METRICS", "/favicon.ico"})
    void unknownPathsAre404(String path) throws Exception {
        start();
        assertEquals(404, get(path).statusCode());
    }

    @ParameterizedTest
    @ValueSource(strings = {"POST", "PUT", "DELETE", "OPTIONS", "PATCH"})
    void otherMethodsAre405(String method) throws Exception {
        start();
        HttpResponse<String> r = send(method, "/metrics");
        assertEquals(405, r.statusCode());
        assertEquals("GET, HEAD", r.headers().firstValue("allow").orElseThrow());
        assertEquals(405, send(method, "/healthz").statusCode());
    }

    @Test
    void requestBodiesAreIgnoredAndLimited() throws Exception {
        start();
        HttpResponse<String> small = http.send(HttpRequest.newBuilder(uri("/metrics"))
                .POST(HttpRequest.BodyPublishers.ofString("x".repeat(100))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(405, small.statusCode());
        // refused on its Content-Length, before the body is read
        String big = raw("GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\nConnection: close\r\n\r\n");
        assertTrue(big.startsWith("HTTP/1.1 413"), big);
        assertEquals(200, get("/healthz").statusCode());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "GET /healthz HTTP/9.x\r\nHost: x\r\n\r\n",
        "GET healthz HTTP/1.1\r\nHost: x\r\n\r\n",
        "GET /healthz HTTP/1.1\r\nHost: x\r\nBad Header: y\r\n\r\n",
    })
    void malformedRequestsAre400AndTheConnectionCloses(String request) throws Exception {
        start();
        String response = raw(request); // returns only once the server closed the connection
        assertTrue(response.startsWith("HTTP/1.1 400 Bad Request"), response);
        assertTrue(response.toLowerCase().contains("connection: close"), response);
        assertEquals(200, get("/healthz").statusCode());
    }

    @Test
    void oversizedHeadersAre400() throws Exception {
        start();
        String response = raw("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Long: " + "a".repeat(20_000) + "\r\n\r\n");
        assertTrue(response.startsWith("HTTP/1.1 400"), response);
        assertEquals(200, get("/healthz").statusCode());
    }

    @Test
    void absoluteFormTargetsAreUnderstood() throws Exception {
        start();
        String response = raw("GET http://127.0.0.1/healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        assertTrue(response.startsWith("HTTP/1.1 200 OK"), response);
        assertTrue(response.endsWith("\r\n\r\nok"), response);
    }

    @Test
    void keepAliveServesSeveralRequestsOnOneConnection() throws Exception {
        start();
        String two = raw("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
                + "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        assertEquals(2, two.split("HTTP/1.1 200 OK", -1).length - 1, two);
    }

    @Test
    void garbageDoesNotKillTheServer() throws Exception {
        start();
        Random random = new Random(42);
        for (int i = 0; i < 20; i++) {
            int length = 1 + random.nextInt(3000);
            byte[] junk = new byte[length + 4];
            random.nextBytes(junk);
            System.arraycopy("\r\n\r\n".getBytes(StandardCharsets.US_ASCII), 0, junk, length, 4);
            try (Socket s = new Socket()) {
                s.connect(server.address(), 5_000);
                // One write: the server may answer the junk with 400 and close at once, and a second write after
                // that close would fail with "Broken pipe" in this client, not in the server (a ci-local run saw it).
                s.getOutputStream().write(junk);
            }
        }
        // a TLS ClientHello on the plain-text port
        raw(new byte[] {0x16, 0x03, 0x01, 0x00, 0x05, 0x01, 0x00, 0x00, 0x01, 0x00, '\r', '\n', '\r', '\n'});
        assertEquals(200, get("/healthz").statusCode());
        assertEquals(200, get("/metrics").statusCode());
    }

    @Test
    void bearerTokenGuardsEverythingButHealthz() throws Exception {
        startWithToken();
        HttpResponse<String> none = get("/metrics");
        assertEquals(401, none.statusCode());
        assertEquals("Bearer realm=\"traverse-admin\"", none.headers().firstValue("www-authenticate").orElseThrow());
        assertFalse(none.body().contains("traverse_"));
        assertEquals(401, get("/metrics", "Authorization", "Bearer wrong").statusCode());
        assertEquals(401, get("/metrics", "Authorization", "Basic " + TOKEN).statusCode());
        assertEquals(401, get("/readyz").statusCode());
        assertEquals(401, get("/nope").statusCode(), "no path probing without the token");

        HttpResponse<String> ok = get("/metrics", "Authorization", "Bearer " + TOKEN);
        assertEquals(200, ok.statusCode());
        assertTrue(ok.body().contains("traverse_packets_dropped_total"));
        assertEquals(503, get("/readyz", "Authorization", "bearer " + TOKEN).statusCode());
        assertEquals(404, get("/nope", "Authorization", "Bearer " + TOKEN).statusCode());
        assertEquals(200, get("/healthz").statusCode(), "liveness needs no token");
    }

    /** Connections beyond admin.max-connections-per-ip from one address are closed at accept and counted. */
    @Test
    void connectionsPerIpAreCapped() throws Exception {
        server = AdminServer.start(new AdminConfig(true, InetAddress.getLoopbackAddress(), 0, null, 3,
                Duration.ofSeconds(10)), registry, ready::get, null);
        List<Socket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < 5; i++) {
                Socket s = new Socket();
                s.connect(server.address(), 5_000);
                s.setSoTimeout(300);
                sockets.add(s);
            }
            int closed = 0;
            for (Socket s : sockets) {
                try {
                    if (s.getInputStream().read() < 0) {
                        closed++;
                    }
                } catch (SocketTimeoutException open) {
                    // held
                }
            }
            assertEquals(2, closed);
            assertEquals(2, metrics.refusedCount(Limit.ADMIN_CONNECTIONS_PER_IP));
        } finally {
            for (Socket s : sockets) {
                s.close();
            }
        }
        assertEquals(200, get("/healthz").statusCode(), "served again once those connections are gone");
    }

    /**
     * A request trickled a byte at a time is closed admin.request-timeout after its first byte: the deadline is not
     * reset per byte (slowloris), while the 60 s idle timeout alone never fires for it.
     */
    @Test
    void requestMustArriveWholeWithinTheTimeout() throws Exception {
        server = AdminServer.start(new AdminConfig(true, InetAddress.getLoopbackAddress(), 0, null, 8,
                Duration.ofMillis(800)), registry, ready::get, null);
        byte[] request = "GET /metrics HTTP/1.1\r\nHost: x\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n\r\n"
                .getBytes(StandardCharsets.US_ASCII);
        try (Socket s = new Socket()) {
            s.connect(server.address(), 5_000);
            long start = System.nanoTime();
            boolean closed = false;
            try {
                for (int i = 0; i < request.length - 2; i++) {
                    s.getOutputStream().write(request[i]);
                    s.getOutputStream().flush();
                    Thread.sleep(100);
                }
            } catch (IOException e) {
                closed = true;
            }
            s.setSoTimeout(2_000);
            closed = closed || readsEndOfStream(s);
            assertTrue(closed, "the trickling connection is closed");
            assertTrue(System.nanoTime() - start < Duration.ofSeconds(5).toNanos(), "well before the idle timeout");
        }
        assertEquals(1, metrics.refusedCount(Limit.ADMIN_REQUEST_TIMEOUT));
        assertEquals(200, get("/healthz").statusCode());
    }

    private static boolean readsEndOfStream(Socket s) {
        try {
            return s.getInputStream().read() < 0;
        } catch (IOException e) {
            return true;
        }
    }

    @Test
    void closeStopsListening() throws Exception {
        start();
        InetSocketAddress address = server.address();
        server.close();
        server.close(); // idempotent
        server = null;
        assertThrows(ConnectException.class, () -> {
            try (Socket s = new Socket()) {
                s.connect(address, 2_000);
            }
        });
    }

    @Test
    void refusesADisabledConfig() {
        AdminConfig disabled = new AdminConfig(false, InetAddress.getLoopbackAddress(), 0, null);
        assertThrows(IllegalArgumentException.class, () -> AdminServer.start(disabled, registry, () -> true, null));
    }

    @Test
    void refusesAConfiguredTokenWithoutItsResolvedPath() {
        assertThrows(IllegalArgumentException.class,
                () -> AdminServer.start(config(Path.of("admin.token")), registry, () -> true, null));
    }

    @Test
    void unreadableTokenFileFailsTheStart() {
        Path missing = dir.resolve("missing.token");
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> AdminServer.start(config(missing), registry, () -> true, missing));
        assertTrue(e.getMessage().contains("missing.token"), e.getMessage());
    }

    @Test
    void aTakenPortFailsTheStartNamingTheAddress() {
        start();
        AdminConfig same = new AdminConfig(true, InetAddress.getLoopbackAddress(), server.address().getPort(), null);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> AdminServer.start(same, registry, () -> true, null));
        assertTrue(e.getMessage().contains(Integer.toString(server.address().getPort())), e.getMessage());
    }

    @Test
    void readyzCarriesTheReadinessDetailWithoutChangingTheStatus() throws Exception {
        ready.set(true);
        start();
        java.util.concurrent.atomic.AtomicReference<String> problem = new java.util.concurrent.atomic.AtomicReference<>();
        server.readinessDetail(problem::get);
        assertEquals("ready", get("/readyz").body());
        problem.set("credential store redis://127.0.0.1:6379/0 is down: connection refused");
        HttpResponse<String> degraded = get("/readyz");
        assertEquals(200, degraded.statusCode(), "cached users still work: degraded, not unready");
        assertEquals("ready\ncredential store redis://127.0.0.1:6379/0 is down: connection refused", degraded.body());
    }
}
