package io.traverse.it;

import static io.traverse.it.TurnTestSession.allocateRequest;
import static io.traverse.it.TurnTestSession.code;
import static io.traverse.it.TurnTestSession.request;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.traverse.auth.RestSecrets;
import io.traverse.auth.UsersFile;
import io.traverse.it.TurnTestSession.Identity;
import io.traverse.it.TurnTestSession.Options;
import io.traverse.stun.Method;
import io.traverse.stun.StunMessage;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Credentials without restart: TURN REST API usernames (expiry:user, password base64(HMAC-SHA1(secret, username))),
 * secret rotation through the secrets file, users added to and removed from the users file. The server polls the
 * files every second; tests wait with a bounded loop (at most 5 s). Allocations made before a change keep relaying.
 */
class CredentialReloadTest {
    private static final String NEW_SECRET = "rotated-secret-2";
    private static final long RELOAD_DEADLINE_NANOS = 5_000_000_000L;

    private static String restUser(long expiresInSeconds, String id) {
        return (Instant.now().getEpochSecond() + expiresInSeconds) + ":" + id;
    }

    private static TurnTestSession session(TestServer server, String user, String password, Options options)
            throws Exception {
        TurnTestSession s = TurnTestSession.open(server.udp4(), false, user, password, options);
        s.challenge();
        return s;
    }

    /**
     * Whether the server accepts these credentials now, without creating state: a Refresh on a fresh 5-tuple is 437
     * when authenticated, 401 when not.
     */
    private static boolean accepted(TestServer server, String user, String password) throws Exception {
        try (TurnTestSession s = session(server, user, password, Options.browser())) {
            int code = code(s.send(request(Method.REFRESH)).message());
            if (code != 437 && code != 401) {
                throw new AssertionError("unexpected " + code);
            }
            return code == 437;
        }
    }

    /** Polls {@link #accepted} until it returns {@code expected}; fails after 5 s. */
    private static void awaitAccepted(TestServer server, String user, String password, boolean expected)
            throws Exception {
        long deadline = System.nanoTime() + RELOAD_DEADLINE_NANOS;
        while (accepted(server, user, password) != expected) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(user + (expected ? " still refused" : " still accepted") + " after 5 s");
            }
            Thread.sleep(100);
        }
    }

    /** Writes atomically, as operators should, so the poller never sees half a file. */
    private static void writeAtomically(Path file, String content) throws Exception {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, content);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** An allocation with a channel to {@code peer}, ready for {@link TurnTestSession#assertChannelRoundTrip}. */
    private static InetSocketAddress allocateWithChannel(TurnTestSession s, UdpPeer peer) throws Exception {
        InetSocketAddress relayed = TurnTestSession.relayed(s.allocate(), false);
        s.createPermission(peer.address());
        s.channelBind(0x4000, peer.address());
        s.assertChannelRoundTrip(0x4000, peer, relayed);
        return relayed;
    }

    @ParameterizedTest
    @ValueSource(strings = {"browser", "sha256"})
    void restCredentialsAllocate(String style, @TempDir Path dir) throws Exception {
        Options options = style.equals("browser") ? Options.browser()
                : Options.modern().withIdentity(Identity.USERNAME); // USERHASH cannot name a REST user
        String user = restUser(3600, "carol");
        try (TestServer server = TurnFixture.start(dir);
             TurnTestSession s = session(server, user, RestSecrets.password(TurnFixture.REST_SECRET, user), options);
             UdpPeer peer = UdpPeer.on("127.0.0.1")) {
            allocateWithChannel(s, peer);
            assertEquals(1, server.server().allocations().activeFor("carol"), "REST quota counts the user id");
        }
    }

    @Test
    void restCredentialsRefusedWhenExpiredOrWronglySigned(@TempDir Path dir) throws Exception {
        try (TestServer server = TurnFixture.start(dir)) {
            String expired = restUser(-10, "carol");
            String live = restUser(3600, "carol");
            List<String[]> refused = List.of(
                    new String[] {expired, RestSecrets.password(TurnFixture.REST_SECRET, expired)},
                    new String[] {live, RestSecrets.password("not-the-secret", live)},
                    new String[] {live, RestSecrets.password(TurnFixture.REST_SECRET, expired)},
                    new String[] {"carol", RestSecrets.password(TurnFixture.REST_SECRET, "carol")});
            for (String[] c : refused) {
                try (TurnTestSession s = session(server, c[0], c[1], Options.browser())) {
                    StunMessage response = s.send(allocateRequest()).message();
                    assertEquals(401, code(response), c[0]);
                }
            }
            // control: the live, correctly signed credential works on the same server
            assertEquals(true, accepted(server, live, RestSecrets.password(TurnFixture.REST_SECRET, live)));
        }
    }

    /**
     * Rotation: new secret first, old kept → both accepted; old removed → old refused after the reload, while an
     * allocation made with the old secret before the rotation keeps relaying.
     */
    @Test
    void secretRotation(@TempDir Path dir) throws Exception {
        String user = restUser(3600, "dave");
        String oldPassword = RestSecrets.password(TurnFixture.REST_SECRET, user);
        String newPassword = RestSecrets.password(NEW_SECRET, user);
        Path secrets = dir.resolve("rest-secrets");
        try (TestServer server = TurnFixture.start(dir);
             TurnTestSession old = session(server, user, oldPassword, Options.browser());
             UdpPeer peer = UdpPeer.on("127.0.0.1")) {
            InetSocketAddress relayed = allocateWithChannel(old, peer);
            assertEquals(false, accepted(server, user, newPassword));

            writeAtomically(secrets, NEW_SECRET + "\n" + TurnFixture.REST_SECRET + "\n");
            awaitAccepted(server, user, newPassword, true);
            assertEquals(true, accepted(server, user, oldPassword), "the old secret is still listed");

            writeAtomically(secrets, "# rotated\n" + NEW_SECRET + "\n");
            awaitAccepted(server, user, oldPassword, false);
            assertEquals(true, accepted(server, user, newPassword));

            old.assertChannelRoundTrip(0x4000, peer, relayed);
            try (TurnTestSession fresh = session(server, user, newPassword, Options.modern()
                    .withIdentity(Identity.USERNAME))) {
                fresh.allocate();
            }
        }
    }

    /** A user added to the users file can allocate within 5 s; a removed user is refused; allocations keep going. */
    @Test
    void usersFileChangesApplyWithoutRestart(@TempDir Path dir) throws Exception {
        Path users = dir.resolve("users");
        try (TestServer server = TurnFixture.start(dir);
             TurnTestSession bob = session(server, TurnFixture.USER2, TurnFixture.PASSWORD2, Options.modern());
             UdpPeer peer = UdpPeer.on("127.0.0.1")) {
            InetSocketAddress relayed = allocateWithChannel(bob, peer);
            assertEquals(false, accepted(server, "carol", "carol's password"));

            UsersFile.parse(users).add("carol", TurnFixture.REALM, "carol's password")
                    .remove(TurnFixture.USER2, TurnFixture.REALM).write(users);
            awaitAccepted(server, "carol", "carol's password", true);
            try (TurnTestSession carol = session(server, "carol", "carol's password", Options.modern())) {
                carol.allocate(); // USERHASH resolves the new user too
            }
            assertEquals(false, accepted(server, TurnFixture.USER2, TurnFixture.PASSWORD2));
            assertEquals(true, accepted(server, TurnFixture.USER, TurnFixture.PASSWORD));

            bob.assertChannelRoundTrip(0x4000, peer, relayed);
        }
    }
}
