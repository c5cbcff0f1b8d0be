package io.traverse.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The self-test page of the admin endpoint in real headless Chromium against the real server (a child JVM):
 * relay candidates and a data-channel round trip through the relay for UDP and TCP with credentials the server
 * minted from its REST secret; a wrong credential and a wrong admin token each show a clear error.
 */
class SelfTestPageChromiumTest {
    static final String TOKEN = "selftest-admin-token";
    static final String SECRET = "selftest-rest-secret";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    private static ServerProcess server;
    private static HeadlessChromium chromium;

    @BeforeAll
    static void start() throws Exception {
        Path token = Files.writeString(dir.resolve("admin-token"), TOKEN);
        Path config = Files.writeString(dir.resolve("traverse.yaml"), String.join("\n",
                "server:",
                "  realm: selftest.test",
                "  event-loops: 2",
                "listeners: [udp://127.0.0.1:0, tcp://127.0.0.1:0]",
                "relay:",
                "  addresses: [{bind: 127.0.0.1}]",
                "auth:",
                "  rest-secrets: [" + SECRET + "]",
                "peers:",
                "  allow-loopback-insecure-test-only: true",
                "admin:",
                "  port: 0",
                "  bearer-token-file: " + token,
                ""));
        server = ServerProcess.start(config);
        Path profile = Files.createDirectory(dir.resolve("chromium-profile"));
        chromium = HeadlessChromium.start(profile);
    }

    @AfterAll
    static void stop() throws Exception {
        if (chromium != null) {
            chromium.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private static int runs;

    /** Loads the page afresh (a new query, so never just a fragment change) and waits until it finished. */
    private static JsonNode runPage(String fragment) throws Exception {
        String run = "?run=" + (++runs);
        chromium.navigate(server.adminUrl() + "/admin/selftest" + run + "#" + fragment);
        assertTrue(chromium.await("location.search === '" + run + "' && document.readyState === 'complete' && ("
                + "document.getElementById('status').textContent.startsWith('done')"
                + " || document.getElementById('status').textContent === 'failed')", Duration.ofSeconds(90)),
                "the page did not finish: " + chromium.evaluate("document.body.innerText"));
        String results = chromium.evaluate("document.body.dataset.results || null");
        return results == null ? null : JSON.readTree(results);
    }

    @Test
    void relayCandidatesAndARoundTripForUdpAndTcp() throws Exception {
        JsonNode results = runPage("token=" + TOKEN + "&autorun=1");
        String text = chromium.evaluate("document.body.innerText");
        assertEquals("done: all OK", chromium.evaluate("document.getElementById('status').textContent"), text);
        assertEquals(2, results.size(), text);
        int udp = server.listener("udp").getPort();
        int tcp = server.listener("tcp").getPort();
        for (JsonNode r : results) {
            String url = r.get("url").asText();
            assertTrue(url.equals("turn:127.0.0.1:" + udp + "?transport=udp")
                    || url.equals("turn:127.0.0.1:" + tcp + "?transport=tcp"), url);
            assertTrue(r.get("ok").asBoolean(), r.toString());
            assertTrue(r.get("candidates").toString().contains("127.0.0.1:"), r.toString());
            assertTrue(r.get("candidates").toString().contains(" relay "), r.toString());
            assertTrue(r.get("rttMs").asInt() >= 0, r.toString());
        }
    }

    @Test
    void aWrongCredentialShowsTheRefusal() throws Exception {
        JsonNode results = runPage("token=" + TOKEN + "&username=1:nobody&password=wrong&autorun=1");
        String text = chromium.evaluate("document.body.innerText");
        assertEquals("done: 2 failed", chromium.evaluate("document.getElementById('status').textContent"), text);
        for (JsonNode r : results) {
            assertFalse(r.get("ok").asBoolean(), r.toString());
            assertEquals(0, r.get("candidates").size(), r.toString());
        }
        assertTrue(text.contains("401"), text);
        assertTrue(text.contains("the server refused the credentials"), text);
    }

    @Test
    void aWrongAdminTokenShowsAClearError() throws Exception {
        runPage("token=not-the-token&autorun=1");
        assertEquals("Cannot get the server's URLs: the server answered 401: wrong or missing admin token",
                chromium.evaluate("document.getElementById('error').textContent"));
    }

    @Test
    void thePageLoadsNothingFromElsewhereAndTheSecretNeverReachesIt() throws Exception {
        HttpResponse<String> page = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(server.adminUrl() + "/admin/selftest")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, page.statusCode());
        assertFalse(page.body().contains("src=\"http") || page.body().contains("<link"), page.body());
        assertTrue(page.headers().firstValue("Content-Security-Policy").orElse("").contains("default-src 'none'"));
        HttpResponse<String> config = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(server.adminUrl() + "/admin/selftest/config")).header("Authorization", "Bearer " + TOKEN)
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, config.statusCode());
        assertFalse(config.body().contains(SECRET), config.body());
        assertTrue(JSON.readTree(config.body()).get("username").asText().endsWith(":selftest"), config.body());
        HttpResponse<String> noToken = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(server.adminUrl() + "/admin/selftest/config")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(401, noToken.statusCode());
    }
}
