package io.traverse.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.traverse.auth.CredentialStore;
import io.traverse.auth.RateLimiter;
import io.traverse.auth.RestSecrets;
import io.traverse.auth.StatelessNonces;
import io.traverse.auth.UsersFile;
import io.traverse.stun.MessageType;
import io.traverse.stun.Method;
import io.traverse.stun.StunMessage;
import io.traverse.stun.TransactionId;
import io.traverse.stun.attr.ErrorCodeAttribute;
import io.traverse.stun.attr.Nonce;
import io.traverse.stun.attr.PasswordAlgorithms;
import io.traverse.stun.attr.Realm;
import io.traverse.stun.attr.RequestedTransport;
import io.traverse.stun.attr.UserHash;
import io.traverse.stun.attr.Username;
import io.traverse.stun.auth.LongTermKey;
import io.traverse.stun.auth.PasswordAlgorithm;
import io.traverse.stun.auth.NonceCookie;
import io.traverse.stun.auth.SecurityFeature;
import io.traverse.stun.codec.DecodedMessage;
import io.traverse.stun.codec.Integrity;
import io.traverse.stun.codec.StunDecoder;
import io.traverse.stun.codec.StunEncoder;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link Authenticator} with a clock the test moves: nonce expiry → 438 (RFC 8489 §9.2.4) with a fresh nonce and
 * the response protected like the request, and the order of checks (a bad MAC or an unknown user is 401 even when
 * the nonce is stale: 438 only after the integrity verified).
 */
class AuthenticatorTest {
    private static final String REALM = "traverse.test";
    private static final String USER = "alice";
    private static final String PASSWORD = "correct horse";
    private static final Duration NONCE_LIFETIME = Duration.ofSeconds(600);
    private static final InetSocketAddress CLIENT = new InetSocketAddress("192.0.2.7", 40000);
    /** What the server binds nonces to: the client IP with port 0 (the port is not part of a nonce). */
    private static final InetSocketAddress NONCE_CLIENT = new InetSocketAddress(CLIENT.getAddress(), 0);
    private static final String TRANSPORT = "UDP";

    /** A clock the test moves by hand. */
    static final class TestClock extends Clock {
        private volatile Instant now = Instant.ofEpochSecond(1_700_000_000L);

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }

    private TestClock clock;
    private StatelessNonces nonces;
    private Authenticator authenticator;
    private PasswordAlgorithms offered;

    @BeforeEach
    void setUp() throws Exception {
        clock = new TestClock();
        CredentialStore store = new CredentialStore(UsersFile.empty().add(USER, REALM, PASSWORD),
                RestSecrets.none(clock), 100, Duration.ofMinutes(1));
        nonces = new StatelessNonces(NONCE_LIFETIME,
                EnumSet.of(SecurityFeature.PASSWORD_ALGORITHMS, SecurityFeature.USERNAME_ANONYMITY), clock);
        authenticator = new Authenticator(REALM, store, nonces, RateLimiter.disabled(),
                List.of(PasswordAlgorithm.SHA256, PasswordAlgorithm.MD5));
        offered = new PasswordAlgorithms(List.of(io.traverse.stun.attr.PasswordAlgorithm.sha256(),
                io.traverse.stun.attr.PasswordAlgorithm.md5()));
    }

    /** A fresh nonce as a 401 to an unauthenticated request hands it out. */
    private String challenge() throws Exception {
        StunMessage bare = StunMessage.builder(MessageType.request(Method.ALLOCATE), TransactionId.random())
                .add(new RequestedTransport(RequestedTransport.UDP)).build();
        Authenticator.Result result = authenticateNow(
                StunDecoder.decode(StunEncoder.encode(bare)), CLIENT, TRANSPORT);
        StunMessage response = assertRejected(result, 401).response().build();
        return response.attribute(Nonce.class).orElseThrow().value();
    }

    /** An Allocate with alice's credentials, nonce {@code nonce}, the given password and MAC kind. */
    private DecodedMessage request(String nonce, String password, boolean sha256) throws Exception {
        PasswordAlgorithm algorithm = sha256 ? PasswordAlgorithm.SHA256 : PasswordAlgorithm.MD5;
        byte[] key = LongTermKey.derive(algorithm, USER, REALM, password);
        StunMessage.Builder b = StunMessage.builder(MessageType.request(Method.ALLOCATE), TransactionId.random())
                .add(new RequestedTransport(RequestedTransport.UDP));
        if (sha256) {
            b.add(new UserHash(LongTermKey.userHash(USER, REALM)));
        } else {
            b.add(new Username(USER));
        }
        b.add(new Realm(REALM)).add(new Nonce(nonce));
        if (sha256) {
            b.add(offered).add(io.traverse.stun.attr.PasswordAlgorithm.sha256());
        }
        Integrity integrity = sha256 ? Integrity.sha256(key) : Integrity.sha1(key);
        return StunDecoder.decode(StunEncoder.encode(b.build(), integrity, false));
    }

    private static Authenticator.Rejected assertRejected(Authenticator.Result result, int code) {
        Authenticator.Rejected rejected = assertInstanceOf(Authenticator.Rejected.class, result, result::toString);
        StunMessage response = rejected.response().build();
        assertEquals(code, response.attribute(ErrorCodeAttribute.class).orElseThrow().code(), response::toString);
        return rejected;
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void nonceValidUntilItsLifetimeEndsThenStale438(boolean sha256) throws Exception {
        String nonce = challenge();
        clock.advance(NONCE_LIFETIME.minusSeconds(1));
        Authenticator.Authenticated ok = assertInstanceOf(Authenticator.Authenticated.class,
                authenticateNow(request(nonce, PASSWORD, sha256), CLIENT, TRANSPORT));
        assertEquals(USER, ok.username());

        clock.advance(Duration.ofSeconds(1)); // the nonce's expiry second
        Authenticator.Rejected stale = assertRejected(
                authenticateNow(request(nonce, PASSWORD, sha256), CLIENT, TRANSPORT), 438);
        StunMessage response = stale.response().build();
        String fresh = response.attribute(Nonce.class).orElseThrow().value();
        assertNotEquals(nonce, fresh);
        assertEquals(StatelessNonces.Validity.VALID, nonces.validate(fresh, NONCE_CLIENT, TRANSPORT));
        assertEquals(REALM, response.attribute(Realm.class).orElseThrow().value());
        assertEquals(offered, response.attribute(PasswordAlgorithms.class).orElseThrow());
        // The 438 is protected like the request, with the user's key (the server knows it now).
        PasswordAlgorithm algorithm = sha256 ? PasswordAlgorithm.SHA256 : PasswordAlgorithm.MD5;
        assertEquals(sha256 ? Integrity.Kind.SHA256 : Integrity.Kind.SHA1, stale.integrity().kind());
        byte[] encoded = StunEncoder.encode(response, stale.integrity(), false);
        DecodedMessage decoded = StunDecoder.decode(encoded);
        byte[] key = LongTermKey.derive(algorithm, USER, REALM, PASSWORD);
        assertTrue(sha256 ? decoded.verifyMessageIntegritySha256(key) : decoded.verifyMessageIntegrity(key));

        // The fresh nonce works.
        assertInstanceOf(Authenticator.Authenticated.class,
                authenticateNow(request(fresh, PASSWORD, sha256), CLIENT, TRANSPORT));
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void staleNonceWithBadIntegrityGets401Not438(boolean sha256) throws Exception {
        String nonce = challenge();
        clock.advance(NONCE_LIFETIME.plusSeconds(30));
        Authenticator.Rejected rejected = assertRejected(
                authenticateNow(request(nonce, "wrong horse", sha256), CLIENT, TRANSPORT), 401);
        assertEquals(Integrity.Kind.NONE, rejected.integrity().kind(), "a 401 is never protected");
        StunMessage response = rejected.response().build();
        assertEquals(StatelessNonces.Validity.VALID,
                nonces.validate(response.attribute(Nonce.class).orElseThrow().value(), NONCE_CLIENT, TRANSPORT));
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void staleNonceWithUnknownUserGets401Not438(boolean sha256) throws Exception {
        String nonce = challenge();
        clock.advance(NONCE_LIFETIME.plusSeconds(30));
        StunMessage.Builder b = StunMessage.builder(MessageType.request(Method.ALLOCATE), TransactionId.random())
                .add(new RequestedTransport(RequestedTransport.UDP));
        b.add(sha256 ? new UserHash(LongTermKey.userHash("mallory", REALM)) : new Username("mallory"));
        b.add(new Realm(REALM)).add(new Nonce(nonce));
        if (sha256) {
            b.add(offered).add(io.traverse.stun.attr.PasswordAlgorithm.sha256());
        }
        byte[] key = LongTermKey.derive(sha256 ? PasswordAlgorithm.SHA256 : PasswordAlgorithm.MD5, "mallory", REALM,
                "x");
        DecodedMessage decoded = StunDecoder.decode(StunEncoder.encode(b.build(),
                sha256 ? Integrity.sha256(key) : Integrity.sha1(key), false));
        assertRejected(authenticateNow(decoded, CLIENT, TRANSPORT), 401);
    }

    /**
     * A nonce is bound to the client's IP address and transport: elsewhere it is 438, never accepted. The port is
     * not part of it (RFC 6062 data connections and NAT rebinding reuse a nonce from a new port).
     */
    @ParameterizedTest
    @ValueSource(strings = {"address", "transport"})
    void nonceOfAnotherClientOrTransportGets438(String change) throws Exception {
        String nonce = challenge();
        InetSocketAddress client = change.equals("address") ? new InetSocketAddress("192.0.2.8", CLIENT.getPort())
                : CLIENT;
        String transport = change.equals("transport") ? "TCP" : TRANSPORT;
        assertRejected(authenticateNow(request(nonce, PASSWORD, false), client, transport), 438);
        assertInstanceOf(Authenticator.Authenticated.class,
                authenticateNow(request(nonce, PASSWORD, false), CLIENT, TRANSPORT));
    }

    @org.junit.jupiter.api.Test
    void nonceIsValidFromAnotherPortOfTheSameAddress() throws Exception {
        String nonce = challenge();
        assertInstanceOf(Authenticator.Authenticated.class, authenticateNow(request(nonce, PASSWORD, false),
                new InetSocketAddress(CLIENT.getAddress(), 40001), TRANSPORT));
    }

    /** The key handed on for the response is the one that verified the request. */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void authenticatedCarriesTheVerifyingKey(boolean sha256) throws Exception {
        Authenticator.Authenticated ok = assertInstanceOf(Authenticator.Authenticated.class,
                authenticateNow(request(challenge(), PASSWORD, sha256), CLIENT, TRANSPORT));
        byte[] expected = LongTermKey.derive(sha256 ? PasswordAlgorithm.SHA256 : PasswordAlgorithm.MD5, USER, REALM,
                PASSWORD);
        assertTrue(Arrays.equals(expected, ok.key()));
        assertEquals(sha256 ? Integrity.Kind.SHA256 : Integrity.Kind.SHA1, ok.integrity().kind());
        assertEquals(REALM, ok.realm());
    }

    /**
     * RFC 8489 §9.2.4 checks the nonce's security feature bits only after the integrity: altered bits with a wrong
     * MAC get the same 401 as any wrong MAC (nothing learned), with a right MAC 400 (bid-down detected).
     */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void alteredFeatureBitsAreCheckedAfterIntegrity(boolean sha256) throws Exception {
        String nonce = challenge();
        String altered = NonceCookie.encode(0) + nonce.substring(NonceCookie.LENGTH);
        assertRejected(authenticateNow(request(altered, "wrong password", sha256), CLIENT, TRANSPORT),
                401);
        assertRejected(authenticateNow(request(altered, PASSWORD, sha256), CLIENT, TRANSPORT), 400);
    }

    /** The quota key of a users-file user is its name (REST users: CredentialStoreTest). */
    @Test
    void authenticatedCarriesTheQuotaKey() throws Exception {
        Authenticator.Authenticated ok = assertInstanceOf(Authenticator.Authenticated.class,
                authenticateNow(request(challenge(), PASSWORD, false), CLIENT, TRANSPORT));
        assertEquals(USER, ok.quotaKey());
    }

    /** The checks with local credentials only: the result is complete at once. */
    private Authenticator.Result authenticateNow(io.traverse.stun.codec.DecodedMessage decoded,
            java.net.InetSocketAddress client, String transport) {
        var pending = authenticator.authenticate(decoded, client, transport, Runnable::run);
        assertTrue(pending.isDone(), "local credentials answer without waiting");
        return pending.join();
    }
}
