package io.traverse.auth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.traverse.stun.auth.LongTermKey;
import io.traverse.stun.auth.PasswordAlgorithm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

class CredentialFilesTest {
    private static final String REALM = "example.org";
    private static final String REST_USER = "1700000000:bob";

    @TempDir
    Path dir;

    private final MutableClock clock = MutableClock.atEpochSecond(1_699_999_000L);
    private final CredentialStore store =
            new CredentialStore(UsersFile.empty(), RestSecrets.none(clock), 100, Duration.ofMinutes(5));
    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    private Path usersFile;
    private Path secretsFile;
    private long mtime = 1_000_000L;

    @BeforeEach
    void setUp() throws Exception {
        Logger logger = (Logger) LoggerFactory.getLogger(CredentialFiles.class);
        logger.addAppender(logs);
        logs.start();
        usersFile = dir.resolve("users.txt");
        secretsFile = dir.resolve("rest-secrets");
        UsersFile.empty().add("alice", REALM, "one").write(usersFile);
        writeSecrets("first-secret\n");
    }

    @AfterEach
    void tearDown() {
        ((Logger) LoggerFactory.getLogger(CredentialFiles.class)).detachAppender(logs);
    }

    /** Writes in place and moves the timestamp forward, as an editor would. */
    private void writeSecrets(String content) throws Exception {
        Files.writeString(secretsFile, content);
        Files.setLastModifiedTime(secretsFile, FileTime.fromMillis(mtime += 2000));
    }

    private void writeUsers(String content) throws Exception {
        Files.writeString(usersFile, content);
        Files.setLastModifiedTime(usersFile, FileTime.fromMillis(mtime += 2000));
    }

    private CredentialFiles loaded() throws Exception {
        CredentialFiles files = new CredentialFiles(store, usersFile, secretsFile, clock);
        files.load();
        return files;
    }

    private byte[] aliceKey() {
        return store.candidateKeys("alice", REALM, PasswordAlgorithm.MD5).get(0);
    }

    @Test
    void loadInstallsBothFiles() throws Exception {
        loaded();
        assertArrayEquals(LongTermKey.derive(PasswordAlgorithm.MD5, "alice", REALM, "one"), aliceKey());
        assertEquals(1, store.candidateKeys(REST_USER, REALM, PasswordAlgorithm.MD5).size());
    }

    @Test
    void loadFailsOnBadFileAndLeavesStoreUntouched() throws Exception {
        writeUsers("alice:example.org:zz:\n");
        CredentialFiles files = new CredentialFiles(store, usersFile, secretsFile, clock);
        CredentialFileException e = assertThrows(CredentialFileException.class, files::load);
        assertEquals(1, e.line());
        assertEquals(0, store.users().size());
    }

    @Test
    void pollWithoutChangeDoesNothing() throws Exception {
        CredentialFiles files = loaded();
        assertFalse(files.poll());
    }

    @Test
    void pollPicksUpAtomicallyReplacedUsersFileAndInvalidatesCache() throws Exception {
        CredentialFiles files = loaded();
        byte[] before = aliceKey();
        store.candidateKeys(REST_USER, REALM, PasswordAlgorithm.MD5);
        assertEquals(1, store.cachedEntryCount());

        store.users().passwd("alice", REALM, "two").write(usersFile);
        assertTrue(files.poll());

        assertArrayEquals(LongTermKey.derive(PasswordAlgorithm.MD5, "alice", REALM, "two"), aliceKey());
        assertFalse(java.util.Arrays.equals(before, aliceKey()));
        assertEquals(0, store.cachedEntryCount(), "cache invalidated on reload");
    }

    @Test
    void pollPicksUpRotatedSecrets() throws Exception {
        CredentialFiles files = loaded();
        byte[] firstKey = store.candidateKeys(REST_USER, REALM, PasswordAlgorithm.MD5).get(0);

        writeSecrets("second-secret\nfirst-secret\n");
        assertTrue(files.poll());
        List<byte[]> both = store.candidateKeys(REST_USER, REALM, PasswordAlgorithm.MD5);
        assertEquals(2, both.size());
        assertArrayEquals(firstKey, both.get(1));

        writeSecrets("second-secret\n");
        assertTrue(files.poll());
        List<byte[]> onlyNew = store.candidateKeys(REST_USER, REALM, PasswordAlgorithm.MD5);
        assertEquals(1, onlyNew.size());
        assertFalse(java.util.Arrays.equals(firstKey, onlyNew.get(0)), "removed secret refused");
    }

    @Test
    void badReloadKeepsOldAndLogsFileAndLineWithoutContent() throws Exception {
        CredentialFiles files = loaded();
        byte[] before = aliceKey();
        String secretLookingContent = "alice:example.org:deadbeef-not-hex-SECRETSTUFF:";
        writeUsers("# header\n" + secretLookingContent + "\n");

        assertFalse(files.poll());
        assertArrayEquals(before, aliceKey(), "old users stay in force");

        ILoggingEvent error = logs.list.stream().filter(e -> e.getLevel() == Level.ERROR).findFirst().orElseThrow();
        String message = error.getFormattedMessage();
        assertTrue(message.contains(usersFile + ":2:"), message);
        assertFalse(message.contains("SECRETSTUFF"), message);
        assertFalse(message.contains("deadbeef"), message);

        int errors = countErrors();
        assertFalse(files.poll(), "unchanged bad file is not re-read");
        assertEquals(errors, countErrors(), "and not logged again");

        UsersFile.empty().add("alice", REALM, "three").write(usersFile);
        assertTrue(files.poll(), "the next change is tried again");
        assertArrayEquals(LongTermKey.derive(PasswordAlgorithm.MD5, "alice", REALM, "three"), aliceKey());
    }

    @Test
    void badSecretsReloadKeepsOldSecretsAndDoesNotLogSecret() throws Exception {
        CredentialFiles files = loaded();
        writeSecrets("new-secret\u0001TOPSECRET\n");
        assertFalse(files.poll());
        assertEquals(1, store.candidateKeys(REST_USER, REALM, PasswordAlgorithm.MD5).size());
        assertEquals(1, store.restSecrets().size());
        for (ILoggingEvent e : logs.list) {
            assertFalse(e.getFormattedMessage().contains("TOPSECRET"), e.getFormattedMessage());
            assertFalse(e.getFormattedMessage().contains("first-secret"), e.getFormattedMessage());
        }
        assertTrue(logs.list.stream().anyMatch(e -> e.getLevel() == Level.ERROR
                && e.getFormattedMessage().contains(secretsFile + ":1:")));
    }

    @Test
    void deletedFileKeepsOldCredentials() throws Exception {
        CredentialFiles files = loaded();
        Files.delete(secretsFile);
        assertFalse(files.poll());
        assertEquals(1, store.candidateKeys(REST_USER, REALM, PasswordAlgorithm.MD5).size());
        assertTrue(logs.list.stream().anyMatch(e -> e.getLevel() == Level.ERROR
                && e.getFormattedMessage().contains("does not exist")));
    }

    @Test
    void reloadOnDemandRereadsEvenWithoutVisibleChange() throws Exception {
        CredentialFiles files = loaded();
        FileTime time = Files.getLastModifiedTime(secretsFile);
        Files.writeString(secretsFile, "other-secret\n"); // same size, same inode, mtime restored below
        Files.setLastModifiedTime(secretsFile, time);
        byte[] oldKey = store.candidateKeys(REST_USER, REALM, PasswordAlgorithm.MD5).get(0);
        assertFalse(files.poll(), "documented limitation: invisible to polling");

        assertTrue(files.reload());
        byte[] newKey = store.candidateKeys(REST_USER, REALM, PasswordAlgorithm.MD5).get(0);
        assertFalse(java.util.Arrays.equals(oldKey, newKey));
        assertArrayEquals(LongTermKey.derive(PasswordAlgorithm.MD5, REST_USER, REALM,
                RestSecrets.password("other-secret", REST_USER)), newKey);
    }

    @Test
    void onlyConfiguredFilesAreUsed() throws Exception {
        CredentialFiles files = new CredentialFiles(store, null, secretsFile, clock);
        files.load();
        assertEquals(0, store.users().size());
        assertEquals(1, store.restSecrets().size());
        assertTrue(files.reload());
        clock.set(Instant.ofEpochSecond(1_700_000_000L));
        assertEquals(0, store.candidateKeys(REST_USER, REALM, PasswordAlgorithm.MD5).size(), "REST clock in use");
    }

    @Test
    void startAndCloseManageThePollingThread() throws Exception {
        CredentialFiles files = loaded();
        files.start(Duration.ofHours(1));
        assertThrows(IllegalStateException.class, () -> files.start(Duration.ofHours(1)));
        files.close();
        files.close();
    }

    private int countErrors() {
        return (int) logs.list.stream().filter(e -> e.getLevel() == Level.ERROR).count();
    }
}
