package io.traverse.config;

import static io.traverse.config.ConfigAssertions.assertProblem;
import static io.traverse.config.ConfigAssertions.fails;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.traverse.net.Cidr;
import io.traverse.stun.auth.PasswordAlgorithm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OverridesTest {

    @Test
    void scalarOverridesWinOverTheFile() throws Exception {
        String yaml = "server: {realm: file.example}\nrelay: {port-range: {min: 40000, max: 60000}}";
        TraverseConfig c = ConfigLoader.parse(yaml, Map.of(
                "relay.port-range.min", "50000",
                "server.realm", "example.org",
                "relay.dont-fragment", "false",
                "relay.channel-lifetime", "10m",
                "server.software", "null"));
        assertEquals(new PortRange(50000, 60000), c.relay().portRange());
        assertEquals("example.org", c.server().realm());
        assertFalse(c.relay().dontFragment());
        assertEquals(Duration.ofMinutes(10), c.relay().channelLifetime());
        assertNull(c.server().software());
    }

    @Test
    void overridesCreateMissingSections() throws Exception {
        TraverseConfig c = ConfigLoader.parse("", Map.of("auth.credential-cache.max-size", "7"));
        assertEquals(7, c.auth().credentialCache().maxSize());
    }

    @Test
    void overridesFillNullSections() throws Exception {
        TraverseConfig c = ConfigLoader.parse("auth:\n", Map.of("auth.nonce-lifetime", "30"));
        assertEquals(Duration.ofSeconds(30), c.auth().nonceLifetime());
    }

    @Test
    void listsTakeACommaSeparatedString() throws Exception {
        TraverseConfig c = ConfigLoader.parse("listeners: ['udp://192.0.2.1:1']", Map.of(
                "listeners", "udp://0.0.0.0:3478,tcp://[::]:3478",
                "peers.deny", " 10.0.0.0/8 , 2001:db8::/32",
                "auth.password-algorithms", "md5",
                "relay.addresses", "10.0.0.5=203.0.113.7,::"));
        assertEquals(List.of("udp://0.0.0.0:3478", "tcp://[::]:3478"),
                c.listeners().stream().map(ListenerConfig::uri).collect(Collectors.toList()));
        assertEquals(List.of(Cidr.parse("10.0.0.0/8"), Cidr.parse("2001:db8::/32")), c.peers().deny());
        assertEquals(List.of(PasswordAlgorithm.MD5), c.auth().passwordAlgorithms());
        assertEquals("[10.0.0.5=203.0.113.7, ::]", c.relay().addresses().toString());
    }

    @Test
    void anEmptyListOverrideClearsTheList() throws Exception {
        TraverseConfig c = ConfigLoader.parse("peers: {allow: [10.0.0.0/8]}", Map.of("peers.allow", ""));
        assertEquals(List.of(), c.peers().allow());
    }

    @Test
    void unknownOverridePathIsAnError() {
        ConfigException e = fails("", Map.of("relay.port-rang.min", "5"));
        assertEquals(1, e.problems().size(), e::getMessage);
        assertEquals("relay.port-rang: unknown key; did you mean port-range? (override relay.port-rang.min)",
                e.getMessage());
    }

    @Test
    void unknownOverrideLeafIsAnError() {
        assertProblem(fails("", Map.of("server.realmm", "x")),
                "server.realmm: unknown key; did you mean realm? (override server.realmm)");
        assertProblem(fails("", Map.of("nosuch", "x")), "nosuch: unknown key");
    }

    @Test
    void listElementsCannotBeAddressed() {
        assertProblem(fails("", Map.of("listeners[0].port", "1")),
                "listeners[0].port: invalid override key; expected a dotted path such as relay.port-range.min");
        assertProblem(fails("", Map.of("", "1")), "invalid override key");
        assertProblem(fails("", Map.of("Server.Realm", "x")), "Server.Realm: invalid override key");
    }

    @Test
    void badOverrideValuesNameTheKeyAndTheOverride() {
        ConfigException e = fails("", Map.of("relay.port-range.min", "abc"));
        assertEquals("relay.port-range.min: must be an integer, got string \"abc\" (override relay.port-range.min)",
                e.getMessage());
        assertProblem(fails("", Map.of("relay.port-range.min", "70000")),
                "relay.port-range.min: must be between 1 and 65535, got 70000 (override relay.port-range.min)");
        assertProblem(fails("", Map.of("listeners", "udp://0.0.0.0:3478,udp://host.example")),
                "listeners[1]: must be an IP address literal");
        assertProblem(fails("", Map.of("relay.port-range.min", "007")),
                "relay.port-range.min: must be an integer, got string \"007\"");
    }

    @Test
    void overrideThroughAScalarInTheFileIsAnError() {
        ConfigException e = fails("relay: 5", Map.of("relay.port-range.min", "1"));
        assertProblem(e, "relay.port-range.min: cannot be applied: relay is integer 5 in the file, not a mapping");
        assertProblem(e, "relay: must be a mapping, got integer 5 (line 1)");
    }

    @Test
    void relativePathsInOverridesResolveAgainstTheWorkingDirectory(@TempDir Path tmp) throws Exception {
        Path file = tmp.resolve("traverse.yaml");
        Files.writeString(file, "auth: {rest-secrets-file: secrets.txt}\n");
        TraverseConfig c = ConfigLoader.load(file, Map.of("auth.users-file", "users.txt"));
        assertEquals(Path.of("").toAbsolutePath().resolve("users.txt"), c.auth().usersFile());
        assertEquals(tmp.resolve("secrets.txt"), c.auth().restSecretsFile());
    }

    @Test
    void overridesAreAppliedInTheCallersOrder() throws Exception {
        Map<String, String> o = new LinkedHashMap<>();
        o.put("relay.port-range", "null");
        o.put("relay.port-range.max", "50000");
        TraverseConfig c = ConfigLoader.parse("relay: {port-range: {min: 40000, max: 60000}}", o);
        assertEquals(new PortRange(49152, 50000), c.relay().portRange());
    }

    @Test
    void theCallersMapIsNotModified() throws Exception {
        Map<String, String> o = new HashMap<>(Map.of("server.realm", "x.example"));
        ConfigLoader.parse("", o);
        assertEquals(Map.of("server.realm", "x.example"), o);
    }
}
