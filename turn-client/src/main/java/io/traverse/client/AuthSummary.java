package io.traverse.client;

import io.traverse.stun.auth.PasswordAlgorithm;
import io.traverse.stun.codec.Integrity;

/**
 * What {@link TurnClient} negotiated for long-term authentication (RFC 8489 §9.2), for display; no key.
 *
 * @param realm the server's REALM
 * @param algorithm the password algorithm of the key
 * @param integrity {@link Integrity.Kind#SHA1} (MESSAGE-INTEGRITY) or {@link Integrity.Kind#SHA256}
 *     (MESSAGE-INTEGRITY-SHA256)
 * @param userHash true when USERHASH is sent instead of USERNAME
 * @param passwordAlgorithmsOffered true when the server sent PASSWORD-ALGORITHMS (an RFC 8489 server)
 */
public record AuthSummary(String realm, PasswordAlgorithm algorithm, Integrity.Kind integrity, boolean userHash,
        boolean passwordAlgorithmsOffered) {

    /** e.g. {@code SHA-256 key, MESSAGE-INTEGRITY-SHA256, USERNAME, realm example.org}. */
    public String describe() {
        return (algorithm == PasswordAlgorithm.SHA256 ? "SHA-256" : "MD5") + " key, "
                + (integrity == Integrity.Kind.SHA256 ? "MESSAGE-INTEGRITY-SHA256" : "MESSAGE-INTEGRITY") + ", "
                + (userHash ? "USERHASH" : "USERNAME") + ", realm " + realm;
    }
}
