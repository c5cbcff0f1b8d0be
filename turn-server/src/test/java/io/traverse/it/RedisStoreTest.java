package io.traverse.it;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/** The coturn Redis schema ({@code turnadmin -N}) in a private redis-server. */
class RedisStoreTest extends CoturnStoreTestBase {
    @TempDir
    static Path dir;

    private static RedisFixture redis;

    @BeforeAll
    static void startRedis() throws Exception {
        redis = RedisFixture.start(dir.resolve("redis"));
    }

    @AfterAll
    static void stopRedis() {
        if (redis != null) {
            redis.close();
        }
    }

    @Override
    String storeUrl() {
        return redis.url();
    }

    @Override
    Path dir() {
        return dir;
    }

    @Override
    void turnadminAddUser(String user, String password) {
        turnadmin("turnadmin", "-a", "-N", redis.coturnConnection(), "-u", user, "-r", REALM, "-p", password);
    }

    @Override
    void turnadminAddSecret(String secret) {
        turnadmin("turnadmin", "-s", secret, "-N", redis.coturnConnection(), "-r", REALM);
    }

    @Override
    void stopStore() {
        redis.kill();
    }

    @Override
    void startStore() throws Exception {
        redis.restart();
    }
}
