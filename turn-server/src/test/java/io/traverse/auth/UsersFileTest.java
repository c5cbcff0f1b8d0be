package io.traverse.auth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.traverse.stun.auth.CredentialException;
import io.traverse.stun.auth.LongTermKey;
import io.traverse.stun.auth.OpaqueString;
import io.traverse.stun.auth.PasswordAlgorithm;
import io.traverse.stun.auth.PrecisException;
import io.traverse.stun.auth.StunVectors;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class UsersFileTest {
    private static final String MD5_HEX = "e8ca7ad59d5eb0518e312911d2dab2a9";
    private static final String SHA_HEX = "dd295a613b9058c3c23d6dc7165bda072304d989c9d0af3a8c7e184b4f9bb4a1";

    @TempDir
    Path dir;

    private Path file(String content) throws IOException {
        Path f = dir.resolve("users.txt");
        Files.writeString(f, content, StandardCharsets.UTF_8);
        return f;
    }

    @Test
    void parsesKeysAndIgnoresCommentsAndBlankLines() throws Exception {
        Path f = file("# comment\n\n   \n" + StunVectors.USERNAME + ":example.org:" + MD5_HEX + ":" + SHA_HEX.toUpperCase()
                + "\r\n  # indented comment\nbob:example.org:" + MD5_HEX + ":\n");
        UsersFile users = UsersFile.parse(f);

        assertEquals(2, users.size());
        assertArrayEquals(HexFormat.of().parseHex(MD5_HEX),
                users.key(StunVectors.USERNAME, "example.org", PasswordAlgorithm.MD5).orElseThrow());
        assertArrayEquals(HexFormat.of().parseHex(SHA_HEX),
                users.key(StunVectors.USERNAME, "example.org", PasswordAlgorithm.SHA256).orElseThrow());
        assertTrue(users.key("bob", "example.org", PasswordAlgorithm.MD5).isPresent());
        assertEquals(Optional.empty(), users.key("bob", "example.org", PasswordAlgorithm.SHA256));
        assertEquals(Optional.empty(), users.key("bob", "other.org", PasswordAlgorithm.MD5));
        assertEquals(Optional.empty(), users.key("carol", "example.org", PasswordAlgorithm.MD5));
    }

    @Test
    void exampleLineOfDocsMatchesDerivation() throws Exception {
        // docs/authentication.md, "Users file": user alice, password "correct horse".
        Path f = file("alice:example.org:61249fae4f54de6c481fcb1a75f10acf:"
                + "317b2aa0542c3c0eef7c5b974d69882c5ff43d5efc93a32ebd7032b58cb8a769\n");
        UsersFile users = UsersFile.parse(f);
        for (PasswordAlgorithm alg : PasswordAlgorithm.values()) {
            assertArrayEquals(LongTermKey.derive(alg, "alice", "example.org", "correct horse"),
                    users.key("alice", "example.org", alg).orElseThrow());
        }
    }

    @Test
    void keyOfRfc5769UserMatchesDerivation() throws Exception {
        UsersFile users = UsersFile.empty().add(StunVectors.USERNAME, "example.org", "TheMatrIX");
        assertEquals(MD5_HEX, HexFormat.of().formatHex(
                users.key(StunVectors.USERNAME, "example.org", PasswordAlgorithm.MD5).orElseThrow()));
        assertEquals(SHA_HEX, HexFormat.of().formatHex(
                users.key(StunVectors.USERNAME, "example.org", PasswordAlgorithm.SHA256).orElseThrow()));
    }

    @Test
    void resolvesUserHashOfRfc8489AppendixB1() throws Exception {
        UsersFile users = UsersFile.empty()
                .add("bob", "example.org", "pw")
                .add(StunVectors.USERNAME, "example.org", "TheMatrIX");
        byte[] hash = StunVectors.attributeValue(StunVectors.load("rfc8489-b1-erratum6268-request.hex"), 0x001E);

        assertEquals(Optional.of(StunVectors.USERNAME), users.usernameForHash(hash, "example.org"));
        assertEquals(Optional.empty(), users.usernameForHash(hash, "other.org"));
        assertEquals(Optional.empty(), users.usernameForHash(new byte[32], "example.org"));
        assertEquals(Optional.empty(), users.usernameForHash(new byte[31], "example.org"));
        assertEquals(Optional.empty(), users.usernameForHash(null, "example.org"));
    }

    @Test
    void writeThenParseRoundTripsIncludingEscapedCharacters() throws Exception {
        UsersFile users = UsersFile.empty()
                .add("alice", "example.org", "secret one")
                .add("a:b%c#d e", "realm:with:colons", "pw")
                .add("#hash-first", "example.org", "pw")
                .add(StunVectors.USERNAME, "example.org", "TheMatrIX");
        Path f = dir.resolve("users.txt");
        users.write(f);

        String text = Files.readString(f);
        assertTrue(text.contains("a%3Ab%25c%23d%20e:realm%3Awith%3Acolons:"), text);
        assertTrue(text.contains("\n%23hash-first:example.org:"), text);
        assertTrue(text.contains(StunVectors.USERNAME + ":example.org:" + MD5_HEX + ":" + SHA_HEX), text);
        assertFalse(text.contains("secret one"), "no plaintext password");

        UsersFile back = UsersFile.parse(f);
        assertEquals(users.entries(), back.entries());
        assertTrue(back.key("a:b%c#d e", "realm:with:colons", PasswordAlgorithm.SHA256).isPresent());
    }

    @Test
    void writeIsOwnerOnlyAndLeavesNoTemporaryFiles() throws Exception {
        assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"));
        Path f = dir.resolve("users.txt");
        Files.writeString(f, "");
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));

        UsersFile.empty().add("alice", "example.org", "pw").write(f);

        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(f), files.toList());
        }
    }

    @Test
    void writeReplacesByRenameSoOpenReadersKeepTheOldFile() throws Exception {
        Path f = dir.resolve("users.txt");
        UsersFile.empty().add("alice", "example.org", "pw").write(f);
        Object inodeBefore = Files.readAttributes(f, java.nio.file.attribute.BasicFileAttributes.class).fileKey();
        byte[] before = Files.readAllBytes(f);

        try (var reader = Files.newInputStream(f)) {
            UsersFile.empty().add("bob", "example.org", "pw").write(f);
            assertArrayEquals(before, reader.readAllBytes(), "an open reader sees the complete old content");
        }
        Object inodeAfter = Files.readAttributes(f, java.nio.file.attribute.BasicFileAttributes.class).fileKey();
        if (inodeBefore != null) {
            assertFalse(inodeBefore.equals(inodeAfter), "a new file was renamed into place");
        }
        assertEquals(List.of("bob"), UsersFile.parse(f).entries().stream().map(UserEntry::username).toList());
    }

    @Test
    void addPasswdRemoveReturnNewInstances() throws Exception {
        UsersFile v1 = UsersFile.empty().add("alice", "example.org", "one");
        UsersFile v2 = v1.passwd("alice", "example.org", "two");
        UsersFile v3 = v2.remove("alice", "example.org");

        byte[] k1 = v1.key("alice", "example.org", PasswordAlgorithm.MD5).orElseThrow();
        byte[] k2 = v2.key("alice", "example.org", PasswordAlgorithm.MD5).orElseThrow();
        assertArrayEquals(LongTermKey.derive(PasswordAlgorithm.MD5, "alice", "example.org", "one"), k1);
        assertArrayEquals(LongTermKey.derive(PasswordAlgorithm.MD5, "alice", "example.org", "two"), k2);
        assertEquals(0, v3.size());
        assertEquals(1, v1.size(), "v1 unchanged");

        CredentialException dup = assertThrows(CredentialException.class, () -> v1.add("alice", "example.org", "x"));
        assertTrue(dup.getMessage().contains("already exists"));
        assertThrows(CredentialException.class, () -> v3.passwd("alice", "example.org", "x"));
        assertThrows(CredentialException.class, () -> v3.remove("alice", "example.org"));
        assertEquals(1, v1.add("alice", "other.org", "x").size() - 1, "same name in another realm is another user");
    }

    @Test
    void addPreparesUsernameAndRealmWithOpaqueString() throws Exception {
        UsersFile users = UsersFile.empty().add("cafe\u0301", "ex\u00A0ample", "pw");
        assertTrue(users.contains("caf\u00E9", "ex ample"));
        assertThrows(PrecisException.class, () -> UsersFile.empty().add("bad\u0000", "example.org", "pw"));
        assertThrows(PrecisException.class, () -> UsersFile.empty().add("alice", "example.org", ""));
    }

    @Test
    void keysAreCopies() throws Exception {
        UsersFile users = UsersFile.empty().add("alice", "example.org", "pw");
        users.key("alice", "example.org", PasswordAlgorithm.MD5).orElseThrow()[0] ^= 1;
        assertArrayEquals(LongTermKey.derive(PasswordAlgorithm.MD5, "alice", "example.org", "pw"),
                users.key("alice", "example.org", PasswordAlgorithm.MD5).orElseThrow());
        assertFalse(users.entries().get(0).toString().contains(HexFormat.of().formatHex(
                LongTermKey.derive(PasswordAlgorithm.MD5, "alice", "example.org", "pw"))));
    }

    static Stream<Arguments> malformed() {
        String ok = "alice:example.org:" + MD5_HEX + ":" + SHA_HEX;
        return Stream.of(
                Arguments.of("too few fields", "alice:example.org:" + MD5_HEX, 1, "expected 4"),
                Arguments.of("too many fields", ok + ":x", 1, "found 5"),
                Arguments.of("short md5", "alice:example.org:abcd:", 1, "field 3 (MD5 key)"),
                Arguments.of("non-hex sha", "alice:example.org::" + SHA_HEX.replace('a', 'g'), 1, "field 4 (SHA-256 key)"),
                Arguments.of("no key", "alice:example.org::", 1, "no key"),
                Arguments.of("empty username", ":example.org:" + MD5_HEX + ":", 1, "field 1 (username)"),
                Arguments.of("bad escape", "al%4:example.org:" + MD5_HEX + ":", 1, "malformed %-escape"),
                Arguments.of("literal space", "al ice:example.org:" + MD5_HEX + ":", 1, "literal space"),
                Arguments.of("not NFC", "cafe\u0301:example.org:" + MD5_HEX + ":", 1, "not in OpaqueString form"),
                Arguments.of("control via escape", "a%07:example.org:" + MD5_HEX + ":", 1, "control character"),
                Arguments.of("invalid UTF-8 via escape", "a%FF:example.org:" + MD5_HEX + ":", 1, "not valid UTF-8"),
                Arguments.of("empty realm", "alice::" + MD5_HEX + ":", 1, "field 2 (realm)"),
                Arguments.of("error on line 4", "# c\n\n" + ok + "\nbroken\n", 4, "expected 4"),
                Arguments.of("duplicate", ok + "\n# x\n" + ok + "\n", 3, "line 1"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void malformedLinesAreReportedWithFileAndLineButNoContent(String name, String content, int line, String problem)
            throws IOException {
        Path f = file(content);
        CredentialFileException e = assertThrows(CredentialFileException.class, () -> UsersFile.parse(f));
        assertEquals(line, e.line());
        assertEquals(f, e.file());
        assertTrue(e.getMessage().startsWith(f + ":" + line + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(problem), e.getMessage());
        assertFalse(e.getMessage().contains(MD5_HEX), "no key material in the message");
    }

    @Test
    void invalidUtf8IsReportedWithLineNumber() throws IOException {
        Path f = dir.resolve("users.txt");
        Files.write(f, new byte[] {'#', '\n', 'a', (byte) 0xC3, ':', '\n'});
        CredentialFileException e = assertThrows(CredentialFileException.class, () -> UsersFile.parse(f));
        assertEquals(2, e.line());
        assertTrue(e.getMessage().contains("not valid UTF-8"));
    }

    @Test
    void missingFile() {
        Path f = dir.resolve("absent.txt");
        CredentialFileException e = assertThrows(CredentialFileException.class, () -> UsersFile.parse(f));
        assertTrue(e.getMessage().contains("does not exist"));
    }

    @Test
    void byteOrderMarkIsIgnored() throws Exception {
        Path f = dir.resolve("users.txt");
        byte[] line = ("alice:example.org:" + MD5_HEX + ":\n").getBytes(StandardCharsets.UTF_8);
        byte[] content = new byte[line.length + 3];
        content[0] = (byte) 0xEF;
        content[1] = (byte) 0xBB;
        content[2] = (byte) 0xBF;
        System.arraycopy(line, 0, content, 3, line.length);
        Files.write(f, content);
        assertTrue(UsersFile.parse(f).contains("alice", "example.org"));
    }
}
