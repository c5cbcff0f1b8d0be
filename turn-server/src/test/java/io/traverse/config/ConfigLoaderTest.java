package io.traverse.config;

import static io.traverse.config.ConfigAssertions.assertProblem;
import static io.traverse.config.ConfigAssertions.fails;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.traverse.net.Cidr;
import io.traverse.net.IpAddresses;
import io.traverse.stun.auth.PasswordAlgorithm;
import io.traverse.turn.TransportProtocol;
import java.net.InetAddress;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

    @Test
    void emptyDocumentIsTheDefaults() throws Exception {
        TraverseConfig defaults = TraverseConfig.defaults();
        assertEquals(defaults, ConfigLoader.parse("", Map.of()));
        assertEquals(defaults, ConfigLoader.parse("# only a comment\n", Map.of()));
        assertEquals(defaults, ConfigLoader.parse("~", Map.of()));
    }

    @Test
    void emptySectionsAreTheDefaults() throws Exception {
        String yaml = "server:\nrelay:\n  port-range:\nauth: {}\npeers:\n  allow:\n";
        assertEquals(TraverseConfig.defaults(), ConfigLoader.parse(yaml, Map.of()));
    }

    @Test
    void defaultsAreWhatTheBriefSays() {
        TraverseConfig d = TraverseConfig.defaults();
        assertEquals("traverse.local", d.server().realm());
        assertEquals("Traverse", d.server().software());
        assertEquals(0, d.server().eventLoops());
        assertEquals(Runtime.getRuntime().availableProcessors(), d.server().effectiveEventLoops());
        assertEquals(0, d.server().spinMicros());
        assertEquals(List.of("udp://0.0.0.0:3478", "udp://[::]:3478", "tcp://0.0.0.0:3478", "tcp://[::]:3478"),
                d.listeners().stream().map(ListenerConfig::uri).collect(Collectors.toList()));
        assertEquals("[0.0.0.0, ::]", d.relay().addresses().toString());
        assertEquals(new PortRange(49152, 65535), d.relay().portRange());
        assertEquals(Duration.ofSeconds(600), d.relay().allocationLifetime().defaultLifetime());
        assertEquals(Duration.ofSeconds(3600), d.relay().allocationLifetime().max());
        assertEquals(Duration.ofSeconds(300), d.relay().permissionLifetime());
        assertEquals(Duration.ofSeconds(600), d.relay().channelLifetime());
        assertNull(d.auth().usersFile());
        assertNull(d.auth().restSecretsFile());
        assertTrue(d.auth().restSecrets().isEmpty());
        assertEquals(List.of(PasswordAlgorithm.SHA256, PasswordAlgorithm.MD5), d.auth().passwordAlgorithms());
        assertFalse(d.peers().allowLoopbackInsecureTestOnly());
        assertTrue(d.admin().address().isLoopbackAddress());
        assertEquals(9641, d.admin().port());
        assertEquals(LogLevel.INFO, d.logging().level());
    }

    @Test
    void everyKeyIsRead() throws Exception {
        Path file = resource("config/full.yaml");
        Path dir = file.getParent();
        TraverseConfig c = ConfigLoader.load(file);

        assertEquals(new ServerConfig("example.org", null, 4, IoMode.NIO), c.server());
        assertEquals(List.of(
                new ListenerConfig(TransportProtocol.UDP, ip("192.0.2.10"), 3478),
                new ListenerConfig(TransportProtocol.TCP, ip("2001:db8::10"), 3479),
                new ListenerConfig(TransportProtocol.TLS, ip("0.0.0.0"), 5349),
                new ListenerConfig(TransportProtocol.DTLS, ip("2001:db8::10"), 5350)), c.listeners());

        RelayConfig r = c.relay();
        assertEquals(List.of(
                new RelayAddress(ip("10.0.0.5"), ip("203.0.113.7")),
                new RelayAddress(ip("2001:db8::5"), null),
                new RelayAddress(ip("10.0.0.6"), ip("203.0.113.8"))), r.addresses());
        assertEquals(new PortRange(50000, 50999), r.portRange());
        assertEquals(new AllocationLifetime(Duration.ofMinutes(5), Duration.ofHours(2)), r.allocationLifetime());
        assertEquals(Duration.ofMillis(500), r.permissionLifetime());
        assertEquals(Duration.ofDays(1), r.channelLifetime());
        assertEquals(500, r.maxAllocations());
        assertEquals(5, r.maxAllocationsPerUser());
        assertFalse(r.dontFragment());

        AuthConfig a = c.auth();
        assertEquals(dir.resolve("users.txt"), a.usersFile());
        assertEquals(dir.getParent().resolve("secrets/rest.txt"), a.restSecretsFile());
        assertEquals(List.of("inline-secret-one", "inline-secret-two"), a.restSecrets());
        assertEquals(Duration.ofSeconds(120), a.nonceLifetime());
        assertEquals(List.of(PasswordAlgorithm.MD5), a.passwordAlgorithms());
        assertEquals(new CredentialCacheConfig(0, Duration.ofSeconds(5)), a.credentialCache());
        assertEquals(new RateLimitConfig(0, 1), a.unauthenticatedRateLimit());
        assertFalse(a.unauthenticatedRateLimit().enabled());

        assertEquals(List.of(Cidr.parse("10.1.0.0/16"), Cidr.parse("2001:db8:1::/48")), c.peers().allow());
        assertEquals(List.of(Cidr.parse("198.51.100.7/32"), Cidr.parse("2001:db8::/32")), c.peers().deny());
        assertTrue(c.peers().allowLoopbackInsecureTestOnly());

        assertEquals(new TlsConfig(dir.resolve("tls/cert.pem"), Path.of("/etc/traverse/key.pem"),
                Duration.ofMillis(2500), Duration.ofHours(12)), c.tls());
        assertEquals(new AdminConfig(false, ip("::1"), 0, dir.resolve("admin-token")), c.admin());
        assertEquals(new LoggingConfig(LogLevel.DEBUG, LogFormat.JSON), c.logging());
    }

    @Test
    void relativePathsResolveAgainstTheFilesDirectory(@TempDir Path tmp) throws Exception {
        Path confDir = Files.createDirectories(tmp.resolve("etc/traverse"));
        Path file = confDir.resolve("traverse.yaml");
        Files.writeString(file, "auth:\n  users-file: users.txt\n  rest-secrets-file: ../shared/./rest.txt\n"
                + "tls:\n  certificate: " + tmp.resolve("abs/cert.pem") + "\n  private-key: keys/key.pem\n");
        TraverseConfig c = ConfigLoader.load(file);
        assertEquals(confDir.resolve("users.txt"), c.auth().usersFile());
        assertEquals(tmp.resolve("etc/shared/rest.txt"), c.auth().restSecretsFile());
        assertEquals(tmp.resolve("abs/cert.pem"), c.tls().certificate());
        assertEquals(confDir.resolve("keys/key.pem"), c.tls().privateKey());
        assertTrue(c.auth().usersFile().isAbsolute());
    }

    @Test
    void relativePathsInParsedTextResolveAgainstTheGivenDirectory(@TempDir Path tmp) throws Exception {
        TraverseConfig c = ConfigLoader.parse("admin: {bearer-token-file: token}", Map.of(), tmp);
        assertEquals(tmp.resolve("token"), c.admin().bearerTokenFile());
    }

    @Test
    void secretsNeverAppearInToStringOrErrors() throws Exception {
        TraverseConfig c = ConfigLoader.parse("auth: {rest-secrets: [hunter2-very-secret, other-secret-42]}", Map.of());
        assertEquals(2, c.auth().restSecrets().size());
        for (String s : List.of(c.toString(), c.auth().toString())) {
            assertFalse(s.contains("hunter2"), s);
            assertFalse(s.contains("other-secret"), s);
            assertTrue(s.contains("restSecrets=<2 redacted>"), s);
        }
        ConfigException e = fails("auth: {rest-secrets: [hunter2-very-secret, {nested: other-secret-42}, '']}");
        assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
        assertFalse(e.getMessage().contains("other-secret"), e.getMessage());
        assertProblem(e, "auth.rest-secrets[1]: must be a string, got a mapping");
        assertProblem(e, "auth.rest-secrets[2]: must not be empty");
    }

    @Test
    void allProblemsAreReportedTogetherOnePerLine() {
        String yaml = String.join("\n",
                "server:",
                "  realm: ''",
                "  colour: blue",
                "listeners: ['udp://0.0.0.0:70000', 'tcp://host.example:1']",
                "relay:",
                "  port-range: {min: 70000, max: 0}",
                "  channel-lifetime: soon",
                "peers:",
                "  deny: [10.0.0.1/8]",
                "logging:",
                "  level: loud",
                "  level: quiet",
                "");
        ConfigException e = fails(yaml);
        List<String> expected = List.of(
                "logging.level: duplicate key (first defined on line 11) (line 12)",
                "server.colour: unknown key; expected one of realm, software, event-loops, io, spin-micros (line 3)",
                "server.realm: must not be empty (line 2)",
                "listeners[0]: port must be between 0 and 65535, got 70000 in \"udp://0.0.0.0:70000\" (line 4)",
                "listeners[1]: must be an IP address literal (IPv4 or IPv6), got \"host.example\"; host names are not"
                        + " resolved (line 4)",
                "relay.port-range.min: must be between 1 and 65535, got 70000 (line 6)",
                "relay.port-range.max: must be between 1 and 65535, got 0 (line 6)",
                "relay.channel-lifetime: must be a duration such as 600s, 10m, 12h, 1d, 500ms or a number of seconds,"
                        + " got \"soon\" (line 7)",
                "peers.deny[0]: 10.0.0.1/8 has host bits set; did you mean 10.0.0.0/8? (line 9)",
                "logging.level: must be one of trace, debug, info, warn, error; got string \"loud\" (line 11)");
        assertEquals(String.join("\n", expected), e.getMessage());
        assertEquals(expected.size(), e.problems().size());
        assertEquals("relay.port-range.min", e.problems().get(5).key());
        assertEquals("line 6", e.problems().get(5).origin());
    }

    @Test
    void missingFileIsAProblemNotACrash(@TempDir Path tmp) {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(tmp.resolve("nope.yaml")));
        assertEquals(1, e.problems().size());
        assertTrue(e.getMessage().contains("nope.yaml: no such file"), e.getMessage());
    }

    @Test
    void invalidUtf8IsAProblem(@TempDir Path tmp) throws Exception {
        Path file = tmp.resolve("bad.yaml");
        Files.write(file, new byte[] {'a', ':', ' ', (byte) 0xC3, (byte) 0x28, '\n'});
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(file));
        assertTrue(e.getMessage().contains("not valid UTF-8"), e.getMessage());
    }

    @Test
    void nonAsciiRealmIsAccepted() throws Exception {
        TraverseConfig c = ConfigLoader.parse(new String("server: {realm: \"r\u00e9alm\u00e9\"}"
                .getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8), Map.of());
        assertEquals("r\u00e9alm\u00e9", c.server().realm());
    }

    @Test
    void scalarsOfOtherTypesAreTakenAsWrittenForStrings() throws Exception {
        TraverseConfig c = ConfigLoader.parse("server: {realm: 2024, software: 1.50}\nauth: {rest-secrets: [0x1F]}",
                Map.of());
        assertEquals("2024", c.server().realm());
        assertEquals("1.50", c.server().software());
        assertEquals(List.of("0x1F"), c.auth().restSecrets());
    }

    @Test
    void spinMicrosIsReadAndZeroTurnsTheSpinOff() throws Exception {
        assertEquals(0, ConfigLoader.parse("server: {spin-micros: 0}", Map.of()).server().spinMicros());
        assertEquals(100, ConfigLoader.parse("server: {spin-micros: 100}", Map.of()).server().spinMicros());
    }

    @Test
    void emptySoftwareMeansOmitted() throws Exception {
        assertNull(ConfigLoader.parse("server: {software: ''}", Map.of()).server().software());
        assertNull(ConfigLoader.parse("server: {software: null}", Map.of()).server().software());
    }

    @Test
    void yamlBooleansAndCaseInsensitiveEnumsAreAccepted() throws Exception {
        TraverseConfig c = ConfigLoader.parse("relay: {dont-fragment: no}\nserver: {io: EPOLL}\nlogging: {level: Warn}",
                Map.of());
        assertFalse(c.relay().dontFragment());
        assertEquals(IoMode.EPOLL, c.server().io());
        assertEquals(LogLevel.WARN, c.logging().level());
    }

    @Test
    void ephemeralListenerPortsMayRepeat() throws Exception {
        TraverseConfig c = ConfigLoader.parse("listeners: ['udp://127.0.0.1:0', 'udp://127.0.0.1:0']", Map.of());
        assertEquals(2, c.listeners().size());
    }

    @Test
    void tlsListenersAreFineWithACertificate() throws Exception {
        TraverseConfig c = ConfigLoader.parse("listeners: ['tls://0.0.0.0', 'dtls://0.0.0.0']\n"
                + "tls: {certificate: c.pem, private-key: k.pem}", Map.of());
        assertTrue(c.tls().hasCertificate());
        assertEquals(5349, c.listeners().get(0).port());
    }

    @Test
    void listsAreUnmodifiable() throws Exception {
        TraverseConfig c = ConfigLoader.parse("peers: {allow: [10.0.0.0/8]}", Map.of());
        assertThrows(UnsupportedOperationException.class, () -> c.listeners().clear());
        assertThrows(UnsupportedOperationException.class, () -> c.relay().addresses().clear());
        assertThrows(UnsupportedOperationException.class, () -> c.peers().allow().clear());
        assertThrows(UnsupportedOperationException.class, () -> c.auth().passwordAlgorithms().clear());
        assertThrows(UnsupportedOperationException.class, () -> c.auth().restSecrets().clear());
    }

    static Path resource(String name) throws URISyntaxException {
        return Path.of(ConfigLoaderTest.class.getClassLoader().getResource(name).toURI());
    }

    static InetAddress ip(String literal) {
        return IpAddresses.parse(literal);
    }
}
