package io.traverse.server;

import io.traverse.auth.CredentialStore;
import io.traverse.auth.RateLimiter;
import io.traverse.auth.StatelessNonces;
import io.traverse.metrics.TraverseMetrics.AuthFailure;
import io.traverse.stun.ErrorCode;
import io.traverse.stun.StunMessage;
import io.traverse.stun.attr.Nonce;
import io.traverse.stun.attr.PasswordAlgorithms;
import io.traverse.stun.attr.Realm;
import io.traverse.stun.attr.UserHash;
import io.traverse.stun.attr.Username;
import io.traverse.stun.auth.NonceCookie;
import io.traverse.stun.auth.PasswordAlgorithm;
import io.traverse.stun.codec.DecodedMessage;
import io.traverse.stun.codec.Integrity;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;

/**
 * Long-term credential checks of RFC 8489 §9.2.4, in the order the RFC gives, with the security features of
 * RFC 8489 (PASSWORD-ALGORITHMS with downgrade protection, USERHASH, MESSAGE-INTEGRITY-SHA256). A stale or
 * foreign nonce is reported (438) only after the message integrity verified, so a 438 never tells an attacker
 * anything about credentials.
 */
final class Authenticator {
    /** Outcome of {@link #authenticate}. */
    sealed interface Result permits Authenticated, Rejected, Dropped {}

    /** The request is authentic: respond with {@link #integrity()} (same MAC kind the request used). */
    record Authenticated(String username, String realm, byte[] key, Integrity integrity, String quotaKey)
            implements Result {
        Authenticated(String username, String realm, byte[] key, Integrity integrity) {
            this(username, realm, key, integrity, username);
        }

        @Override
        public String toString() {
            return "Authenticated[" + username + "@" + realm + "]";
        }
    }

    /** Answer with this error response; {@code integrity} protects it when the key is known (438). */
    record Rejected(StunMessage.Builder response, Integrity integrity, AuthFailure reason) implements Result {}

    /** Send nothing (rate limit). */
    record Dropped(AuthFailure reason) implements Result {}

    /** Checks a request's MESSAGE-INTEGRITY(-SHA256) with one key: the one MAC each answer costs (a test seam). */
    @FunctionalInterface
    interface MacCheck {
        MacCheck HMAC = (decoded, sha256, key) -> sha256 ? decoded.verifyMessageIntegritySha256(key)
                : decoded.verifyMessageIntegrity(key);

        boolean verify(DecodedMessage decoded, boolean sha256, byte[] key);
    }

    /** Keys no user has (random per start), of each algorithm's length, verified in place of an unknown user's. */
    private static final Map<PasswordAlgorithm, byte[]> DUMMY_KEYS = dummyKeys();

    private final String realm;
    private final CredentialStore credentials;
    private final StatelessNonces nonces;
    private final RateLimiter unauthenticatedLimiter;
    private final List<PasswordAlgorithm> algorithms;
    private final PasswordAlgorithms offered;
    private final MacCheck mac;

    Authenticator(String realm, CredentialStore credentials, StatelessNonces nonces, RateLimiter limiter,
            List<PasswordAlgorithm> algorithms) {
        this(realm, credentials, nonces, limiter, algorithms, MacCheck.HMAC);
    }

    Authenticator(String realm, CredentialStore credentials, StatelessNonces nonces, RateLimiter limiter,
            List<PasswordAlgorithm> algorithms, MacCheck mac) {
        this.mac = mac;
        this.realm = realm;
        this.credentials = credentials;
        this.nonces = nonces;
        this.unauthenticatedLimiter = limiter;
        this.algorithms = List.copyOf(algorithms);
        List<io.traverse.stun.attr.PasswordAlgorithm> list = new ArrayList<>();
        for (PasswordAlgorithm algorithm : algorithms) {
            list.add(new io.traverse.stun.attr.PasswordAlgorithm(algorithm.code(), new byte[0]));
        }
        this.offered = new PasswordAlgorithms(list);
    }

    /**
     * Checks the request. The result is complete at once unless the key had to be fetched from a credential store;
     * then it completes on {@code loop} (the client's event loop), never blocking it.
     */
    CompletableFuture<Result> authenticate(DecodedMessage decoded, InetSocketAddress source, String transport,
            Executor loop) {
        // Nonces are bound to the client's IP and transport, not its port: RFC 6062 data connections and clients
        // behind a NAT that rebinds ports reuse the nonce of their first connection.
        InetSocketAddress client = new InetSocketAddress(source.getAddress(), 0);
        CompletableFuture<Result> result = check(decoded, client, transport, loop);
        if (result.isDone()) {
            return now(rateLimited(result.join(), source));
        }
        return result.thenApply(r -> rateLimited(r, source)); // completes on the client's loop
    }

    /**
     * Every answer sent before the request authenticated (401 for any reason, 400, 500) is rate limited per source:
     * each is work for the server and traffic towards a possibly spoofed address.
     */
    private Result rateLimited(Result result, InetSocketAddress source) {
        if (result instanceof Rejected && ((Rejected) result).integrity().kind() == Integrity.Kind.NONE
                && !unauthenticatedLimiter.tryAcquire(source.getAddress())) {
            return new Dropped(AuthFailure.RATE_LIMITED);
        }
        return result;
    }

    private CompletableFuture<Result> check(DecodedMessage decoded, InetSocketAddress client, String transport,
            Executor loop) {
        StunMessage request = decoded.message();
        boolean sha256 = decoded.hasMessageIntegritySha256();
        if (!sha256 && !decoded.hasMessageIntegrity()) {
            // §9.2.4 first bullet: no integrity → 401 with REALM and a fresh NONCE, no larger than needed (no
            // SOFTWARE, no reason text beyond the default).
            return now(challenge(request, client, transport, ErrorCode.UNAUTHENTICATED, AuthFailure.NO_INTEGRITY));
        }
        Optional<Username> username = request.attribute(Username.class);
        Optional<UserHash> userHash = request.attribute(UserHash.class);
        Optional<Realm> requestRealm = request.attribute(Realm.class);
        Optional<Nonce> nonce = request.attribute(Nonce.class);
        if ((username.isEmpty() && userHash.isEmpty()) || requestRealm.isEmpty() || nonce.isEmpty()) {
            // §9.2.4: integrity present but USERNAME/USERHASH, REALM or NONCE missing → 400.
            return now(new Rejected(StunMessage.errorResponseTo(request, ErrorCode.BAD_REQUEST),
                    Integrity.none(), AuthFailure.MISSING_ATTRIBUTE));
        }
        String nonceValue = nonce.get().value();
        Optional<PasswordAlgorithm> algorithm = passwordAlgorithm(request);
        if (algorithm.isEmpty()) {
            // §9.2.4: PASSWORD-ALGORITHMS not what we offered, or PASSWORD-ALGORITHM not among them → 400.
            return now(new Rejected(StunMessage.errorResponseTo(request, ErrorCode.BAD_REQUEST),
                    Integrity.none(), AuthFailure.PASSWORD_ALGORITHM));
        }
        if (!realm.equals(requestRealm.get().value())) {
            return now(challenge(request, client, transport, ErrorCode.UNAUTHENTICATED, AuthFailure.WRONG_REALM));
        }
        String user;
        if (username.isPresent()) {
            user = username.get().value();
        } else {
            Optional<String> resolved = credentials.resolveUserHash(userHash.get().hash(), realm);
            if (resolved.isEmpty()) {
                verify(decoded, sha256, DUMMY_KEYS.get(algorithm.get()));
                return now(challenge(request, client, transport, ErrorCode.UNAUTHENTICATED, AuthFailure.UNKNOWN_USER));
            }
            user = resolved.get();
        }
        // The key look-up may go to a database: it never blocks this loop. A local or cached key answers at once;
        // otherwise the check continues on the client's own loop when the store answers.
        CompletableFuture<List<byte[]>> lookup = credentials.candidateKeysAsync(user, realm, algorithm.get());
        String name = user;
        PasswordAlgorithm used = algorithm.get();
        if (lookup.isDone()) {
            return now(verify(lookup, decoded, client, transport, name, nonceValue, used));
        }
        return lookup.handleAsync((keys, error) -> verify(lookup, decoded, client, transport, name, nonceValue, used),
                loop);
    }

    private static CompletableFuture<Result> now(Result result) {
        return CompletableFuture.completedFuture(result);
    }

    /** §9.2.4 from "unknown user" on, once the key look-up has completed. */
    private Result verify(CompletableFuture<List<byte[]>> lookup, DecodedMessage decoded, InetSocketAddress client,
            String transport, String user, String nonceValue, PasswordAlgorithm algorithm) {
        StunMessage request = decoded.message();
        boolean sha256 = decoded.hasMessageIntegritySha256();
        List<byte[]> keys;
        try {
            keys = lookup.join();
        } catch (CompletionException | CancellationException e) {
            // The credential store cannot answer and the user is not cached: RFC 8489 §14.8, 500 "temporary error,
            // the client should try again". No key, so no integrity.
            return new Rejected(StunMessage.errorResponseTo(request, ErrorCode.SERVER_ERROR), Integrity.none(),
                    AuthFailure.STORE_UNAVAILABLE);
        }
        if (keys.isEmpty()) {
            // No timing oracle: an unknown user costs the same MAC computation as a known one with a wrong
            // password, so response times do not tell which usernames exist.
            verify(decoded, sha256, DUMMY_KEYS.get(algorithm));
            return challenge(request, client, transport, ErrorCode.UNAUTHENTICATED, AuthFailure.UNKNOWN_USER);
        }
        byte[] key = null;
        for (byte[] candidate : keys) {
            if (verify(decoded, sha256, candidate)) {
                key = candidate;
                break;
            }
        }
        if (key == null) {
            return challenge(request, client, transport, ErrorCode.UNAUTHENTICATED, AuthFailure.BAD_INTEGRITY);
        }
        if (nonceValue.startsWith(NonceCookie.PREFIX) && !nonces.featuresMatch(nonceValue)) {
            // §9.2.4, after the integrity check: security feature bits altered in transit are a bid-down attack
            // (erratum 6290) → 400. Checked only now, so an unauthenticated sender learns nothing from it.
            return new Rejected(StunMessage.errorResponseTo(request, ErrorCode.BAD_REQUEST), Integrity.none(),
                    AuthFailure.FEATURE_BITS);
        }
        Integrity integrity = sha256 ? Integrity.sha256(key) : Integrity.sha1(key);
        if (nonces.validate(nonceValue, client, transport) != StatelessNonces.Validity.VALID) {
            // §9.2.4: only now, with the integrity verified, a stale (or foreign) nonce → 438 with a fresh one.
            StunMessage.Builder stale = withChallenge(
                    StunMessage.errorResponseTo(request, ErrorCode.STALE_NONCE), client, transport);
            return new Rejected(stale, integrity, AuthFailure.STALE_NONCE);
        }
        return new Authenticated(user, realm, key, integrity, credentials.quotaKey(user, realm));
    }

    private boolean verify(DecodedMessage decoded, boolean sha256, byte[] key) {
        return mac.verify(decoded, sha256, key);
    }

    private static Map<PasswordAlgorithm, byte[]> dummyKeys() {
        SecureRandom random = new SecureRandom();
        Map<PasswordAlgorithm, byte[]> keys = new EnumMap<>(PasswordAlgorithm.class);
        keys.put(PasswordAlgorithm.MD5, new byte[16]);
        keys.put(PasswordAlgorithm.SHA256, new byte[32]);
        keys.values().forEach(random::nextBytes);
        return keys;
    }

    /**
     * The algorithm the client used. RFC 8489 §9.2.4: with neither PASSWORD-ALGORITHMS nor PASSWORD-ALGORITHM the
     * request is processed as MD5; with both, PASSWORD-ALGORITHMS must equal what the server offered and
     * PASSWORD-ALGORITHM must be one of them; with only one of the two the request is bad.
     */
    private Optional<PasswordAlgorithm> passwordAlgorithm(StunMessage request) {
        Optional<PasswordAlgorithms> list = request.attribute(PasswordAlgorithms.class);
        Optional<io.traverse.stun.attr.PasswordAlgorithm> chosen =
                request.attribute(io.traverse.stun.attr.PasswordAlgorithm.class);
        if (list.isEmpty() && chosen.isEmpty()) {
            return algorithms.contains(PasswordAlgorithm.MD5) ? Optional.of(PasswordAlgorithm.MD5) : Optional.empty();
        }
        if (list.isEmpty() || chosen.isEmpty() || !list.get().equals(offered)) {
            return Optional.empty();
        }
        Optional<PasswordAlgorithm> algorithm = PasswordAlgorithm.fromCode(chosen.get().algorithm());
        return algorithm.filter(algorithms::contains);
    }

    /**
     * A 401 with REALM, NONCE and PASSWORD-ALGORITHMS, as small as RFC 8489 §9.2.4 allows: it answers a request
     * that may come from a spoofed address, so it carries an empty reason phrase (§14.8 leaves the text to the
     * server; clients act on the code) and no SOFTWARE. Sizes in docs/security.md.
     */
    private Rejected challenge(StunMessage request, InetSocketAddress client, String transport, ErrorCode code,
            AuthFailure reason) {
        return new Rejected(withChallenge(StunMessage.errorResponseTo(request, code, ""), client, transport),
                Integrity.none(), reason);
    }

    /** Adds REALM, a fresh NONCE and PASSWORD-ALGORITHMS (§9.2.4, §14.11). */
    StunMessage.Builder withChallenge(StunMessage.Builder response, InetSocketAddress client, String transport) {
        return response.add(new Realm(realm))
                .add(new Nonce(nonces.issue(client, transport)))
                .add(offered);
    }
}
