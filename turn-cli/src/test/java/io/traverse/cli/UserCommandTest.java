package io.traverse.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.traverse.auth.UserEntry;
import io.traverse.auth.UsersFile;
import io.traverse.stun.auth.LongTermKey;
import io.traverse.stun.auth.PasswordAlgorithm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code turn-cli user add|delete|list|passwd}: round trips through the users file, its mode, and no secrets shown. */
class UserCommandTest {
    static final String REALM = "example.org";

    @TempDir
    Path dir;

    private Path users() {
        return dir.resolve("users.txt");
    }

    private Cli.Result add(String user, String password) {
        return new Cli().stdin(password + "\n").run("user", "add", "--users-file", users().toString(), "--realm",
                REALM, "--user", user, "--password-stdin");
    }

    private static String mode(Path p) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    private UserEntry entry(String user) throws Exception {
        return UsersFile.parse(users()).entries().stream().filter(e -> e.username().equals(user)).findFirst()
                .orElseThrow();
    }

    private void assertKeysFor(String user, String password) throws Exception {
        UserEntry e = entry(user);
        assertArrayEquals(LongTermKey.derive(PasswordAlgorithm.MD5, user, REALM, password),
                e.key(PasswordAlgorithm.MD5).orElseThrow());
        assertArrayEquals(LongTermKey.derive(PasswordAlgorithm.SHA256, user, REALM, password),
                e.key(PasswordAlgorithm.SHA256).orElseThrow());
    }

    @Test
    void addCreatesTheFileWithBothKeysAndMode0600() throws Exception {
        Cli.Result r = add("alice", "correct horse");
        assertEquals(0, r.exitCode(), r.toString());
        assertEquals("added user alice in realm example.org to " + users() + "\n", r.out());
        assertEquals("rw-------", mode(users()));
        assertKeysFor("alice", "correct horse");
        assertFalse(Files.readString(users()).contains("correct horse"), "never the password");
    }

    @Test
    void listShowsUsersRealmsAndKeyKindsButNoKeys() throws Exception {
        add("alice", "pw-a");
        add("bob", "pw-b");
        Files.writeString(users(), Files.readString(users()) + "legacy:other.org:0123456789abcdef0123456789abcdef:\n");
        Cli.Result r = Cli.exec("user", "list", "--users-file", users().toString());
        assertEquals(0, r.exitCode(), r.toString());
        List<String> lines = r.out().lines().toList();
        assertEquals(List.of(
                "USER    REALM        KEYS",
                "alice   example.org  md5,sha256",
                "bob     example.org  md5,sha256",
                "legacy  other.org    md5"), lines);
        String hexKey = HexFormat.of().formatHex(entry("alice").key(PasswordAlgorithm.MD5).orElseThrow());
        assertFalse(r.out().contains(hexKey));
        assertFalse(r.out().contains("0123456789abcdef"));

        Cli.Result filtered = Cli.exec("user", "list", "--users-file", users().toString(), "--realm", "other.org");
        assertEquals(List.of("USER    REALM      KEYS", "legacy  other.org  md5"), filtered.out().lines().toList());
    }

    @Test
    void passwdReplacesTheKeys() throws Exception {
        add("alice", "old password");
        Files.setPosixFilePermissions(users(), PosixFilePermissions.fromString("rw-r--r--"));
        Cli.Result r = new Cli().stdin("new password\n").run("user", "passwd", "--users-file", users().toString(),
                "--realm", REALM, "--user", "alice", "--password-stdin");
        assertEquals(0, r.exitCode(), r.toString());
        assertKeysFor("alice", "new password");
        assertEquals("rw-------", mode(users()), "rewritten 0600");
    }

    @Test
    void deleteRemovesOnlyThatUser() throws Exception {
        add("alice", "a");
        add("bob", "b");
        Cli.Result r = Cli.exec("user", "delete", "--users-file", users().toString(), "--realm", REALM, "--user",
                "alice");
        assertEquals(0, r.exitCode(), r.toString());
        List<UserEntry> left = UsersFile.parse(users()).entries();
        assertEquals(1, left.size());
        assertEquals("bob", left.get(0).username());
        assertEquals("rw-------", mode(users()));
    }

    @Test
    void errorsForMissingOrDuplicateUsers() throws Exception {
        add("alice", "a");
        Cli.Result dup = add("alice", "b");
        assertEquals(1, dup.exitCode(), dup.toString());
        assertTrue(dup.err().contains("already exists"), dup.err());
        assertKeysFor("alice", "a");

        Cli.Result missing = Cli.exec("user", "delete", "--users-file", users().toString(), "--realm", REALM,
                "--user", "nobody");
        assertEquals(1, missing.exitCode(), missing.toString());
        assertEquals("turn-cli: no user nobody in realm example.org\n", missing.err());

        Cli.Result otherRealm = new Cli().stdin("x\n").run("user", "passwd", "--users-file", users().toString(),
                "--realm", "other.org", "--user", "alice", "--password-stdin");
        assertEquals(1, otherRealm.exitCode(), otherRealm.toString());

        Cli.Result noFile = Cli.exec("user", "list", "--users-file", dir.resolve("none").toString());
        assertEquals(1, noFile.exitCode(), noFile.toString());
        assertTrue(noFile.err().contains("does not exist"), noFile.err());
    }

    @Test
    void malformedFileIsReportedWithoutItsContent() throws Exception {
        Files.writeString(users(), "alice:example.org:secretish\n");
        Cli.Result r = Cli.exec("user", "list", "--users-file", users().toString());
        assertEquals(1, r.exitCode(), r.toString());
        assertTrue(r.err().contains(":1:"), r.err());
        assertFalse(r.err().contains("secretish"), r.err());
    }

    @Test
    void passwordFromFileTakesTheFirstLine() throws Exception {
        Path pw = Files.writeString(dir.resolve("pw"), "from file\r\nsecond line\n");
        Cli.Result r = Cli.exec("user", "add", "--users-file", users().toString(), "--realm", REALM, "--user",
                "carol", "--password-file", pw.toString());
        assertEquals(0, r.exitCode(), r.toString());
        assertKeysFor("carol", "from file");
    }

    @Test
    void inlinePasswordWorksButWarns() throws Exception {
        Cli.Result r = Cli.exec("user", "add", "--users-file", users().toString(), "--realm", REALM, "--user",
                "dave", "--password", "visible");
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.err().startsWith("turn-cli: warning: --password"), r.err());
        assertFalse(r.err().contains("visible"));
        assertKeysFor("dave", "visible");
    }

    @Test
    void terminalPromptAsksTwice() throws Exception {
        Deque<String> answers = new ArrayDeque<>(List.of("typed", "typed"));
        Deque<String> prompts = new ArrayDeque<>();
        PasswordPrompt terminal = p -> {
            prompts.add(p);
            return answers.removeFirst().toCharArray();
        };
        Cli.Result r = new Cli().prompt(terminal).run("user", "add", "--users-file", users().toString(), "--realm",
                REALM, "--user", "erin");
        assertEquals(0, r.exitCode(), r.toString());
        assertEquals(List.of("Password for erin@example.org: ", "Repeat the password: "), List.copyOf(prompts));
        assertKeysFor("erin", "typed");
    }

    @Test
    void terminalPromptMismatchFailsAndWritesNothing() {
        Deque<String> answers = new ArrayDeque<>(List.of("one", "two"));
        Cli.Result r = new Cli().prompt(p -> answers.removeFirst().toCharArray()).run("user", "add", "--users-file",
                users().toString(), "--realm", REALM, "--user", "erin");
        assertEquals(1, r.exitCode(), r.toString());
        assertTrue(r.err().contains("do not match"), r.err());
        assertFalse(Files.exists(users()));
    }

    @Test
    void noPasswordSourceWithoutTerminalIsAUsageError() {
        Cli.Result r = Cli.exec("user", "add", "--users-file", users().toString(), "--realm", REALM, "--user", "x");
        assertEquals(2, r.exitCode(), r.toString());
        assertTrue(r.err().contains("--password-stdin"), r.err());
    }

    @Test
    void emptyPasswordIsRefused() {
        Cli.Result r = add("x", "");
        assertEquals(1, r.exitCode(), r.toString());
        assertFalse(Files.exists(users()));
    }

    @Test
    void twoPasswordSourcesAreAUsageError() throws Exception {
        Path pw = Files.writeString(dir.resolve("pw"), "x\n");
        Cli.Result r = Cli.exec("user", "add", "--users-file", users().toString(), "--realm", REALM, "--user", "x",
                "--password-stdin", "--password-file", pw.toString());
        assertEquals(2, r.exitCode(), r.toString());
        assertEquals(1, r.err().lines().count(), r.err());
    }

    @Test
    void missingRequiredOptionIsAUsageError() {
        Cli.Result r = Cli.exec("user", "add", "--users-file", users().toString(), "--user", "x");
        assertEquals(2, r.exitCode(), r.toString());
        assertTrue(r.err().contains("--realm"), r.err());
        assertTrue(r.err().contains("turn-cli user add --help"), r.err());
    }
}
