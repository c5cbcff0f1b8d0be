package io.traverse.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * coturn's default database: an SQLite file ({@code turnadmin -b FILE}, coturn's {@code userdb=}) at {@code
 * sqlite:FILE}. "Down" here is the file made unreadable in place (overwritten with text that is no database) and
 * "back" the same bytes written back; a missing or corrupt file is a clear error and a readiness detail, never an
 * exception escaping.
 */
class SqliteStoreTest extends CoturnStoreTestBase {
    @TempDir
    static Path dir;

    /** The file the next server reads; tests of a broken file point it elsewhere. */
    private Path file;
    private byte[] saved;

    @BeforeEach
    void defaultFile() {
        file = dir.resolve("turndb");
    }

    @Override
    String storeUrl() {
        return "sqlite:" + file;
    }

    @Override
    Path dir() {
        return dir;
    }

    @Override
    void turnadminAddUser(String user, String password) {
        turnadmin("turnadmin", "-a", "-b", file.toString(), "-u", user, "-r", REALM, "-p", password);
    }

    @Override
    void turnadminAddSecret(String secret) {
        turnadmin("turnadmin", "-s", secret, "-b", file.toString(), "-r", REALM);
    }

    @Override
    void stopStore() throws Exception {
        saved = Files.readAllBytes(file);
        byte[] garbage = new byte[saved.length];
        Arrays.fill(garbage, (byte) '#');
        overwriteInPlace(garbage);
    }

    @Override
    void startStore() throws Exception {
        overwriteInPlace(saved);
    }

    /** Same file (inode), new content: what a connection that has the file open sees too. */
    private void overwriteInPlace(byte[] content) throws Exception {
        Files.write(file, content, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
    }

    @Test
    void aMissingFileGives500AndAReadinessDetailNamingTheFile() throws Exception {
        file = dir.resolve("no-such-turndb");
        try (TestServer server = startTraverse()) {
            assertEquals(500, refusal(server, "anyone", "pw"), "RFC 8489 §14.8: the store cannot answer");
            String problem = server.server().credentialStoreProblem();
            assertNotNull(problem, "/readyz names the store");
            assertTrue(problem.contains("sqlite:" + file) && problem.contains("no such file"), problem);
            assertTrue(Files.notExists(file), "reading never creates the file");
        }
    }

    /** A file that is no database, and an empty one (a valid SQLite database without coturn's tables). */
    @ParameterizedTest
    @CsvSource({"user=alice:secret, not an SQLite database", "'', no table turnusers_lt"})
    void aFileThatIsNotCoturnsDatabaseGives500AndAReadinessDetailSayingWhy(String line, String reason)
            throws Exception {
        file = dir.resolve("broken-turndb-" + line.length());
        Files.writeString(file, (line + "\n").repeat(line.isEmpty() ? 0 : 300), StandardCharsets.US_ASCII);
        try (TestServer server = startTraverse()) {
            assertEquals(500, refusal(server, "alice", "secret"));
            String problem = server.server().credentialStoreProblem();
            assertNotNull(problem, "/readyz names the store");
            assertTrue(problem.contains("sqlite:" + file) && problem.contains(reason), problem);
        }
    }
}
