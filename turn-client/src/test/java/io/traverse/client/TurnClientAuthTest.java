package io.traverse.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.traverse.stun.AttributeType;
import io.traverse.stun.ErrorCode;
import io.traverse.stun.MessageClass;
import io.traverse.stun.MessageType;
import io.traverse.stun.Method;
import io.traverse.stun.StunMessage;
import io.traverse.stun.attr.Lifetime;
import io.traverse.stun.attr.Nonce;
import io.traverse.stun.attr.PasswordAlgorithms;
import io.traverse.stun.attr.Realm;
import io.traverse.stun.attr.RequestedTransport;
import io.traverse.stun.attr.UserHash;
import io.traverse.stun.attr.Username;
import io.traverse.stun.attr.XorMappedAddress;
import io.traverse.stun.attr.XorRelayedAddress;
import io.traverse.stun.auth.LongTermKey;
import io.traverse.stun.auth.NonceCookie;
import io.traverse.stun.auth.PasswordAlgorithm;
import io.traverse.stun.codec.DecodedMessage;
import io.traverse.stun.codec.Integrity;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The client's side of long-term authentication (RFC 8489 §9.2.3, §9.2.5) checked byte by byte against a
 * scripted fake server: what the first and second Allocate carry, which algorithm and integrity attribute are
 * chosen, USERHASH, 438 and 401 handling, bid-down protection, and response verification.
 */
class TurnClientAuthTest {
    static final String REALM = "example.org";
    static final String USER = "alice";
    static final String PASSWORD = "correct horse";
    static final InetSocketAddress RELAYED = new InetSocketAddress("192.0.2.15", 50000);
    static final InetSocketAddress MAPPED = new InetSocketAddress("198.51.100.7", 41000);
    static final PasswordAlgorithms SHA256_MD5 = new PasswordAlgorithms(List.of(
            io.traverse.stun.attr.PasswordAlgorithm.sha256(), io.traverse.stun.attr.PasswordAlgorithm.md5()));
    static final PasswordAlgorithms MD5_SHA256 = new PasswordAlgorithms(List.of(
            io.traverse.stun.attr.PasswordAlgorithm.md5(), io.traverse.stun.attr.PasswordAlgorithm.sha256()));
    /** Nonce cookie with the password-algorithms bit (bit 0) set, as an RFC 8489 server sends it. */
    static final String NONCE_PA = NonceCookie.encode(0b01) + "opaque-part-1";
    static final String NONCE_PA_ANON = NonceCookie.encode(0b11) + "opaque-part-1";

    private FakeUdpServer server;
    private ExecutorService executor;

    @BeforeEach
    void setUp() throws Exception {
        server = new FakeUdpServer();
        executor = Executors.newSingleThreadExecutor();
    }

    @AfterEach
    void tearDown() {
        executor.shutdownNow();
        server.close();
    }

    static TurnClientOptions fast() {
        return TurnClientOptions.builder().rto(Duration.ofMillis(100)).transactionTimeout(Duration.ofSeconds(3)).build();
    }

    private TurnClient client() throws Exception {
        return TurnClient.connect(Transport.UDP, server.address(), fast());
    }

    static byte[] key(PasswordAlgorithm algorithm) throws Exception {
        return LongTermKey.derive(algorithm, USER, REALM, PASSWORD);
    }

    static StunMessage.Builder challenge(StunMessage request, String nonce, PasswordAlgorithms offered) {
        StunMessage.Builder b = StunMessage.errorResponseTo(request, ErrorCode.UNAUTHENTICATED)
                .add(new Realm(REALM)).add(new Nonce(nonce));
        if (offered != null) {
            b.add(offered);
        }
        return b;
    }

    static StunMessage.Builder allocateSuccess(StunMessage request) {
        return StunMessage.successResponseTo(request)
                .add(new XorRelayedAddress(RELAYED))
                .add(new Lifetime(600))
                .add(new XorMappedAddress(MAPPED));
    }

    /** Sends the first Allocate's 401, returns the authenticated second Allocate. */
    private DecodedMessage challengeAndReceive(String nonce, PasswordAlgorithms offered) throws Exception {
        DecodedMessage first = server.receive();
        server.reply(challenge(first.message(), nonce, offered), Integrity.none());
        return server.receive();
    }

    @Test
    void firstAllocateCarriesNoCredentialsSecondCarriesThemAllWithSha256() throws Exception {
        try (TurnClient client = client()) {
            Future<AllocateResult> result = executor.submit(
                    () -> client.allocate(TurnCredentials.password(USER, PASSWORD)));

            DecodedMessage first = server.receive();
            StunMessage m1 = first.message();
            assertEquals(MessageType.request(Method.ALLOCATE), m1.type());
            assertEquals(RequestedTransport.UDP, m1.attribute(RequestedTransport.class).orElseThrow().protocol());
            for (AttributeType t : List.of(AttributeType.USERNAME, AttributeType.USERHASH, AttributeType.REALM,
                    AttributeType.NONCE, AttributeType.PASSWORD_ALGORITHMS, AttributeType.PASSWORD_ALGORITHM)) {
                assertFalse(m1.has(t), "first request must not carry " + t + " (RFC 8489 §9.2.3.1)");
            }
            assertFalse(first.hasMessageIntegrity() || first.hasMessageIntegritySha256());
            server.reply(challenge(m1, NONCE_PA, SHA256_MD5), Integrity.none());

            DecodedMessage second = server.receive();
            StunMessage m2 = second.message();
            assertNotEquals(m1.transactionId(), m2.transactionId(), "the retry is a new transaction");
            assertEquals(USER, m2.attribute(Username.class).orElseThrow().value());
            assertEquals(REALM, m2.attribute(Realm.class).orElseThrow().value());
            assertEquals(NONCE_PA, m2.attribute(Nonce.class).orElseThrow().value());
            assertEquals(SHA256_MD5, m2.attribute(PasswordAlgorithms.class).orElseThrow(), "echo of PASSWORD-ALGORITHMS");
            assertEquals(io.traverse.stun.attr.PasswordAlgorithm.sha256(),
                    m2.attribute(io.traverse.stun.attr.PasswordAlgorithm.class).orElseThrow());
            assertEquals(RequestedTransport.UDP, m2.attribute(RequestedTransport.class).orElseThrow().protocol());
            assertTrue(second.hasMessageIntegritySha256(), "an RFC 8489 server gets MESSAGE-INTEGRITY-SHA256");
            assertFalse(second.hasMessageIntegrity());
            assertTrue(second.verifyMessageIntegritySha256(key(PasswordAlgorithm.SHA256)));

            server.reply(allocateSuccess(m2), Integrity.sha256(key(PasswordAlgorithm.SHA256)));
            AllocateResult allocation = result.get(5, TimeUnit.SECONDS);
            assertEquals(RELAYED, allocation.relayedAddress());
            assertEquals(MAPPED, allocation.mappedAddress());
            assertEquals(600, allocation.lifetimeSeconds());
            AuthSummary summary = client.authSummary().orElseThrow();
            assertEquals(PasswordAlgorithm.SHA256, summary.algorithm());
            assertEquals(Integrity.Kind.SHA256, summary.integrity());
            assertFalse(summary.userHash());
        }
    }

    @ParameterizedTest(name = "offered {0}, forced {1} -> {2}")
    @CsvSource({
        "SHA256_MD5, ,       SHA256",
        "MD5_SHA256, ,       MD5",
        "MD5_SHA256, SHA256, SHA256",
        "SHA256_MD5, MD5,    MD5",
    })
    void passwordAlgorithmIsFirstSupportedOfferedUnlessForced(String offeredName, PasswordAlgorithm forced,
            PasswordAlgorithm expected) throws Exception {
        PasswordAlgorithms offered = offeredName.equals("SHA256_MD5") ? SHA256_MD5 : MD5_SHA256;
        try (TurnClient client = client()) {
            AllocateOptions options = AllocateOptions.builder().passwordAlgorithm(forced).build();
            Future<AllocateResult> result = executor.submit(
                    () -> client.allocate(TurnCredentials.password(USER, PASSWORD), options));
            DecodedMessage second = challengeAndReceive(NONCE_PA, offered);
            assertEquals(offered, second.message().attribute(PasswordAlgorithms.class).orElseThrow());
            assertEquals(expected.code(),
                    second.message().attribute(io.traverse.stun.attr.PasswordAlgorithm.class).orElseThrow().algorithm());
            assertTrue(second.verifyMessageIntegritySha256(key(expected)));
            server.reply(allocateSuccess(second.message()), Integrity.sha256(key(expected)));
            assertEquals(RELAYED, result.get(5, TimeUnit.SECONDS).relayedAddress());
        }
    }

    @Test
    void rfc5389ServerGetsMd5AndMessageIntegrityWithoutAlgorithmAttributes() throws Exception {
        try (TurnClient client = client()) {
            Future<AllocateResult> result = executor.submit(
                    () -> client.allocate(TurnCredentials.password(USER, PASSWORD)));
            DecodedMessage second = challengeAndReceive("plain-old-nonce", null);
            StunMessage m = second.message();
            assertFalse(m.has(AttributeType.PASSWORD_ALGORITHMS));
            assertFalse(m.has(AttributeType.PASSWORD_ALGORITHM));
            assertTrue(second.hasMessageIntegrity());
            assertFalse(second.hasMessageIntegritySha256());
            assertTrue(second.verifyMessageIntegrity(key(PasswordAlgorithm.MD5)));
            server.reply(allocateSuccess(m), Integrity.sha1(key(PasswordAlgorithm.MD5)));
            result.get(5, TimeUnit.SECONDS);
            assertEquals(Integrity.Kind.SHA1, client.authSummary().orElseThrow().integrity());
        }
    }

    @Test
    void integrityCanBeForcedToMessageIntegrity() throws Exception {
        try (TurnClient client = client()) {
            AllocateOptions options = AllocateOptions.builder().integrity(Integrity.Kind.SHA1).build();
            Future<AllocateResult> result = executor.submit(
                    () -> client.allocate(TurnCredentials.password(USER, PASSWORD), options));
            DecodedMessage second = challengeAndReceive(NONCE_PA, SHA256_MD5);
            assertTrue(second.hasMessageIntegrity());
            assertFalse(second.hasMessageIntegritySha256());
            assertTrue(second.verifyMessageIntegrity(key(PasswordAlgorithm.SHA256)), "SHA-256 key, HMAC-SHA1");
            server.reply(allocateSuccess(second.message()), Integrity.sha1(key(PasswordAlgorithm.SHA256)));
            result.get(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void userHashWhenForced() throws Exception {
        try (TurnClient client = client()) {
            AllocateOptions options = AllocateOptions.builder().userHash(true).build();
            Future<AllocateResult> result = executor.submit(
                    () -> client.allocate(TurnCredentials.password(USER, PASSWORD), options));
            DecodedMessage second = challengeAndReceive(NONCE_PA, SHA256_MD5);
            assertFalse(second.message().has(AttributeType.USERNAME));
            assertArrayEquals(LongTermKey.userHash(USER, REALM),
                    second.message().attribute(UserHash.class).orElseThrow().hash());
            server.reply(allocateSuccess(second.message()), Integrity.sha256(key(PasswordAlgorithm.SHA256)));
            result.get(5, TimeUnit.SECONDS);
            assertTrue(client.authSummary().orElseThrow().userHash());
        }
    }

    @Test
    void userHashWhenTheNonceCookieAsksForUsernameAnonymity() throws Exception {
        try (TurnClient client = client()) {
            Future<AllocateResult> result = executor.submit(
                    () -> client.allocate(TurnCredentials.password(USER, PASSWORD)));
            DecodedMessage second = challengeAndReceive(NONCE_PA_ANON, SHA256_MD5);
            assertTrue(second.message().has(AttributeType.USERHASH));
            assertFalse(second.message().has(AttributeType.USERNAME));
            server.reply(allocateSuccess(second.message()), Integrity.sha256(key(PasswordAlgorithm.SHA256)));
            result.get(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void longTermKeyCredentialsUseTheirAlgorithm() throws Exception {
        try (TurnClient client = client()) {
            TurnCredentials credentials = TurnCredentials.key(USER, PasswordAlgorithm.MD5, key(PasswordAlgorithm.MD5));
            Future<AllocateResult> result = executor.submit(() -> client.allocate(credentials));
            DecodedMessage second = challengeAndReceive(NONCE_PA, SHA256_MD5);
            assertEquals(PasswordAlgorithm.MD5.code(),
                    second.message().attribute(io.traverse.stun.attr.PasswordAlgorithm.class).orElseThrow().algorithm());
            assertTrue(second.verifyMessageIntegritySha256(key(PasswordAlgorithm.MD5)));
            server.reply(allocateSuccess(second.message()), Integrity.sha256(key(PasswordAlgorithm.MD5)));
            result.get(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void bidDownIsRefusedWithoutRetrying() throws Exception {
        try (TurnClient client = client()) {
            Future<AllocateResult> result = executor.submit(
                    () -> client.allocate(TurnCredentials.password(USER, PASSWORD)));
            DecodedMessage first = server.receive();
            // The cookie announces password algorithms but the attribute was stripped.
            server.reply(challenge(first.message(), NONCE_PA, null), Integrity.none());
            Exception e = assertThrows(Exception.class, () -> result.get(5, TimeUnit.SECONDS));
            assertTrue(e.getCause() instanceof TurnProtocolException, String.valueOf(e.getCause()));
            assertTrue(e.getCause().getMessage().contains("bid-down"), e.getCause().getMessage());
            server.setTimeout(300);
            assertThrows(java.net.SocketTimeoutException.class, server::receive, "no retry after a bid-down");
        }
    }

    @Test
    void noSupportedAlgorithmIsRefused() throws Exception {
        try (TurnClient client = client()) {
            Future<AllocateResult> result = executor.submit(
                    () -> client.allocate(TurnCredentials.password(USER, PASSWORD)));
            DecodedMessage first = server.receive();
            PasswordAlgorithms unknownOnly = new PasswordAlgorithms(
                    List.of(new io.traverse.stun.attr.PasswordAlgorithm(0x7777)));
            server.reply(challenge(first.message(), NONCE_PA, unknownOnly), Integrity.none());
            Exception e = assertThrows(Exception.class, () -> result.get(5, TimeUnit.SECONDS));
            assertTrue(e.getCause() instanceof TurnProtocolException, String.valueOf(e.getCause()));
        }
    }

    @Test
    void staleNonceIsRetriedWithTheNewNonce() throws Exception {
        try (TurnClient client = client()) {
            Future<AllocateResult> result = executor.submit(
                    () -> client.allocate(TurnCredentials.password(USER, PASSWORD)));
            DecodedMessage second = challengeAndReceive(NONCE_PA, SHA256_MD5);
            String fresh = NonceCookie.encode(0b01) + "opaque-part-2";
            byte[] key = key(PasswordAlgorithm.SHA256);
            server.reply(StunMessage.errorResponseTo(second.message(), ErrorCode.STALE_NONCE)
                    .add(new Realm(REALM)).add(new Nonce(fresh)).add(SHA256_MD5), Integrity.sha256(key));
            DecodedMessage third = server.receive();
            assertNotEquals(second.message().transactionId(), third.message().transactionId());
            assertEquals(fresh, third.message().attribute(Nonce.class).orElseThrow().value());
            assertTrue(third.verifyMessageIntegritySha256(key));
            server.reply(allocateSuccess(third.message()), Integrity.sha256(key));
            assertEquals(RELAYED, result.get(5, TimeUnit.SECONDS).relayedAddress());
        }
    }

    @Test
    void secondUnauthenticatedMeansWrongCredentials() throws Exception {
        try (TurnClient client = client()) {
            Future<AllocateResult> result = executor.submit(
                    () -> client.allocate(TurnCredentials.password(USER, "wrong")));
            DecodedMessage second = challengeAndReceive(NONCE_PA, SHA256_MD5);
            server.reply(challenge(second.message(), NONCE_PA, SHA256_MD5), Integrity.none());
            Exception e = assertThrows(Exception.class, () -> result.get(5, TimeUnit.SECONDS));
            TurnErrorException error = (TurnErrorException) e.getCause();
            assertEquals(401, error.code());
            assertEquals(Method.ALLOCATE, error.method());
            assertFalse(error.integrityProtected());
        }
    }

    @Test
    void successWithWrongIntegrityIsIgnoredAndTheAuthenticOneAccepted() throws Exception {
        try (TurnClient client = client()) {
            Future<AllocateResult> result = executor.submit(
                    () -> client.allocate(TurnCredentials.password(USER, PASSWORD)));
            DecodedMessage second = challengeAndReceive(NONCE_PA, SHA256_MD5);
            server.reply(StunMessage.successResponseTo(second.message())
                    .add(new XorRelayedAddress(new InetSocketAddress("203.0.113.9", 1))).add(new Lifetime(5)),
                    Integrity.sha256(new byte[32]));
            server.reply(allocateSuccess(second.message()).build(), Integrity.none()); // unprotected: ignored too
            server.reply(allocateSuccess(second.message()), Integrity.sha256(key(PasswordAlgorithm.SHA256)));
            assertEquals(RELAYED, result.get(5, TimeUnit.SECONDS).relayedAddress());
        }
    }

    @Test
    void onlyForgedSuccessesEndInAProtocolError() throws Exception {
        TurnClientOptions options = TurnClientOptions.builder().rto(Duration.ofMillis(50)).maxTransmissions(2)
                .lastWaitFactor(4).build();
        try (TurnClient client = TurnClient.connect(Transport.UDP, server.address(), options)) {
            Future<AllocateResult> result = executor.submit(
                    () -> client.allocate(TurnCredentials.password(USER, PASSWORD)));
            DecodedMessage second = challengeAndReceive(NONCE_PA, SHA256_MD5);
            server.reply(allocateSuccess(second.message()), Integrity.sha256(key(PasswordAlgorithm.MD5)));
            Exception e = assertThrows(Exception.class, () -> result.get(5, TimeUnit.SECONDS));
            assertTrue(e.getCause() instanceof TurnProtocolException, String.valueOf(e.getCause()));
            assertTrue(e.getCause().getMessage().contains("integrity"), e.getCause().getMessage());
        }
    }

    @Test
    void laterRequestsCarryTheSessionAndTypedErrorsComeBack() throws Exception {
        InetSocketAddress peer = new InetSocketAddress("203.0.113.50", 4000);
        try (TurnClient client = client()) {
            Future<AllocateResult> allocated = executor.submit(
                    () -> client.allocate(TurnCredentials.password(USER, PASSWORD)));
            DecodedMessage second = challengeAndReceive(NONCE_PA, SHA256_MD5);
            byte[] key = key(PasswordAlgorithm.SHA256);
            server.reply(allocateSuccess(second.message()), Integrity.sha256(key));
            allocated.get(5, TimeUnit.SECONDS);

            Future<Void> permission = executor.submit(() -> {
                client.createPermission(peer);
                return null;
            });
            DecodedMessage cp = server.receive();
            assertEquals(MessageType.request(Method.CREATE_PERMISSION), cp.message().type());
            assertEquals(peer, cp.message().attribute(io.traverse.stun.attr.XorPeerAddress.class).orElseThrow().address());
            assertEquals(USER, cp.message().attribute(Username.class).orElseThrow().value());
            assertEquals(NONCE_PA, cp.message().attribute(Nonce.class).orElseThrow().value());
            assertEquals(SHA256_MD5, cp.message().attribute(PasswordAlgorithms.class).orElseThrow());
            assertTrue(cp.verifyMessageIntegritySha256(key));
            server.reply(StunMessage.errorResponseTo(cp.message(), ErrorCode.FORBIDDEN, "Peer denied"),
                    Integrity.sha256(key));
            Exception e = assertThrows(Exception.class, () -> permission.get(5, TimeUnit.SECONDS));
            TurnErrorException error = (TurnErrorException) e.getCause();
            assertEquals(403, error.code());
            assertEquals("Peer denied", error.reason());
            assertEquals(Method.CREATE_PERMISSION, error.method());
            assertTrue(error.integrityProtected());

            Future<Long> refreshed = executor.submit(() -> client.refresh(0));
            DecodedMessage refresh = server.receive();
            assertEquals(MessageType.request(Method.REFRESH), refresh.message().type());
            assertEquals(0, refresh.message().attribute(Lifetime.class).orElseThrow().seconds());
            assertTrue(refresh.verifyMessageIntegritySha256(key));
            server.reply(StunMessage.successResponseTo(refresh.message()).add(new Lifetime(0)), Integrity.sha256(key));
            assertEquals(0L, refreshed.get(5, TimeUnit.SECONDS));
        }
    }

    @Test
    void serverWithoutAuthenticationIsAccepted() throws Exception {
        try (TurnClient client = client()) {
            Future<AllocateResult> result = executor.submit(
                    () -> client.allocate(TurnCredentials.password(USER, PASSWORD)));
            DecodedMessage first = server.receive();
            server.reply(allocateSuccess(first.message()), Integrity.none());
            assertEquals(RELAYED, result.get(5, TimeUnit.SECONDS).relayedAddress());
            assertTrue(client.authSummary().isEmpty());
            assertEquals(MessageClass.REQUEST, first.message().messageClass());
        }
    }
}
