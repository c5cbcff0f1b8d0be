package io.traverse.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.traverse.auth.UsersFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code turn-cli config check}: every problem with its key, exit 1; OK and exit 0 for a valid file. */
class ConfigCheckTest {
    @TempDir
    Path dir;

    private Path write(String name, String... lines) throws Exception {
        return Files.writeString(dir.resolve(name), String.join("\n", lines) + "\n");
    }

    @Test
    void validFileIsOk() throws Exception {
        Path users = dir.resolve("users.txt");
        UsersFile.empty().add("alice", "example.org", "pw").write(users);
        Path config = write("traverse.yaml",
                "server:",
                "  realm: example.org",
                "listeners: [udp://0.0.0.0:3478]",
                "auth:",
                "  users-file: users.txt");
        Cli.Result r = Cli.exec("config", "check", config.toString());
        assertEquals(0, r.exitCode(), r.toString());
        assertEquals("OK: " + config + " is valid\n", r.out());
        assertEquals("", r.err());
    }

    @Test
    void emptyFileIsValid() throws Exception {
        Cli.Result r = Cli.exec("config", "check", write("empty.yaml", "").toString());
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.out().startsWith("OK"), r.out());
    }

    @Test
    void everyProblemIsPrintedWithItsKey() throws Exception {
        Path config = write("bad.yaml",
                "relay:",
                "  port-range:",
                "    min: 70000",
                "listeners: [\"udp://turn.example.org:3478\"]",
                "peers:",
                "  deny: [10.0.0.1/8]",
                "unknown-section: 1");
        Cli.Result r = Cli.exec("config", "check", config.toString());
        assertEquals(1, r.exitCode(), r.toString());
        List<String> lines = r.out().lines().toList();
        assertTrue(lines.size() >= 4, r.out());
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("relay.port-range.min: ")), r.out());
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("listeners[0]")), r.out());
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("peers.deny[0]: ") && l.contains("10.0.0.0/8")), r.out());
        assertTrue(lines.stream().anyMatch(l -> l.contains("unknown-section")), r.out());
        assertEquals("turn-cli: " + config + ": " + lines.size() + " problems\n", r.err());
    }

    @Test
    void overridesAreCheckedToo() throws Exception {
        Path config = write("ok.yaml", "server:", "  realm: example.org");
        Cli.Result r = Cli.exec("config", "check", config.toString(), "--set", "relay.port-range.min=0");
        assertEquals(1, r.exitCode(), r.toString());
        assertTrue(r.out().startsWith("relay.port-range.min: "), r.out());
        Cli.Result bad = Cli.exec("config", "check", config.toString(), "--set", "novalue");
        assertEquals(2, bad.exitCode(), bad.toString());
    }

    @Test
    void namedFilesMustBeReadable() throws Exception {
        Path secrets = write("secrets", "s1");
        Files.writeString(dir.resolve("users.txt"), "not:a:valid:line:at-all\n");
        Path config = write("traverse.yaml",
                "auth:",
                "  users-file: users.txt",
                "  rest-secrets-file: " + secrets,
                "tls:",
                "  certificate: missing-cert.pem",
                "  private-key: missing-key.pem");
        Cli.Result r = Cli.exec("config", "check", config.toString());
        assertEquals(1, r.exitCode(), r.toString());
        List<String> lines = r.out().lines().toList();
        assertEquals(3, lines.size(), r.out());
        assertTrue(lines.get(0).startsWith("tls.certificate: cannot read "), r.out());
        assertTrue(lines.get(1).startsWith("tls.private-key: cannot read "), r.out());
        assertTrue(lines.get(2).startsWith("auth.users-file: ") && lines.get(2).contains("users.txt:1:"), r.out());
    }

    @Test
    void missingFileFails() {
        Cli.Result r = Cli.exec("config", "check", dir.resolve("nope.yaml").toString());
        assertEquals(1, r.exitCode(), r.toString());
        assertTrue(r.out().contains("no such file"), r.out());
    }

    @Test
    void missingArgumentIsAUsageError() {
        Cli.Result r = Cli.exec("config", "check");
        assertEquals(2, r.exitCode(), r.toString());
    }
}
