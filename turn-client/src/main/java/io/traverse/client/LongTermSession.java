package io.traverse.client;

import io.traverse.stun.StunMessage;
import io.traverse.stun.attr.Nonce;
import io.traverse.stun.attr.PasswordAlgorithms;
import io.traverse.stun.attr.Realm;
import io.traverse.stun.attr.UserHash;
import io.traverse.stun.attr.Username;
import io.traverse.stun.auth.LongTermKey;
import io.traverse.stun.auth.NonceCookie;
import io.traverse.stun.auth.PasswordAlgorithm;
import io.traverse.stun.auth.PrecisException;
import io.traverse.stun.auth.SecurityFeature;
import io.traverse.stun.codec.DecodedMessage;
import io.traverse.stun.codec.Integrity;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The client side of the long-term credential mechanism once a 401 has named REALM and NONCE (RFC 8489
 * §9.2.3.2, §9.2.5): which password algorithm, key, integrity attribute and user identity every later request
 * carries. Immutable; a 438 gives a copy with the fresh nonce ({@link #withChallenge}).
 */
final class LongTermSession {
    private final TurnCredentials credentials;
    private final String realm;
    private final String nonce;
    private final PasswordAlgorithms offered;
    private final io.traverse.stun.attr.PasswordAlgorithm chosen;
    private final PasswordAlgorithm algorithm;
    private final byte[] key;
    private final Integrity.Kind integrityKind;
    private final byte[] userHash;

    private LongTermSession(TurnCredentials credentials, String realm, String nonce, PasswordAlgorithms offered,
            io.traverse.stun.attr.PasswordAlgorithm chosen, PasswordAlgorithm algorithm, byte[] key,
            Integrity.Kind integrityKind, byte[] userHash) {
        this.credentials = credentials;
        this.realm = realm;
        this.nonce = nonce;
        this.offered = offered;
        this.chosen = chosen;
        this.algorithm = algorithm;
        this.key = key;
        this.integrityKind = integrityKind;
        this.userHash = userHash;
    }

    /**
     * The session a 401 (Unauthenticated) challenge sets up (RFC 8489 §9.2.5).
     *
     * @throws TurnProtocolException when the challenge lacks REALM or NONCE, hints at a bid-down attack, or
     *     offers no password algorithm these credentials can use (the client then MUST NOT retry)
     */
    static LongTermSession fromChallenge(TurnCredentials credentials, AllocateOptions options, StunMessage challenge)
            throws TurnProtocolException {
        String realm = challenge.attribute(Realm.class)
                .orElseThrow(() -> new TurnProtocolException("the 401 response has no REALM")).value();
        String nonce = nonceOf(challenge);
        PasswordAlgorithms offered = challenge.attribute(PasswordAlgorithms.class).orElse(null);
        checkBidDown(nonce, offered);

        io.traverse.stun.attr.PasswordAlgorithm chosen = null;
        PasswordAlgorithm algorithm;
        Optional<PasswordAlgorithm> forced = options.passwordAlgorithm();
        if (offered != null) {
            // §9.2.5: PASSWORD-ALGORITHM carries the first algorithm of the list the client supports.
            for (io.traverse.stun.attr.PasswordAlgorithm candidate : offered.algorithms()) {
                Optional<PasswordAlgorithm> known = PasswordAlgorithm.fromCode(candidate.algorithm());
                if (known.isPresent() && credentials.supports(known.get())
                        && (forced.isEmpty() || forced.get() == known.get())) {
                    chosen = candidate;
                    break;
                }
            }
            if (chosen == null) {
                throw new TurnProtocolException("the server offers password algorithms " + names(offered)
                        + ", none of which " + (forced.isPresent() ? "is the requested " + forced.get()
                        : credentials.keyAlgorithm().map(a -> "matches the " + a + " key").orElse("is supported"))
                        + "; not retrying (RFC 8489 section 9.2.5)");
            }
            algorithm = PasswordAlgorithm.fromCode(chosen.algorithm()).orElseThrow();
        } else {
            // No PASSWORD-ALGORITHMS: an RFC 5389 server, MD5 is the only choice.
            if ((forced.isPresent() && forced.get() != PasswordAlgorithm.MD5) || !credentials.supports(PasswordAlgorithm.MD5)) {
                throw new TurnProtocolException("the server sent no PASSWORD-ALGORITHMS, so only MD5 keys work");
            }
            algorithm = PasswordAlgorithm.MD5;
        }
        boolean rfc8489Server = offered != null || NonceCookie.featureBits(nonce).isPresent();
        Integrity.Kind kind = options.integrity().orElse(rfc8489Server ? Integrity.Kind.SHA256 : Integrity.Kind.SHA1);
        boolean useHash = options.userHash() || NonceCookie.announces(nonce, SecurityFeature.USERNAME_ANONYMITY);
        try {
            byte[] key = credentials.key(algorithm, realm);
            byte[] hash = useHash ? LongTermKey.userHash(credentials.username(), realm) : null;
            return new LongTermSession(credentials, realm, nonce, offered, chosen, algorithm, key, kind, hash);
        } catch (PrecisException e) {
            throw new TurnProtocolException("the server's REALM is rejected by OpaqueString: " + e.getMessage());
        }
    }

    /**
     * This session with the NONCE (and REALM, PASSWORD-ALGORITHMS when present) of a 438 (Stale Nonce) or 401
     * response (RFC 8489 §9.2.5).
     */
    LongTermSession withChallenge(StunMessage response) throws TurnProtocolException {
        String newNonce = nonceOf(response);
        String newRealm = response.attribute(Realm.class).map(Realm::value).orElse(realm);
        PasswordAlgorithms newOffered = response.attribute(PasswordAlgorithms.class).orElse(offered);
        checkBidDown(newNonce, newOffered);
        byte[] newKey = key;
        byte[] newHash = userHash;
        if (!newRealm.equals(realm)) {
            try {
                newKey = credentials.key(algorithm, newRealm);
                newHash = userHash == null ? null : LongTermKey.userHash(credentials.username(), newRealm);
            } catch (PrecisException e) {
                throw new TurnProtocolException("the server's REALM is rejected by OpaqueString: " + e.getMessage());
            }
        }
        return new LongTermSession(credentials, newRealm, newNonce, newOffered, chosen, algorithm, newKey,
                integrityKind, newHash);
    }

    private static String nonceOf(StunMessage response) throws TurnProtocolException {
        return response.attribute(Nonce.class)
                .orElseThrow(() -> new TurnProtocolException(response.type() + " without NONCE")).value();
    }

    /**
     * RFC 8489 §9.2.5: a nonce cookie announcing password algorithms without PASSWORD-ALGORITHMS means an
     * attacker may have stripped the attribute to force MD5; the client must not retry.
     */
    private static void checkBidDown(String nonce, PasswordAlgorithms offered) throws TurnProtocolException {
        if (offered == null && NonceCookie.announces(nonce, SecurityFeature.PASSWORD_ALGORITHMS)) {
            throw new TurnProtocolException("possible bid-down attack: the nonce announces password algorithms but "
                    + "the response has no PASSWORD-ALGORITHMS; not retrying (RFC 8489 section 9.2.5)");
        }
    }

    private static List<String> names(PasswordAlgorithms offered) {
        List<String> out = new ArrayList<>();
        for (io.traverse.stun.attr.PasswordAlgorithm a : offered.algorithms()) {
            out.add(PasswordAlgorithm.fromCode(a.algorithm()).map(Enum::name).orElse("#" + a.algorithm()));
        }
        return out;
    }

    /** Appends USERNAME or USERHASH, REALM, NONCE and, for an RFC 8489 server, PASSWORD-ALGORITHMS and PASSWORD-ALGORITHM. */
    void addTo(StunMessage.Builder request) {
        if (userHash != null) {
            request.add(new UserHash(userHash));
        } else {
            request.add(new Username(credentials.username()));
        }
        request.add(new Realm(realm));
        request.add(new Nonce(nonce));
        if (offered != null) {
            request.add(offered);
            request.add(chosen);
        }
    }

    /** The integrity attribute for requests. */
    Integrity integrity() {
        return integrityKind == Integrity.Kind.SHA256 ? Integrity.sha256(key) : Integrity.sha1(key);
    }

    /**
     * Whether a response is protected with this key (RFC 8489 §9.2.5): MESSAGE-INTEGRITY-SHA256 when present,
     * else MESSAGE-INTEGRITY.
     */
    boolean verify(DecodedMessage response) {
        if (response.hasMessageIntegritySha256()) {
            return response.verifyMessageIntegritySha256(key);
        }
        return response.hasMessageIntegrity() && response.verifyMessageIntegrity(key);
    }

    TurnCredentials credentials() {
        return credentials;
    }

    String nonce() {
        return nonce;
    }

    AuthSummary summary() {
        return new AuthSummary(realm, algorithm, integrityKind, userHash != null, offered != null);
    }

    @Override
    public String toString() {
        return "LongTermSession[" + summary().describe() + "]";
    }
}
