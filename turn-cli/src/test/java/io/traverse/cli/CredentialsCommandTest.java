package io.traverse.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code turn-cli credentials}: TURN REST API credentials checked against an independent HMAC computation. */
class CredentialsCommandTest {
    static final String SECRET = "s3cr3t-newest";
    static final String URL_UDP = "turn:turn.example.org:3478?transport=udp";
    static final String URL_TLS = "turns:turn.example.org:5349?transport=tcp";
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    /** base64(HMAC-SHA1(secret, username)), computed here without the code under test. */
    static String expectedCredential(String secret, String username) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA1");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
        return Base64.getEncoder().encodeToString(mac.doFinal(username.getBytes(StandardCharsets.UTF_8)));
    }

    private Path secretsFile(String... lines) throws Exception {
        Path f = dir.resolve("rest-secrets");
        Files.write(f, List.of(lines));
        return f;
    }

    private static JsonNode server(Cli.Result r) throws Exception {
        assertEquals(0, r.exitCode(), r.toString());
        JsonNode array = JSON.readTree(r.out());
        assertTrue(array.isArray());
        assertEquals(1, array.size());
        return array.get(0);
    }

    private static List<String> urls(JsonNode server) {
        List<String> out = new ArrayList<>();
        server.get("urls").forEach(n -> out.add(n.asText()));
        return out;
    }

    @Test
    void jsonIsAnIceServerArrayWithAValidCredential() throws Exception {
        Path secrets = secretsFile("# newest first", SECRET, "older-secret");
        Cli.Result r = Cli.exec("credentials", "--secret-file", secrets.toString(), "--user", "alice",
                "--ttl", "12h", "--url", URL_UDP, "--url", URL_TLS);
        JsonNode server = server(r);
        long expiry = Cli.NOW.getEpochSecond() + 12 * 3600;
        String username = expiry + ":alice";
        assertEquals(username, server.get("username").asText());
        assertEquals(expectedCredential(SECRET, username), server.get("credential").asText(),
                "signed with the first (newest) secret");
        assertEquals(List.of(URL_UDP, URL_TLS), urls(server));
        List<String> fields = new ArrayList<>();
        server.fieldNames().forEachRemaining(fields::add);
        assertEquals(List.of("urls", "username", "credential"), fields, "exactly the RTCIceServer members");
        assertEquals("", r.err());
    }

    @ParameterizedTest(name = "--ttl {0} = {1} s")
    @CsvSource({"30m, 1800", "12h, 43200", "1d, 86400", "3600, 3600", "90s, 90", "2D, 172800"})
    void ttlFormats(String ttl, long seconds) throws Exception {
        Cli.Result r = Cli.exec("credentials", "--secret-file", secretsFile(SECRET).toString(), "--ttl", ttl,
                "--url", URL_UDP);
        String username = server(r).get("username").asText();
        assertEquals(Long.toString(Cli.NOW.getEpochSecond() + seconds), username, "no user id: expiry only");
    }

    @Test
    void defaultTtlIs24Hours() throws Exception {
        Cli.Result r = Cli.exec("credentials", "--secret-file", secretsFile(SECRET).toString(), "--url", URL_UDP);
        assertEquals(Long.toString(Cli.NOW.getEpochSecond() + 86400), server(r).get("username").asText());
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "-5m", "12x", "h", "3651d", ""})
    void badTtlIsAUsageError(String ttl) throws Exception {
        Cli.Result r = Cli.exec("credentials", "--secret-file", secretsFile(SECRET).toString(), "--ttl", ttl,
                "--url", URL_UDP);
        assertEquals(2, r.exitCode(), r.toString());
        assertEquals(1, r.err().lines().count(), "one line: " + r.err());
        assertTrue(r.err().startsWith("turn-cli: "), r.err());
    }

    @Test
    void secretFromEnvironment() throws Exception {
        Cli.Result r = new Cli().env("TURN_SECRET", "from-env").run("credentials", "--secret-env", "TURN_SECRET",
                "--user", "bob", "--url", URL_UDP);
        JsonNode server = server(r);
        String username = server.get("username").asText();
        assertEquals(expectedCredential("from-env", username), server.get("credential").asText());
    }

    @Test
    void unsetEnvironmentVariableFails() {
        Cli.Result r = Cli.exec("credentials", "--secret-env", "NOPE", "--url", URL_UDP);
        assertEquals(1, r.exitCode(), r.toString());
        assertTrue(r.err().contains("NOPE is not set"), r.err());
    }

    @Test
    void secretArgumentNeedsTheInsecureFlagAndWarns() throws Exception {
        Cli.Result refused = Cli.exec("credentials", "--secret", "inline", "--url", URL_UDP);
        assertEquals(2, refused.exitCode(), refused.toString());
        assertTrue(refused.err().contains("--insecure-secret-arg"), refused.err());

        Cli.Result r = Cli.exec("credentials", "--secret", "inline", "--insecure-secret-arg", "--url", URL_UDP);
        JsonNode server = server(r);
        assertEquals(expectedCredential("inline", server.get("username").asText()), server.get("credential").asText());
        assertTrue(r.err().startsWith("turn-cli: warning:"), r.err());
        assertFalse(r.err().contains("inline"), "the warning does not echo the secret");
    }

    @Test
    void twoSecretSourcesAreAUsageError() throws Exception {
        Cli.Result r = new Cli().env("S", "x").run("credentials", "--secret-file", secretsFile(SECRET).toString(),
                "--secret-env", "S", "--url", URL_UDP);
        assertEquals(2, r.exitCode(), r.toString());
    }

    @Test
    void noSecretIsAUsageError() {
        Cli.Result r = Cli.exec("credentials", "--url", URL_UDP);
        assertEquals(2, r.exitCode(), r.toString());
        assertTrue(r.err().contains("no shared secret"), r.err());
    }

    @Test
    void emptySecretsFileFails() throws Exception {
        Cli.Result r = Cli.exec("credentials", "--secret-file", secretsFile("# nothing").toString(), "--url", URL_UDP);
        assertEquals(1, r.exitCode(), r.toString());
        assertTrue(r.err().contains("holds no secret"), r.err());
    }

    @Test
    void configGivesSecretFileAndUrlsFromListeners() throws Exception {
        Path secrets = secretsFile(SECRET, "older");
        Path cert = Files.writeString(dir.resolve("cert.pem"), "unused");
        Path config = Files.writeString(dir.resolve("traverse.yaml"), String.join("\n",
                "listeners:",
                "  - udp://0.0.0.0:3478",
                "  - udp://[::]:3478",
                "  - tcp://0.0.0.0:3478",
                "  - tls://0.0.0.0:5349",
                "  - dtls://0.0.0.0:5349",
                "auth:",
                "  rest-secrets-file: rest-secrets",
                "tls:",
                "  certificate: cert.pem",
                "  private-key: cert.pem",
                ""));
        Cli.Result noHost = Cli.exec("credentials", "--config", config.toString());
        assertEquals(2, noHost.exitCode(), noHost.toString());
        assertTrue(noHost.err().contains("--host"), noHost.err());

        Cli.Result r = Cli.exec("credentials", "--config", config.toString(), "--host", "turn.example.org",
                "--user", "carol");
        JsonNode server = server(r);
        assertEquals(List.of("turn:turn.example.org:3478?transport=udp", "turn:turn.example.org:3478?transport=tcp",
                "turns:turn.example.org:5349?transport=tcp"), urls(server), "deduplicated, no DTLS");
        assertEquals(expectedCredential(SECRET, server.get("username").asText()), server.get("credential").asText());
        assertTrue(cert.toFile().exists());
    }

    @Test
    void configWithSpecificAddressesAndInlineSecrets() throws Exception {
        Path config = Files.writeString(dir.resolve("traverse.yaml"), String.join("\n",
                "listeners: [udp://192.0.2.10:3478, \"tcp://[2001:db8::5]:3479\"]",
                "auth:",
                "  rest-secrets: [first-inline, second-inline]",
                ""));
        JsonNode server = server(Cli.exec("credentials", "--config", config.toString()));
        assertEquals(List.of("turn:192.0.2.10:3478?transport=udp", "turn:[2001:db8::5]:3479?transport=tcp"),
                urls(server));
        assertEquals(expectedCredential("first-inline", server.get("username").asText()),
                server.get("credential").asText());
    }

    @Test
    void explicitSecretAndUrlsWinOverConfig() throws Exception {
        Path config = Files.writeString(dir.resolve("traverse.yaml"), "auth:\n  rest-secrets: [config-secret]\n");
        JsonNode server = server(new Cli().env("S", "env-secret").run("credentials", "--config", config.toString(),
                "--secret-env", "S", "--url", URL_UDP));
        assertEquals(expectedCredential("env-secret", server.get("username").asText()),
                server.get("credential").asText());
        assertEquals(List.of(URL_UDP), urls(server));
    }

    @Test
    void configWithoutSecretsFails() throws Exception {
        Path config = Files.writeString(dir.resolve("traverse.yaml"), "server:\n  realm: example.org\n");
        Cli.Result r = Cli.exec("credentials", "--config", config.toString(), "--url", URL_UDP);
        assertEquals(1, r.exitCode(), r.toString());
        assertTrue(r.err().contains("configures no REST secret"), r.err());
    }

    @Test
    void invalidConfigFailsNamingTheKey() throws Exception {
        Path config = Files.writeString(dir.resolve("traverse.yaml"), "relay:\n  port-range:\n    min: 70000\n");
        Cli.Result r = Cli.exec("credentials", "--config", config.toString(), "--url", URL_UDP);
        assertEquals(1, r.exitCode(), r.toString());
        assertTrue(r.err().contains("relay.port-range.min"), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
    }

    @Test
    void jsonNeedsUrls() throws Exception {
        Cli.Result r = Cli.exec("credentials", "--secret-file", secretsFile(SECRET).toString());
        assertEquals(2, r.exitCode(), r.toString());
    }

    @Test
    void badUrlIsAUsageError() throws Exception {
        Cli.Result r = Cli.exec("credentials", "--secret-file", secretsFile(SECRET).toString(), "--url",
                "http://turn.example.org");
        assertEquals(2, r.exitCode(), r.toString());
        assertTrue(r.err().contains("http"), r.err());
    }

    @Test
    void plainFormat() throws Exception {
        Cli.Result r = Cli.exec("credentials", "--secret-file", secretsFile(SECRET).toString(), "--user", "dave",
                "--ttl", "30m", "--realm", "example.org", "--format", "plain", "--url", URL_UDP);
        assertEquals(0, r.exitCode(), r.toString());
        String username = (Cli.NOW.getEpochSecond() + 1800) + ":dave";
        List<String> lines = r.out().lines().toList();
        assertEquals("username:   " + username, lines.get(0));
        assertEquals("credential: " + expectedCredential(SECRET, username), lines.get(1));
        assertEquals("expires:    2030-01-01T00:30:00Z (in 30m)", lines.get(2));
        assertEquals("realm:      example.org", lines.get(3));
        assertEquals("url:        " + URL_UDP, lines.get(4));
    }

    @Test
    void envFormatIsShellQuoted() throws Exception {
        Cli.Result r = Cli.exec("credentials", "--secret-file", secretsFile(SECRET).toString(), "--user", "o'brien",
                "--format", "env", "--url", URL_UDP, "--url", URL_TLS);
        assertEquals(0, r.exitCode(), r.toString());
        long expiry = Cli.NOW.getEpochSecond() + 86400;
        String username = expiry + ":o'brien";
        List<String> lines = r.out().lines().toList();
        assertEquals("TURN_USERNAME='" + expiry + ":o'\\''brien'", lines.get(0));
        assertEquals("TURN_CREDENTIAL='" + expectedCredential(SECRET, username) + "'", lines.get(1));
        assertEquals("TURN_EXPIRES=" + expiry, lines.get(2));
        assertEquals("TURN_URLS='" + URL_UDP + "," + URL_TLS + "'", lines.get(3));
    }
}
