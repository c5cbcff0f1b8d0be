package io.traverse.it;

import static io.traverse.it.TurnTestSession.allocateRequest;
import static io.traverse.it.TurnTestSession.assertUnprotected;
import static io.traverse.it.TurnTestSession.code;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.traverse.auth.StatelessNonces;
import io.traverse.it.TurnTestSession.Identity;
import io.traverse.it.TurnTestSession.Options;
import io.traverse.stun.AttributeType;
import io.traverse.stun.StunAttribute;
import io.traverse.stun.StunMessage;
import io.traverse.stun.attr.ErrorCodeAttribute;
import io.traverse.stun.attr.Nonce;
import io.traverse.stun.attr.PasswordAlgorithms;
import io.traverse.stun.attr.Realm;
import io.traverse.stun.attr.Software;
import io.traverse.stun.attr.UserHash;
import io.traverse.stun.attr.Username;
import io.traverse.stun.auth.NonceCookie;
import io.traverse.stun.auth.PasswordAlgorithm;
import io.traverse.stun.auth.SecurityFeature;
import io.traverse.stun.codec.DecodedMessage;
import io.traverse.stun.codec.Integrity;
import io.traverse.stun.codec.StunDecoder;
import io.traverse.stun.codec.StunEncoder;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The long-term credential mechanism of RFC 8489 §9.2.4 against the real server on loopback: the 401 challenge,
 * every 400 of the checks before the key is known, 401 for bad credentials, 438 for a nonce the server did not issue
 * to this client, and the RFC 8489 security features (PASSWORD-ALGORITHMS, USERHASH, MESSAGE-INTEGRITY-SHA256) end
 * to end including relaying.
 */
class TurnAuthTest {
    /** The server's default offer: sha256 then md5 (AuthConfig.defaults). */
    private static final PasswordAlgorithms OFFERED = new PasswordAlgorithms(List.of(
            io.traverse.stun.attr.PasswordAlgorithm.sha256(), io.traverse.stun.attr.PasswordAlgorithm.md5()));

    @TempDir
    static Path dir;

    private static TestServer server;

    @BeforeAll
    static void start() throws Exception {
        server = TurnFixture.start(dir);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static Stream<Arguments> transports() {
        return Stream.of(Arguments.of("udp4"), Arguments.of("tcp4"), Arguments.of("udp6"), Arguments.of("tcp6"));
    }

    private static InetSocketAddress address(String transport) {
        switch (transport) {
            case "udp4": return server.udp4();
            case "tcp4": return server.tcp4();
            case "udp6": return server.udp6();
            case "tcp6": return server.tcp6();
            default: throw new IllegalArgumentException(transport);
        }
    }

    private static TurnTestSession session(String transport, Options options) throws Exception {
        return TurnTestSession.open(address(transport), transport.startsWith("tcp"), TurnFixture.USER,
                TurnFixture.PASSWORD, options);
    }

    private static TurnTestSession session(Options options) throws Exception {
        return session("udp4", options);
    }

    private static List<Integer> types(StunMessage m) {
        List<Integer> out = new ArrayList<>();
        for (StunAttribute a : m.attributes()) {
            out.add(a.type().code());
        }
        return out;
    }

    /**
     * RFC 8489 §9.2.4 first bullet: no integrity → 401 with REALM, NONCE (nonce cookie announcing password algorithms
     * and username anonymity, erratum 6290 bit order) and PASSWORD-ALGORITHMS; no SOFTWARE and no integrity
     * (DESIGN.md: a 401 answers unauthenticated, possibly spoofed requests and must stay small).
     *
     * <p>Size bound: the minimal unauthenticated Allocate is 28 bytes (header + REQUESTED-TRANSPORT). The 401 holds
     * exactly ERROR-CODE (4 + 4 + "Unauthenticated" padded to 16 = 24), REALM ("traverse.test", 4 + 16 = 20),
     * NONCE (47 characters, 4 + 48 = 52) and PASSWORD-ALGORITHMS (two entries, 4 + 8 = 12): 20 + 108 = 128 bytes, so
     * response ≤ request + 100. Each of those 100 bytes is required by §9.2.4; any extra attribute (SOFTWARE,
     * a reason phrase, XOR-MAPPED-ADDRESS) breaks the bound.
     */
    @ParameterizedTest
    @MethodSource("transports")
    void unauthenticatedAllocateGetsSmall401(String transport) throws Exception {
        try (TurnTestSession s = session(transport, Options.browser())) {
            byte[] request = StunEncoder.encode(allocateRequest().build());
            assertEquals(28, request.length);
            s.client().sendRaw(request);
            byte[] raw = s.client().receiveRaw();
            DecodedMessage decoded = StunDecoder.decode(raw);
            StunMessage response = decoded.message();
            assertEquals(401, code(response));
            // An empty reason phrase (RFC 8489 §14.8 leaves the text to the server): 16 bytes less to reflect.
            assertEquals("", response.attribute(ErrorCodeAttribute.class).orElseThrow().reason());
            assertEquals(TurnFixture.REALM, response.attribute(Realm.class).orElseThrow().value());
            String nonce = response.attribute(Nonce.class).orElseThrow().value();
            assertTrue(nonce.startsWith("obMatJos2"), nonce);
            assertEquals(SecurityFeature.toBits(EnumSet.of(SecurityFeature.PASSWORD_ALGORITHMS)),
                    NonceCookie.featureBits(nonce).getAsInt());
            assertEquals("obMatJos2AAAB", nonce.substring(0, 13),
                "bit 0 (password algorithms) set; bit 1 (username anonymity) off while REST secrets are configured");
            assertEquals(OFFERED, response.attribute(PasswordAlgorithms.class).orElseThrow());
            assertFalse(response.has(AttributeType.SOFTWARE), "no SOFTWARE in a 401");
            assertUnprotected(decoded);
            assertFalse(decoded.hasFingerprint());
            assertEquals(List.of(0x0009, 0x0014, 0x0015, 0x8002), types(response), "exactly these attributes");
            assertEquals(112, raw.length, "docs/security.md");
            assertTrue(raw.length <= request.length + 100, raw.length + " > " + request.length + " + 100");

            // SOFTWARE is configured (default "Traverse"), so its absence above is a decision, not an accident.
            s.challenge();
            StunMessage success = s.allocate();
            assertEquals("Traverse", success.attribute(Software.class).orElseThrow().value());
        }
    }

    @Test
    void fingerprintedRequestGetsFingerprinted401WithinTheSameBound() throws Exception {
        try (TurnTestSession s = session(Options.browser())) {
            byte[] request = StunEncoder.encode(allocateRequest().build(), Integrity.none(), true);
            s.client().sendRaw(request);
            byte[] raw = s.client().receiveRaw();
            DecodedMessage decoded = StunDecoder.decode(raw);
            assertEquals(401, code(decoded.message()));
            assertTrue(decoded.hasFingerprint() && decoded.fingerprintValid());
            assertTrue(raw.length <= request.length + 100);
        }
    }

    /** §9.2.4: integrity present but USERNAME/USERHASH, REALM or NONCE missing → 400, unprotected. */
    @ParameterizedTest
    @ValueSource(strings = {"USERNAME", "USERHASH", "REALM", "NONCE"})
    void missingCredentialAttributeGets400(String missing) throws Exception {
        Options options = Options.browser().withIdentity(missing.equals("USERHASH") ? Identity.USERHASH
                : Identity.USERNAME);
        try (TurnTestSession s = session(options)) {
            s.challenge();
            StunMessage full = s.identity(allocateRequest()).build();
            AttributeType drop = missing.equals("USERNAME") ? AttributeType.USERNAME
                    : missing.equals("USERHASH") ? AttributeType.USERHASH
                    : missing.equals("REALM") ? AttributeType.REALM : AttributeType.NONCE;
            StunMessage.Builder without = StunMessage.builder(full.type(), full.transactionId());
            full.attributes().stream().filter(a -> !a.type().equals(drop)).forEach(without::add);
            DecodedMessage response = s.exchange(s.encode(without.build()));
            assertEquals(400, code(response.message()), response.message()::toString);
            assertUnprotected(response);
            // Control: the same request with everything present succeeds.
            s.succeed(s.exchange(s.encode(s.identity(allocateRequest()).build())));
        }
    }

    /** A tampered PASSWORD-ALGORITHMS (not the list the 401 carried) → 400 (§9.2.4, downgrade protection). */
    @ParameterizedTest
    @ValueSource(strings = {"md5-only", "sha256-only", "reordered", "extra"})
    void tamperedPasswordAlgorithmsGets400(String tampering) throws Exception {
        try (TurnTestSession s = session(Options.browser().withEcho(true))) {
            s.challenge();
            io.traverse.stun.attr.PasswordAlgorithm md5 = io.traverse.stun.attr.PasswordAlgorithm.md5();
            io.traverse.stun.attr.PasswordAlgorithm sha256 = io.traverse.stun.attr.PasswordAlgorithm.sha256();
            List<io.traverse.stun.attr.PasswordAlgorithm> list;
            switch (tampering) {
                case "md5-only": list = List.of(md5); break;
                case "sha256-only": list = List.of(sha256); break;
                case "reordered": list = List.of(md5, sha256); break;
                default: list = List.of(sha256, md5, new io.traverse.stun.attr.PasswordAlgorithm(3)); break;
            }
            StunMessage request = s.identity(allocateRequest()).add(new PasswordAlgorithms(list)).add(md5).build();
            DecodedMessage response = s.exchange(s.encode(request));
            assertEquals(400, code(response.message()));
            assertUnprotected(response);
        }
    }

    /** PASSWORD-ALGORITHM not among the PASSWORD-ALGORITHMS → 400. */
    @ParameterizedTest
    @ValueSource(ints = {0, 3, 0xFFFF})
    void passwordAlgorithmNotInListGets400(int algorithm) throws Exception {
        try (TurnTestSession s = session(Options.browser().withEcho(true))) {
            s.challenge();
            StunMessage request = s.identity(allocateRequest()).add(s.offered())
                    .add(new io.traverse.stun.attr.PasswordAlgorithm(algorithm)).build();
            DecodedMessage response = s.exchange(s.encode(request));
            assertEquals(400, code(response.message()));
            assertUnprotected(response);
        }
    }

    /** Only one of PASSWORD-ALGORITHMS and PASSWORD-ALGORITHM → 400. */
    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void onlyOneOfTheAlgorithmAttributesGets400(boolean listOnly) throws Exception {
        try (TurnTestSession s = session(Options.browser().withEcho(true))) {
            s.challenge();
            StunMessage.Builder request = s.identity(allocateRequest());
            request.add(listOnly ? s.offered() : io.traverse.stun.attr.PasswordAlgorithm.md5());
            DecodedMessage response = s.exchange(s.encode(request.build()));
            assertEquals(400, code(response.message()));
            assertUnprotected(response);
        }
    }

    /**
     * Bid-down: the feature bits of the nonce cookie altered (e.g. password algorithms cleared so a client would not
     * echo PASSWORD-ALGORITHMS) → 400, even with valid integrity.
     */
    @ParameterizedTest
    @ValueSource(ints = {0x000000, 0x000003, 0x000002, 0x000007, 0x800001})
    void alteredNonceFeatureBitsGet400(int bits) throws Exception {
        try (TurnTestSession s = session(Options.browser())) {
            s.challenge();
            String original = s.nonce();
            s.nonce(NonceCookie.encode(bits) + original.substring(NonceCookie.LENGTH));
            assertNotEquals(original, s.nonce());
            DecodedMessage response = s.send(allocateRequest());
            assertEquals(400, code(response.message()));
            assertUnprotected(response);
            s.nonce(original);
            s.succeed(s.send(allocateRequest()));
        }
    }

    /** Wrong password → 401 with a fresh challenge (REALM, NONCE, PASSWORD-ALGORITHMS), unprotected. */
    @ParameterizedTest
    @MethodSource("transports")
    void wrongPasswordGets401(String transport) throws Exception {
        try (TurnTestSession s = TurnTestSession.open(address(transport), transport.startsWith("tcp"),
                TurnFixture.USER, "wrong horse", Options.browser())) {
            s.challenge();
            DecodedMessage response = s.send(allocateRequest());
            assertChallenge(response);
        }
    }

    private static void assertChallenge(DecodedMessage response) {
        StunMessage m = response.message();
        assertEquals(401, code(m), m::toString);
        assertUnprotected(response);
        assertEquals(TurnFixture.REALM, m.attribute(Realm.class).orElseThrow().value());
        assertTrue(m.attribute(Nonce.class).orElseThrow().value().startsWith("obMatJos2"));
        assertEquals(OFFERED, m.attribute(PasswordAlgorithms.class).orElseThrow());
        assertFalse(m.has(AttributeType.SOFTWARE));
    }

    @ParameterizedTest
    @ValueSource(strings = {"USERNAME", "USERHASH"})
    void unknownUserGets401(String identity) throws Exception {
        try (TurnTestSession s = TurnTestSession.open(server.udp4(), false, "mallory", "whatever",
                Options.browser().withIdentity(Identity.valueOf(identity)))) {
            s.challenge();
            assertChallenge(s.send(allocateRequest()));
        }
    }

    /** A password for another user: bob's password with alice's name. */
    @Test
    void otherUsersPasswordGets401() throws Exception {
        try (TurnTestSession s = TurnTestSession.open(server.udp4(), false, TurnFixture.USER,
                TurnFixture.PASSWORD2, Options.modern())) {
            s.challenge();
            assertChallenge(s.send(allocateRequest()));
        }
    }

    @Test
    void wrongRealmGets401() throws Exception {
        try (TurnTestSession s = session(Options.browser())) {
            s.challenge();
            StunMessage.Builder request = allocateRequest().add(new Username(TurnFixture.USER))
                    .add(new Realm("other.realm")).add(new Nonce(s.nonce()));
            DecodedMessage response = s.exchange(StunEncoder.encode(request.build(), Integrity.sha1(
                    io.traverse.stun.auth.LongTermKey.derive(PasswordAlgorithm.MD5, TurnFixture.USER, "other.realm",
                            TurnFixture.PASSWORD)), false));
            assertChallenge(response);
        }
    }

    static Stream<Arguments> foreignNonces() throws Exception {
        // Same features as the test server (which has REST secrets, so no username anonymity), another key.
        StatelessNonces otherKey = new StatelessNonces(Duration.ofMinutes(10),
                EnumSet.of(SecurityFeature.PASSWORD_ALGORITHMS), Clock.systemUTC());
        return Stream.of(
                Arguments.of("garbage", "not-a-nonce-of-ours"),
                Arguments.of("rfc5389-style", "f0e1d2c3b4a5968778695a4b3c2d1e0f"),
                Arguments.of("other server key", otherKey.issue(new InetSocketAddress("127.0.0.1", 1), "UDP")),
                Arguments.of("cookie and garbage", "obMatJos2AAAB" + "x".repeat(34)));
    }

    /**
     * A nonce this server did not issue to this client, with correct integrity → 438 Stale Nonce carrying a fresh
     * NONCE and REALM, protected with the request's key; the retry with that nonce succeeds.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("foreignNonces")
    void foreignNonceGets438ThenRetrySucceeds(String kind, String foreign) throws Exception {
        for (Options options : List.of(Options.browser(), Options.modern())) {
            try (TurnTestSession s = session(options)) {
                s.challenge();
                String mine = s.nonce();
                if (foreign == null) {
                    try (TurnTestSession other = session(options)) {
                        other.challenge();
                        s.nonce(other.nonce());
                    }
                } else {
                    s.nonce(foreign);
                }
                DecodedMessage response = s.send(allocateRequest());
                StunMessage stale = s.fail(response, 438);
                String fresh = stale.attribute(Nonce.class).orElseThrow().value();
                assertTrue(fresh.startsWith("obMatJos2AAAB"), fresh);
                assertNotEquals(s.nonce(), fresh);
                assertEquals(TurnFixture.REALM, stale.attribute(Realm.class).orElseThrow().value());
                assertEquals(OFFERED, stale.attribute(PasswordAlgorithms.class).orElseThrow());
                assertTrue(mine.length() == fresh.length());
                s.nonce(fresh);
                s.succeed(s.send(allocateRequest()));
            }
        }
    }

    /** 401 before 438: a foreign nonce with a wrong password gets 401, never 438 (nothing learned about keys). */
    @Test
    void badIntegrityWithForeignNonceGets401Not438() throws Exception {
        try (TurnTestSession s = TurnTestSession.open(server.udp4(), false, TurnFixture.USER, "wrong",
                Options.modern())) {
            s.challenge();
            s.nonce("obMatJos2AAAB" + "A".repeat(34));
            assertChallenge(s.send(allocateRequest()));
        }
    }

    static Stream<Arguments> allOptions() {
        List<Arguments> out = new ArrayList<>();
        for (PasswordAlgorithm algorithm : PasswordAlgorithm.values()) {
            for (Integrity.Kind mac : List.of(Integrity.Kind.SHA1, Integrity.Kind.SHA256)) {
                for (Identity identity : Identity.values()) {
                    for (boolean echo : List.of(true, false)) {
                        out.add(Arguments.of(new Options(algorithm, mac, identity, echo)));
                    }
                }
            }
        }
        return out.stream();
    }

    /**
     * Every combination of key algorithm, MAC and identity. Without PASSWORD-ALGORITHMS/PASSWORD-ALGORITHM the
     * server takes MD5 (§9.2.4), so a SHA-256 key without the echo must fail with 401; every other combination
     * allocates and the response is protected with the MAC kind of the request under the same key.
     */
    @ParameterizedTest
    @MethodSource("allOptions")
    void everyCredentialCombination(Options options) throws Exception {
        try (TurnTestSession s = session(options)) {
            s.challenge();
            DecodedMessage response = s.send(allocateRequest());
            if (options.algorithm() == PasswordAlgorithm.SHA256 && !options.echoAlgorithms()) {
                assertChallenge(response);
            } else {
                s.succeed(response);
            }
        }
    }

    /**
     * MESSAGE-INTEGRITY-SHA256 + USERHASH + PASSWORD-ALGORITHMS (SHA-256) end to end: Allocate, CreatePermission,
     * ChannelBind, ChannelData to a peer socket and back as ChannelData; also the browser-style MD5 flow.
     */
    @ParameterizedTest
    @MethodSource("relayCases")
    void relayEndToEnd(String transport, Options options) throws Exception {
        boolean ipv6 = transport.endsWith("6");
        try (TurnTestSession s = session(transport, options);
             UdpPeer peer = UdpPeer.on(ipv6 ? "::1" : "127.0.0.1")) {
            s.challenge();
            DecodedMessage allocated = s.send(allocateRequest(ipv6
                    ? new io.traverse.stun.attr.RequestedAddressFamily(0x02)
                    : new io.traverse.stun.attr.RequestedAddressFamily(0x01)));
            StunMessage response = s.succeed(allocated);
            if (options.mac() == Integrity.Kind.SHA256) {
                assertTrue(allocated.verifyMessageIntegritySha256(s.key(PasswordAlgorithm.SHA256)));
                assertFalse(allocated.verifyMessageIntegritySha256(s.key(PasswordAlgorithm.MD5)));
            }
            InetSocketAddress relayed = TurnTestSession.relayed(response, ipv6);
            s.createPermission(peer.address());
            s.channelBind(0x4000, peer.address());
            s.assertChannelRoundTrip(0x4000, peer, relayed);
            s.assertChannelRoundTrip(0x4000, peer, relayed);
        }
    }

    static Stream<Arguments> relayCases() {
        List<Arguments> out = new ArrayList<>();
        for (String t : List.of("udp4", "tcp4", "udp6", "tcp6")) {
            out.add(Arguments.of(t, Options.modern()));
            out.add(Arguments.of(t, Options.browser()));
        }
        return out.stream();
    }

    /** USERHASH is what identifies the user: the hash of another user's name with alice's password → 401. */
    @Test
    void userHashOfAnotherUserGets401() throws Exception {
        try (TurnTestSession s = session(Options.modern())) {
            s.challenge();
            StunMessage request = allocateRequest()
                    .add(new UserHash(io.traverse.stun.auth.LongTermKey.userHash(TurnFixture.USER2, TurnFixture.REALM)))
                    .add(new Realm(s.realm())).add(new Nonce(s.nonce())).add(s.offered())
                    .add(io.traverse.stun.attr.PasswordAlgorithm.sha256()).build();
            assertChallenge(s.exchange(s.encode(request)));
        }
    }

    /** RFC 8489 §7.3: a request with FINGERPRINT gets a response with integrity and then FINGERPRINT, both valid. */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void authenticatedRequestWithFingerprint(boolean modern) throws Exception {
        try (TurnTestSession s = session(modern ? Options.modern() : Options.browser())) {
            s.challenge();
            byte[] request = StunEncoder.encode(s.credentials(allocateRequest()).build(), s.integrity(), true);
            DecodedMessage response = s.exchange(request);
            s.succeed(response);
            assertTrue(response.hasFingerprint() && response.fingerprintValid());
        }
    }
}
