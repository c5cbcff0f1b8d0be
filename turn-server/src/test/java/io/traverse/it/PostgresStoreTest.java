package io.traverse.it;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/** coturn's SQL schema ({@code turnadmin -e}) in a private PostgreSQL. */
class PostgresStoreTest extends CoturnStoreTestBase {
    @TempDir
    static Path dir;

    private static PostgresFixture postgres;

    @BeforeAll
    static void startPostgres() throws Exception {
        postgres = PostgresFixture.start();
    }

    @AfterAll
    static void stopPostgres() {
        if (postgres != null) {
            postgres.close();
        }
    }

    @Override
    String storeUrl() {
        return postgres.url();
    }

    @Override
    Map<String, String> storeOverrides(Path dir) throws Exception {
        Path passwordFile = dir.resolve("store-password");
        Files.writeString(passwordFile, postgres.password() + "\n");
        return Map.of("auth.store.password-file", passwordFile.toString());
    }

    @Override
    Path dir() {
        return dir;
    }

    @Override
    void turnadminAddUser(String user, String password) {
        turnadmin("turnadmin", "-a", "-e", postgres.coturnConnection(), "-u", user, "-r", REALM, "-p", password);
    }

    @Override
    void turnadminAddSecret(String secret) {
        turnadmin("turnadmin", "-s", secret, "-e", postgres.coturnConnection(), "-r", REALM);
    }

    @Override
    void stopStore() {
        postgres.stop();
    }

    @Override
    void startStore() throws Exception {
        postgres.restart();
    }
}
