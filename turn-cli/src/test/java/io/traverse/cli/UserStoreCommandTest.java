package io.traverse.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.traverse.auth.UserStore;
import io.traverse.auth.UserStores;
import io.traverse.it.ExternalTool;
import io.traverse.it.PostgresFixture;
import io.traverse.it.RedisFixture;
import io.traverse.stun.auth.LongTermKey;
import io.traverse.stun.auth.PasswordAlgorithm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code turn-cli user add|passwd|list|delete --store redis://…|postgres://…|sqlite:FILE} against real databases in
 * coturn's schema: what the CLI writes, coturn's {@code turnadmin -l} reads, and the other way round.
 */
class UserStoreCommandTest {
    private static final String REALM = "cli.test";

    @TempDir
    static Path dir;

    private static RedisFixture redis;
    private static PostgresFixture postgres;
    private static Path pgPassword;

    @BeforeAll
    static void start() throws Exception {
        redis = RedisFixture.start(dir.resolve("redis"));
        postgres = PostgresFixture.start();
        pgPassword = dir.resolve("pg-password");
        Files.writeString(pgPassword, postgres.password() + "\n");
    }

    @AfterAll
    static void stop() {
        if (redis != null) {
            redis.close();
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    /** name, --store arguments, turnadmin's database option. */
    static Stream<Arguments> stores() {
        // The SQLite file does not exist yet: the CLI's first "user add" creates it, as turnadmin would.
        Path sqlite = dir.resolve("turndb");
        return Stream.of(
                Arguments.of("redis", List.of("--store", redis.url()), List.of("-N", redis.coturnConnection())),
                Arguments.of("postgres", List.of("--store", postgres.url(), "--store-password-file",
                        pgPassword.toString()), List.of("-e", postgres.coturnConnection())),
                Arguments.of("sqlite", List.of("--store", "sqlite:" + sqlite), List.of("-b", sqlite.toString())));
    }

    /** The network stores, for what only they can do (be unreachable, know a password). */
    static Stream<Arguments> networkStores() {
        return stores().filter(a -> !a.get()[0].equals("sqlite"));
    }

    private static Cli.Result cli(String stdin, List<String> store, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(store);
        return new Cli().stdin(stdin).run(all.toArray(new String[0]));
    }

    private static String turnadminList(List<String> db) {
        List<String> cmd = new ArrayList<>(List.of("turnadmin", "-l", "-r", REALM));
        cmd.addAll(db);
        ExternalTool.Result r = ExternalTool.run(Duration.ofSeconds(30), cmd.toArray(new String[0]));
        assertEquals(0, r.exitCode(), r.output());
        return r.output();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stores")
    void addPasswdListDeleteRoundTripWithCoturnsTurnadmin(String name, List<String> store, List<String> db)
            throws Exception {
        String user = "cli-" + name;
        Cli.Result added = cli("first pw\n", store, "user", "add", "--realm", REALM, "--user", user,
                "--password-stdin");
        assertEquals(0, added.exitCode(), added.toString());
        assertTrue(turnadminList(db).contains(user), "coturn's turnadmin sees the user the CLI added");
        assertEquals(1, cli("x\n", store, "user", "add", "--realm", REALM, "--user", user, "--password-stdin")
                .exitCode(), "adding twice fails");

        Cli.Result passwd = cli("second pw\n", store, "user", "passwd", "--realm", REALM, "--user", user,
                "--password-stdin");
        assertEquals(0, passwd.exitCode(), passwd.toString());
        try (UserStore s = UserStores.open(store.get(1), name.equals("postgres") ? postgres.password() : null,
                Duration.ofSeconds(5), 1)) {
            assertArrayEquals(LongTermKey.derive(PasswordAlgorithm.MD5, user, REALM, "second pw"),
                    s.user(user, REALM).join().orElseThrow().key(PasswordAlgorithm.MD5).orElseThrow(),
                    "the coturn-schema key is MD5(user:realm:password)");
        }

        List<String> adminAdd = new ArrayList<>(List.of("turnadmin", "-a", "-u", "by-turnadmin-" + name, "-r",
                REALM, "-p", "pw"));
        adminAdd.addAll(db);
        assertEquals(0, ExternalTool.run(Duration.ofSeconds(30), adminAdd.toArray(new String[0])).exitCode());
        Cli.Result list = cli("", store, "user", "list", "--realm", REALM);
        assertEquals(0, list.exitCode(), list.toString());
        assertTrue(list.out().contains(user + " "), list.out());
        assertTrue(list.out().contains("by-turnadmin-" + name + " "), "the CLI lists turnadmin's user:\n" + list.out());
        assertFalse(list.out().contains(java.util.HexFormat.of().formatHex(
                LongTermKey.derive(PasswordAlgorithm.MD5, user, REALM, "second pw"))), "never a key");

        Cli.Result deleted = cli("", store, "user", "delete", "--realm", REALM, "--user", user);
        assertEquals(0, deleted.exitCode(), deleted.toString());
        assertFalse(turnadminList(db).contains(user + "\n"), "gone for coturn too");
        Cli.Result again = cli("", store, "user", "delete", "--realm", REALM, "--user", user);
        assertEquals(1, again.exitCode());
        assertTrue(again.err().contains("no user " + user), again.toString());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("networkStores")
    void anUnreachableStoreFailsWithItsAddressAndNoPassword(String name, List<String> store, List<String> db) {
        String url = name.equals("redis") ? "redis://:hunter2@127.0.0.1:1/0" : "postgres://turn:hunter2@127.0.0.1:1/x";
        Cli.Result r = cli("", List.of("--store", url), "user", "list");
        assertEquals(1, r.exitCode(), r.toString());
        assertTrue(r.err().contains("127.0.0.1:1"), r.toString());
        assertFalse(r.err().contains("hunter2"), "the password is never printed:\n" + r);
    }

    @Test
    void theSqliteFileTheCliCreatesIsPrivateAndHasCoturnsTables() throws Exception {
        Path file = dir.resolve("new-turndb");
        List<String> store = List.of("--store", "sqlite:" + file);
        Cli.Result added = cli("pw\n", store, "user", "add", "--realm", REALM, "--user", "first", "--password-stdin");
        assertEquals(0, added.exitCode(), added.toString());
        assertEquals(java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"),
                Files.getPosixFilePermissions(file), "the file holds keys: mode 0600");
        assertTrue(turnadminList(List.of("-b", file.toString())).contains("first"), "coturn reads it");
        List<String> secret = List.of("turnadmin", "-s", "rest-secret", "-r", REALM, "-b", file.toString());
        assertEquals(0, ExternalTool.run(Duration.ofSeconds(30), secret.toArray(new String[0])).exitCode(),
                "coturn writes its REST secrets into the file the CLI created");
    }

    @Test
    void aMissingSqliteFileIsNamedAndNotCreatedByListOrDelete() {
        Path file = dir.resolve("absent-turndb");
        List<String> store = List.of("--store", "sqlite:" + file);
        for (Cli.Result r : List.of(cli("", store, "user", "list"),
                cli("", store, "user", "delete", "--realm", REALM, "--user", "x"),
                cli("pw\n", store, "user", "passwd", "--realm", REALM, "--user", "x", "--password-stdin"))) {
            assertEquals(1, r.exitCode(), r.toString());
            assertTrue(r.err().contains("sqlite:" + file) && r.err().contains("no such file"), r.toString());
        }
        assertTrue(Files.notExists(file), "only user add creates the file");
    }

    @Test
    void aFileThatIsNoDatabaseIsRefusedWithoutTouchingIt() throws Exception {
        Path file = dir.resolve("users.txt");
        Files.writeString(file, "alice:cli.test:md5=00\n".repeat(200));
        byte[] before = Files.readAllBytes(file);
        List<String> store = List.of("--store", "sqlite:" + file);
        for (Cli.Result r : List.of(cli("", store, "user", "list"),
                cli("pw\n", store, "user", "add", "--realm", REALM, "--user", "x", "--password-stdin"))) {
            assertEquals(1, r.exitCode(), r.toString());
            assertTrue(r.err().contains("not an SQLite database"), r.toString());
        }
        assertArrayEquals(before, Files.readAllBytes(file), "left as it was");
    }

    @Test
    void usersFileAndStoreAreExclusive() {
        Cli.Result r = new Cli().run("user", "list", "--users-file", "x", "--store", "redis://127.0.0.1/0");
        assertEquals(2, r.exitCode(), r.toString());
        assertTrue(r.err().contains("exactly one of --users-file and --store"), r.toString());
    }
}
