package io.traverse.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.traverse.auth.CachingUserStore;
import io.traverse.auth.CredentialStore;
import io.traverse.auth.RateLimiter;
import io.traverse.auth.RestSecrets;
import io.traverse.auth.StatelessNonces;
import io.traverse.auth.UserEntry;
import io.traverse.auth.UserStore;
import io.traverse.auth.UsersFile;
import io.traverse.metrics.TraverseMetrics.AuthFailure;
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
import io.traverse.stun.auth.SecurityFeature;
import io.traverse.stun.codec.DecodedMessage;
import io.traverse.stun.codec.Integrity;
import io.traverse.stun.codec.StunDecoder;
import io.traverse.stun.codec.StunEncoder;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * No timing oracle (issue 10): a request naming an unknown user costs what a known user's request with a wrong
 * password costs — one credential look-up, one MAC of the same kind with a key of the same length — and both get the
 * same 401 (same attributes, same size). Shown by counting the work, not by timing it.
 */
class UnknownUserSameWorkTest {
    private static final String REALM = "traverse.test";
    private static final InetSocketAddress CLIENT = new InetSocketAddress("192.0.2.7", 40000);
    private static final String TRANSPORT = "UDP";

    /** One MAC computed by the authenticator: its kind and the length of the key it used. */
    private record Mac(boolean sha256, int keyLength) {}

    private final List<Mac> macs = new ArrayList<>();
    private final AtomicInteger storeQueries = new AtomicInteger();
    private final PasswordAlgorithms offered = new PasswordAlgorithms(List.of(
            io.traverse.stun.attr.PasswordAlgorithm.sha256(), io.traverse.stun.attr.PasswordAlgorithm.md5()));

    private Authenticator authenticator(CredentialStore credentials) {
        StatelessNonces nonces = new StatelessNonces(Duration.ofMinutes(10),
                EnumSet.of(SecurityFeature.PASSWORD_ALGORITHMS, SecurityFeature.USERNAME_ANONYMITY),
                Clock.systemUTC());
        Authenticator.MacCheck counting = (decoded, sha256, key) -> {
            macs.add(new Mac(sha256, key.length));
            return Authenticator.MacCheck.HMAC.verify(decoded, sha256, key);
        };
        return new Authenticator(REALM, credentials, nonces, RateLimiter.disabled(),
                List.of(PasswordAlgorithm.SHA256, PasswordAlgorithm.MD5), counting);
    }

    /** A database-like store holding alice only, counting its queries (behind the server's cache). */
    private CachingUserStore storeWithAlice() throws Exception {
        UserEntry alice = UserEntry.fromPassword("alice", REALM, "correct horse");
        UserStore store = new UserStore() {
            @Override
            public CompletableFuture<Optional<UserEntry>> user(String username, String realm) {
                storeQueries.incrementAndGet();
                return CompletableFuture.completedFuture(
                        username.equals(alice.username()) && realm.equals(alice.realm()) ? Optional.of(alice)
                                : Optional.empty());
            }

            @Override
            public CompletableFuture<List<String>> restSecrets(String realm) {
                return CompletableFuture.completedFuture(List.of());
            }

            @Override
            public CompletableFuture<Void> put(UserEntry entry) {
                throw new UnsupportedOperationException();
            }

            @Override
            public CompletableFuture<Boolean> delete(String username, String realm) {
                throw new UnsupportedOperationException();
            }

            @Override
            public CompletableFuture<List<UserEntry>> list(String realm) {
                throw new UnsupportedOperationException();
            }

            @Override
            public String describe() {
                return "in-memory://alice";
            }

            @Override
            public void close() {}
        };
        Duration minute = Duration.ofMinutes(1);
        return new CachingUserStore(store, new CachingUserStore.Settings(100, minute, minute, Duration.ZERO, 1000,
                1000, minute, minute));
    }

    /** What one request cost and what it got. */
    private record Answer(AuthFailure reason, List<Mac> macs, int storeQueries, List<Integer> attributeTypes,
            int encodedLength) {}

    private Answer answer(Authenticator authenticator, DecodedMessage request) {
        macs.clear();
        storeQueries.set(0);
        Authenticator.Result result = authenticator.authenticate(request, CLIENT, TRANSPORT, Runnable::run).join();
        Authenticator.Rejected rejected = assertInstanceOf(Authenticator.Rejected.class, result, result::toString);
        assertEquals(Integrity.Kind.NONE, rejected.integrity().kind(), "a 401 is never protected");
        StunMessage response = rejected.response().build();
        assertEquals(401, response.attribute(ErrorCodeAttribute.class).orElseThrow().code(), response::toString);
        List<Integer> types = response.attributes().stream().map(a -> a.type().code()).collect(Collectors.toList());
        return new Answer(rejected.reason(), List.copyOf(macs), storeQueries.get(), types,
                StunEncoder.encode(response, Integrity.none(), false).length);
    }

    private String nonce(Authenticator authenticator) throws Exception {
        StunMessage bare = StunMessage.builder(MessageType.request(Method.ALLOCATE), TransactionId.random())
                .add(new RequestedTransport(RequestedTransport.UDP)).build();
        Authenticator.Result result = authenticator.authenticate(StunDecoder.decode(StunEncoder.encode(bare)), CLIENT,
                TRANSPORT, Runnable::run).join();
        return ((Authenticator.Rejected) result).response().build().attribute(Nonce.class).orElseThrow().value();
    }

    /** An Allocate naming {@code user} (by USERNAME, or by USERHASH), signed with a key from {@code password}. */
    private DecodedMessage request(String user, boolean byHash, String password, boolean sha256, String nonce)
            throws Exception {
        PasswordAlgorithm algorithm = sha256 ? PasswordAlgorithm.SHA256 : PasswordAlgorithm.MD5;
        StunMessage.Builder b = StunMessage.builder(MessageType.request(Method.ALLOCATE), TransactionId.random())
                .add(new RequestedTransport(RequestedTransport.UDP))
                .add(byHash ? new UserHash(LongTermKey.userHash(user, REALM)) : new Username(user))
                .add(new Realm(REALM)).add(new Nonce(nonce));
        if (sha256) {
            b.add(offered).add(io.traverse.stun.attr.PasswordAlgorithm.sha256());
        }
        byte[] key = LongTermKey.derive(algorithm, user, REALM, password);
        return StunDecoder.decode(StunEncoder.encode(b.build(), sha256 ? Integrity.sha256(key) : Integrity.sha1(key),
                false));
    }

    private static void assertSameWork(Answer known, Answer unknown, boolean sha256) {
        assertEquals(AuthFailure.BAD_INTEGRITY, known.reason());
        assertEquals(AuthFailure.UNKNOWN_USER, unknown.reason());
        assertEquals(List.of(new Mac(sha256, sha256 ? 32 : 16)), known.macs(), "a known user: one MAC, its key");
        assertEquals(known.macs(), unknown.macs(), "an unknown user: the same MAC with a key no user has");
        assertEquals(known.storeQueries(), unknown.storeQueries(), "the same credential look-up");
        assertEquals(known.attributeTypes(), unknown.attributeTypes(), "the same 401");
        assertEquals(known.encodedLength(), unknown.encodedLength(), "a 401 of the same size");
    }

    /** Users kept in a database: the unknown name is looked up like the known one, then costs the same MAC. */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void unknownUsernameCostsWhatAWrongPasswordCosts(boolean sha256) throws Exception {
        CredentialStore credentials = new CredentialStore(UsersFile.empty(), RestSecrets.none(Clock.systemUTC()), 100,
                Duration.ofMinutes(1));
        credentials.attachStore(storeWithAlice());
        Authenticator authenticator = authenticator(credentials);

        Answer known = answer(authenticator, request("alice", false, "wrong horse", sha256, nonce(authenticator)));
        Answer unknown = answer(authenticator, request("mallory", false, "wrong horse", sha256,
                nonce(authenticator)));

        assertEquals(1, known.storeQueries(), "alice is looked up in the store");
        assertSameWork(known, unknown, sha256);
    }

    /** USERHASH (RFC 8489 §14.4) of a users-file user vs a hash no user has: the same MAC. */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void unknownUserHashCostsWhatAWrongPasswordCosts(boolean sha256) throws Exception {
        CredentialStore credentials = new CredentialStore(UsersFile.empty().add("alice", REALM, "correct horse"),
                RestSecrets.none(Clock.systemUTC()), 100, Duration.ofMinutes(1));
        Authenticator authenticator = authenticator(credentials);

        Answer known = answer(authenticator, request("alice", true, "wrong horse", sha256, nonce(authenticator)));
        Answer unknown = answer(authenticator, request("mallory", true, "wrong horse", sha256, nonce(authenticator)));

        assertSameWork(known, unknown, sha256);
    }
}
