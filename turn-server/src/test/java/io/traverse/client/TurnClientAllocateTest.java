package io.traverse.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.traverse.auth.RestSecrets;
import io.traverse.auth.UsersFile;
import io.traverse.it.TestServer;
import io.traverse.stun.auth.PasswordAlgorithm;
import io.traverse.stun.codec.Integrity;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * TO ENABLE once the server implements TURN (rename this file to {@code .java}): {@link TurnClient} end to end
 * against the real server on loopback: Allocate with each authentication variant, permissions, channels, data
 * through two relays and back, Refresh, and the errors a client sees.
 */
class TurnClientAllocateTest {
    static final String REALM = "traverse.test";
    static final String USER = "alice";
    static final String PASSWORD = "correct horse";
    static final String SECRET = "rest-secret-for-tests";

    private static TestServer server;
    private static Path dir;

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory("turn-client-it");
        Path users = dir.resolve("users.txt");
        UsersFile.empty().add(USER, REALM, PASSWORD).write(users);
        String yaml = String.join("\n",
                "server:",
                "  realm: " + REALM,
                "auth:",
                "  users-file: " + users,
                "  rest-secrets: [\"" + SECRET + "\"]",
                "peers:",
                "  allow-loopback-insecure-test-only: true",
                "");
        server = TestServer.start(yaml, Map.of("relay.addresses", "127.0.0.1"));
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
        try (var files = Files.list(dir)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Files.deleteIfExists(p);
            }
        }
        Files.deleteIfExists(dir);
    }

    static TurnClientOptions options() {
        return TurnClientOptions.builder().rto(Duration.ofMillis(200)).transactionTimeout(Duration.ofSeconds(5)).build();
    }

    static TurnClient udp() throws Exception {
        return TurnClient.connect(Transport.UDP, server.udp4(), options());
    }

    static TurnCredentials alice() {
        return TurnCredentials.password(USER, PASSWORD);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = Transport.class, names = {"UDP", "TCP"}) // TestServer has no TLS listener yet
    void allocateReportsRelayedAndMappedAddress(Transport transport) throws Exception {
        InetSocketAddress address = transport == Transport.UDP ? server.udp4() : server.tcp4();
        try (TurnClient client = TurnClient.connect(transport, address, options())) {
            AllocateResult result = client.allocate(alice());
            assertEquals(InetAddress.getByName("127.0.0.1"), result.relayedAddress().getAddress());
            assertEquals(client.localAddress(), result.mappedAddress());
            assertEquals(600, result.lifetimeSeconds());
            AuthSummary auth = client.authSummary().orElseThrow();
            assertEquals(PasswordAlgorithm.SHA256, auth.algorithm(), "the default config offers sha256 first");
            assertEquals(Integrity.Kind.SHA256, auth.integrity());
            assertEquals(REALM, auth.realm());
            client.deallocate();
        }
    }

    @ParameterizedTest(name = "algorithm {0}, integrity {1}, userhash {2}")
    @CsvSource({
        "MD5,    SHA1,   false",
        "MD5,    SHA256, false",
        "SHA256, SHA1,   false",
        "SHA256, SHA256, true",
        "MD5,    SHA1,   true",
    })
    void everyAuthenticationVariantIsAccepted(PasswordAlgorithm algorithm, Integrity.Kind integrity, boolean userHash)
            throws Exception {
        AllocateOptions options = AllocateOptions.builder().passwordAlgorithm(algorithm).integrity(integrity)
                .userHash(userHash).build();
        try (TurnClient client = udp()) {
            client.allocate(alice(), options);
            assertEquals(algorithm, client.authSummary().orElseThrow().algorithm());
            client.createPermission(new InetSocketAddress("127.0.0.1", 9));
            assertTrue(client.refresh(300) > 0);
            client.deallocate();
        }
    }

    @Test
    void restCredentialsAreAccepted() throws Exception {
        var credential = RestSecrets.of(java.util.List.of(SECRET), Clock.systemUTC()).sign("bob", Duration.ofHours(1));
        try (TurnClient client = udp()) {
            client.allocate(TurnCredentials.password(credential.username(), credential.password()));
            client.deallocate();
        }
    }

    @Test
    void wrongPasswordIs401() throws Exception {
        try (TurnClient client = udp()) {
            TurnErrorException e = assertThrows(TurnErrorException.class,
                    () -> client.allocate(TurnCredentials.password(USER, "wrong")));
            assertEquals(401, e.code());
        }
    }

    @Test
    void dataThroughTwoRelaysAndBack() throws Exception {
        try (TurnClient a = udp(); TurnClient b = udp()) {
            InetSocketAddress relayA = a.allocate(alice()).relayedAddress();
            InetSocketAddress relayB = b.allocate(alice()).relayedAddress();
            a.createPermission(relayB);
            b.createPermission(relayA);

            a.send(relayB, new byte[] {1, 2, 3});
            assertEquals(new DataIndication(relayA, new byte[] {1, 2, 3}), b.receive(Duration.ofSeconds(2)));

            a.channelBind(0x4000, relayB);
            a.sendChannelData(0x4000, new byte[] {4, 5});
            assertEquals(new DataIndication(relayA, new byte[] {4, 5}), b.receive(Duration.ofSeconds(2)));

            b.send(relayA, new byte[] {6});
            assertEquals(new ChannelDataMessage(0x4000, new byte[] {6}), a.receive(Duration.ofSeconds(2)),
                    "with a channel bound, peer data arrives as ChannelData");
            a.deallocate();
            b.deallocate();
        }
    }

    @Test
    void dataOverTcpIsFramedAndPadded() throws Exception {
        try (TurnClient a = TurnClient.connect(Transport.TCP, server.tcp4(), options()); TurnClient b = udp()) {
            InetSocketAddress relayA = a.allocate(alice()).relayedAddress();
            InetSocketAddress relayB = b.allocate(alice()).relayedAddress();
            a.channelBind(0x4001, relayB);
            b.createPermission(relayA);
            a.sendChannelData(0x4001, new byte[] {9, 9, 9, 9, 9});
            Inbound got = b.receive(Duration.ofSeconds(2));
            assertArrayEquals(new byte[] {9, 9, 9, 9, 9}, got.data());
            b.send(relayA, new byte[] {7, 7, 7});
            assertEquals(new ChannelDataMessage(0x4001, new byte[] {7, 7, 7}), a.receive(Duration.ofSeconds(2)));
        }
    }

    @Test
    void peerWithoutPermissionGetsNothing() throws Exception {
        try (TurnClient a = udp(); TurnClient b = udp()) {
            InetSocketAddress relayA = a.allocate(alice()).relayedAddress();
            InetSocketAddress relayB = b.allocate(alice()).relayedAddress();
            a.createPermission(relayB); // b grants nothing
            a.send(relayB, new byte[] {1});
            assertThrows(TurnTimeoutException.class, () -> b.receive(Duration.ofMillis(500)));
            assertTrue(relayA.getPort() > 0);
        }
    }

    @Test
    void secondAllocateOnTheSameFiveTupleIs437() throws Exception {
        try (TurnClient client = udp()) {
            client.allocate(alice());
            TurnErrorException e = assertThrows(TurnErrorException.class, () -> client.allocate(alice()));
            assertEquals(437, e.code());
        }
    }

    @Test
    void requestsAfterDeallocateAre437() throws Exception {
        try (TurnClient client = udp()) {
            client.allocate(alice());
            client.deallocate();
            TurnErrorException e = assertThrows(TurnErrorException.class,
                    () -> client.createPermission(new InetSocketAddress("127.0.0.1", 9)));
            assertEquals(437, e.code());
        }
    }

    @Test
    void deniedPeerIs403() throws Exception {
        try (TurnClient client = udp()) {
            client.allocate(alice());
            TurnErrorException e = assertThrows(TurnErrorException.class,
                    () -> client.createPermission(new InetSocketAddress("10.1.2.3", 9)));
            assertEquals(403, e.code());
            assertInstanceOf(TurnErrorException.class, e);
        }
    }

    @Test
    void invalidChannelBindIs400() throws Exception {
        try (TurnClient a = udp(); TurnClient b = udp()) {
            a.allocate(alice());
            InetSocketAddress relayB = b.allocate(alice()).relayedAddress();
            a.channelBind(0x4002, relayB);
            InetSocketAddress other = new InetSocketAddress(relayB.getAddress(), relayB.getPort() == 65535 ? 65534 : relayB.getPort() + 1);
            TurnErrorException e = assertThrows(TurnErrorException.class, () -> a.channelBind(0x4002, other));
            assertEquals(400, e.code(), "a channel is bound to one peer (RFC 8656 §12.2)");
        }
    }
}
