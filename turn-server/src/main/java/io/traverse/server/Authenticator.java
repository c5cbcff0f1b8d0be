package io.traverse.server;

import io.traverse.auth.CredentialStore;
import io.traverse.auth.RateLimiter;
import io.traverse.auth.StatelessNonces;
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
import java.util.ArrayList;
import java.util.List;
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
    record Authenticated(String username, String realm, byte[] key, Integrity integrity) implements Result {
        @Override
        public String toString() {
            return "Authenticated[" + username + "@" + realm + "]";
        }
    }

    /** Answer with this error response; {@code integrity} protects it when the key is known (438). */
    record Rejected(StunMessage.Builder response, Integrity integrity, String reason) implements Result {}

    /** Send nothing (rate limit). */
    record Dropped(String reason) implements Result {}

    private final String realm;
    private final CredentialStore credentials;
    private final StatelessNonces nonces;
    private final RateLimiter unauthenticatedLimiter;
    private final List<PasswordAlgorithm> algorithms;
    private final PasswordAlgorithms offered;

    Authenticator(String realm, CredentialStore credentials, StatelessNonces nonces, RateLimiter limiter,
            List<PasswordAlgorithm> algorithms) {
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
        StunMessage request = decoded.message();
        boolean sha256 = decoded.hasMessageIntegritySha256();
        if (!sha256 && !decoded.hasMessageIntegrity()) {
            // §9.2.4 first bullet: no integrity → 401 with REALM and a fresh NONCE. Rate limited per source,
            // and no larger than needed (no SOFTWARE, no reason text beyond the default).
            if (!unauthenticatedLimiter.tryAcquire(source.getAddress())) {
                return now(new Dropped("rate_limited"));
            }
            return now(challenge(request, client, transport, ErrorCode.UNAUTHENTICATED, "no_integrity"));
        }
        Optional<Username> username = request.attribute(Username.class);
        Optional<UserHash> userHash = request.attribute(UserHash.class);
        Optional<Realm> requestRealm = request.attribute(Realm.class);
        Optional<Nonce> nonce = request.attribute(Nonce.class);
        if ((username.isEmpty() && userHash.isEmpty()) || requestRealm.isEmpty() || nonce.isEmpty()) {
            // §9.2.4: integrity present but USERNAME/USERHASH, REALM or NONCE missing → 400.
            return now(new Rejected(StunMessage.errorResponseTo(request, ErrorCode.BAD_REQUEST),
                    Integrity.none(), "missing_attribute"));
        }
        String nonceValue = nonce.get().value();
        if (nonceValue.startsWith(NonceCookie.PREFIX) && !nonces.featuresMatch(nonceValue)) {
            // The security feature bits were altered in transit: a bid-down attack (§9.2.4 / erratum 6290).
            return now(new Rejected(StunMessage.errorResponseTo(request, ErrorCode.BAD_REQUEST),
                    Integrity.none(), "feature_bits"));
        }
        Optional<PasswordAlgorithm> algorithm = passwordAlgorithm(request);
        if (algorithm.isEmpty()) {
            // §9.2.4: PASSWORD-ALGORITHMS not what we offered, or PASSWORD-ALGORITHM not among them → 400.
            return now(new Rejected(StunMessage.errorResponseTo(request, ErrorCode.BAD_REQUEST),
                    Integrity.none(), "password_algorithm"));
        }
        if (!realm.equals(requestRealm.get().value())) {
            return now(challenge(request, client, transport, ErrorCode.UNAUTHENTICATED, "wrong_realm"));
        }
        String user;
        if (username.isPresent()) {
            user = username.get().value();
        } else {
            Optional<String> resolved = credentials.resolveUserHash(userHash.get().hash(), realm);
            if (resolved.isEmpty()) {
                return now(challenge(request, client, transport, ErrorCode.UNAUTHENTICATED,
                        "unknown_user"));
            }
            user = resolved.get();
        }
        // The key look-up may go to a database: it never blocks this loop. A local or cached key answers at once;
        // otherwise the check continues on the client's own loop when the store answers.
        CompletableFuture<List<byte[]>> lookup = credentials.candidateKeysAsync(user, realm, algorithm.get());
        String name = user;
        if (lookup.isDone()) {
            return now(verify(lookup, decoded, client, transport, name, nonceValue));
        }
        return lookup.handleAsync((keys, error) -> verify(lookup, decoded, client, transport, name, nonceValue), loop);
    }

    private static CompletableFuture<Result> now(Result result) {
        return CompletableFuture.completedFuture(result);
    }

    /** §9.2.4 from "unknown user" on, once the key look-up has completed. */
    private Result verify(CompletableFuture<List<byte[]>> lookup, DecodedMessage decoded, InetSocketAddress client,
            String transport, String user, String nonceValue) {
        StunMessage request = decoded.message();
        boolean sha256 = decoded.hasMessageIntegritySha256();
        List<byte[]> keys;
        try {
            keys = lookup.join();
        } catch (CompletionException | CancellationException e) {
            // The credential store cannot answer and the user is not cached: RFC 8489 §14.8, 500 "temporary error,
            // the client should try again". No key, so no integrity.
            return new Rejected(StunMessage.errorResponseTo(request, ErrorCode.SERVER_ERROR), Integrity.none(),
                    "store_unavailable");
        }
        if (keys.isEmpty()) {
            return challenge(request, client, transport, ErrorCode.UNAUTHENTICATED, "unknown_user");
        }
        byte[] key = null;
        for (byte[] candidate : keys) {
            boolean ok = sha256 ? decoded.verifyMessageIntegritySha256(candidate)
                    : decoded.verifyMessageIntegrity(candidate);
            if (ok) {
                key = candidate;
                break;
            }
        }
        if (key == null) {
            return challenge(request, client, transport, ErrorCode.UNAUTHENTICATED, "bad_integrity");
        }
        Integrity integrity = sha256 ? Integrity.sha256(key) : Integrity.sha1(key);
        if (nonces.validate(nonceValue, client, transport) != StatelessNonces.Validity.VALID) {
            // §9.2.4: only now, with the integrity verified, a stale (or foreign) nonce → 438 with a fresh one.
            StunMessage.Builder stale = withChallenge(
                    StunMessage.errorResponseTo(request, ErrorCode.STALE_NONCE), client, transport);
            return new Rejected(stale, integrity, "stale_nonce");
        }
        return new Authenticated(user, realm, key, integrity);
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

    private Rejected challenge(StunMessage request, InetSocketAddress client, String transport, ErrorCode code,
            String reason) {
        return new Rejected(withChallenge(StunMessage.errorResponseTo(request, code), client, transport),
                Integrity.none(), reason);
    }

    /** Adds REALM, a fresh NONCE and PASSWORD-ALGORITHMS (§9.2.4, §14.11). */
    StunMessage.Builder withChallenge(StunMessage.Builder response, InetSocketAddress client, String transport) {
        return response.add(new Realm(realm))
                .add(new Nonce(nonces.issue(client, transport)))
                .add(offered);
    }
}
