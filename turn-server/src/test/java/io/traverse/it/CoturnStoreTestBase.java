package io.traverse.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.FunctionCounter;
import io.traverse.auth.RestSecrets;
import io.traverse.auth.RestCredential;
import io.traverse.client.Transport;
import io.traverse.client.TurnClient;
import io.traverse.client.TurnClientOptions;
import io.traverse.client.TurnCredentials;
import io.traverse.client.TurnErrorException;
import io.traverse.metrics.TraverseMetrics;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * What every coturn-schema credential store must do, with the real database filled by coturn's own {@code
 * turnadmin}: its users and REST secrets authenticate in Traverse; the cache keeps the query count bounded; a store
 * outage leaves cached users working, gives new users 500, shows in /readyz, and heals by itself.
 */
abstract class CoturnStoreTestBase {
    static final String REALM = "coturn.test";
    static final int BURST = 20;

    /** The store URL for {@code auth.store.url}. */
    abstract String storeUrl();

    /** Extra settings (e.g. {@code auth.store.password-file}). */
    Map<String, String> storeOverrides(Path dir) throws Exception {
        return Map.of();
    }

    /** {@code turnadmin -a … -u user -r REALM -p password} against the store. */
    abstract void turnadminAddUser(String user, String password);

    /** {@code turnadmin -s secret -r REALM …}. */
    abstract void turnadminAddSecret(String secret);

    /** Makes the store unreachable (killed). */
    abstract void stopStore() throws Exception;

    /** Brings it back on the same address; its data may be gone, so the test adds what it needs again. */
    abstract void startStore() throws Exception;

    abstract Path dir();

    static ExternalTool.Result turnadmin(String... args) {
        ExternalTool.Result r = ExternalTool.run(Duration.ofSeconds(30), args);
        assertEquals(0, r.exitCode(), "turnadmin failed: " + r.output());
        return r;
    }

    TestServer startTraverse() throws Exception {
        Map<String, String> o = new LinkedHashMap<>();
        o.put("server.realm", REALM);
        o.put("relay.addresses", "127.0.0.1");
        o.put("peers.allow-loopback-insecure-test-only", "true");
        o.put("auth.unauthenticated-rate-limit.per-second", "0");
        o.put("relay.port-range.min", "61000");
        o.put("relay.max-allocations-per-user", "1000");
        // coturn stores MD5 keys (RFC 5389): offer MD5 only, or RFC 8489 clients would pick SHA-256.
        o.put("auth.password-algorithms", "md5");
        o.put("auth.store.url", storeUrl());
        o.put("auth.store.timeout", "1s");
        o.put("auth.store.lookups-per-second", "1");
        o.put("auth.store.lookup-burst", Integer.toString(BURST));
        o.put("auth.store.retry-interval", "100ms");
        o.putAll(storeOverrides(dir()));
        return TestServer.start("", o);
    }

    static void allocate(TestServer server, String user, String password) throws Exception {
        try (TurnClient client = TurnClient.connect(Transport.UDP, server.udp4(), quick())) {
            client.allocate(TurnCredentials.password(user, password));
            // Deleted before the socket closes: the OS may give its port to a later client of the same server,
            // whose Allocate would then rightly get 437 (RFC 8656 §7.2 step 2) from the allocation left behind.
            client.deallocate();
        }
    }

    static int refusal(TestServer server, String user, String password) {
        return assertThrows(TurnErrorException.class, () -> allocate(server, user, password)).code();
    }

    static TurnClientOptions quick() {
        return TurnClientOptions.builder().transactionTimeout(Duration.ofSeconds(3)).build();
    }

    static double queries(TestServer server) {
        FunctionCounter c = server.metrics().registry().find(TraverseMetrics.CREDENTIAL_STORE_QUERIES)
                .functionCounter();
        assertNotNull(c, "the credential store meters are registered");
        return c.count();
    }

    @Test
    void usersAndRestSecretsAddedWithTurnadminAuthenticate() throws Exception {
        turnadminAddUser("gorst", "hero");
        turnadminAddSecret("north-secret");
        try (TestServer server = startTraverse()) {
            allocate(server, "gorst", "hero");
            assertEquals(401, refusal(server, "gorst", "villain"), "a wrong password is refused");
            assertEquals(401, refusal(server, "nobody", "hero"), "an unknown user is refused");
            RestCredential rest = RestSecrets.of(List.of("north-secret"), Clock.systemUTC())
                    .sign("caller-1", Duration.ofMinutes(5));
            allocate(server, rest.username(), rest.password());
            RestCredential foreign = RestSecrets.of(List.of("not-in-the-store"), Clock.systemUTC())
                    .sign("caller-1", Duration.ofMinutes(5));
            assertEquals(401, refusal(server, foreign.username(), foreign.password()));
        }
    }

    @Test
    void theCacheAsksTheStoreOncePerUserAndABoundedNumberOfTimesForAFlood() throws Exception {
        turnadminAddUser("many", "allocations");
        turnadminAddUser("first", "connects");
        try (TestServer server = startTraverse()) {
            // The connection to the database is opened at start, in the background; until it is up (slow on a
            // loaded machine) a look-up gets 500. Wait for it (bounded) so the counts below start from a live store.
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (true) {
                try {
                    allocate(server, "first", "connects");
                    break;
                } catch (TurnErrorException e) {
                    assertEquals(500, e.code(), "only 'try again' while the store connects");
                    assertTrue(System.nanoTime() - deadline < 0, "the store did not come up within 20 s");
                    Thread.sleep(100);
                }
            }
            double before = queries(server);
            ExecutorService pool = Executors.newFixedThreadPool(8);
            try {
                List<Future<Object>> runs = new ArrayList<>();
                for (int i = 0; i < 40; i++) {
                    runs.add(pool.submit((Callable<Object>) () -> {
                        allocate(server, "many", "allocations");
                        return null;
                    }));
                }
                for (Future<Object> run : runs) {
                    run.get();
                }
            } finally {
                pool.shutdownNow();
            }
            assertEquals(before + 1, queries(server), "40 allocations of one user, one query (single flight + cache)");

            long start = System.nanoTime();
            int served = 0;
            for (int i = 0; i < 200; i++) {
                int code = refusal(server, "random-" + i, "x");
                assertTrue(code == 401 || code == 500, "unknown user: 401, or 500 when over the query budget");
                served += code == 401 ? 1 : 0;
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            double flood = queries(server) - before - 1;
            assertTrue(flood <= BURST + Math.ceil(seconds) + 1,
                    "200 random usernames made " + flood + " queries in " + seconds + " s; budget " + BURST
                            + " + 1/s");
            assertEquals(flood, served, "every query answered one user; the rest never reached the store");
        }
    }

    @Test
    void whenTheStoreIsDownCachedUsersWorkNewUsersGet500AndItRecovers() throws Exception {
        turnadminAddUser("cached", "pw1");
        turnadminAddUser("newcomer", "pw2");
        try (TestServer server = startTraverse()) {
            allocate(server, "cached", "pw1");
            assertNull(server.server().credentialStoreProblem());

            stopStore();
            allocate(server, "cached", "pw1"); // from the cache
            assertEquals(500, refusal(server, "newcomer", "pw2"), "RFC 8489 §14.8: temporary error, try again");
            assertNotNull(server.server().credentialStoreProblem(), "/readyz names the store");
            allocate(server, "cached", "pw1");

            startStore();
            turnadminAddUser("newcomer", "pw2");
            // Recovery needs the client library to reconnect; wait for it (bounded), the answer until then is 500.
            long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
            while (true) {
                try {
                    allocate(server, "newcomer", "pw2");
                    break;
                } catch (TurnErrorException e) {
                    assertEquals(500, e.code(), "until the store is back the answer is 500, never 401");
                    // Why the server still answers 500 (down, and why; or the look-up budget), should it fail.
                    String why = server.server().credentialStoreProblem();
                    assertTrue(System.nanoTime() - deadline < 0, () -> "the store did not recover within 15 s: "
                            + (why != null ? why : "the store is up (the look-up budget, then?)"));
                    Thread.sleep(100);
                }
            }
            assertNull(server.server().credentialStoreProblem(), "recovered by itself");
        }
    }
}
