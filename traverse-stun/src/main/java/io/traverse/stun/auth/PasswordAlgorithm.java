package io.traverse.stun.auth;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Optional;

/**
 * STUN password algorithms (RFC 8489 §18.5, IANA "STUN Password Algorithms"): the hash that turns
 * {@code username ":" realm ":" password} into the long-term key (§9.2.2). A closed set: an unknown
 * wire code maps to {@link Optional#empty()}, which the request handler answers per §9.2.4.
 */
public enum PasswordAlgorithm {
    /** Code 1, RFC 8489 §18.5.1: MD5, 16-byte key (also the implicit algorithm of RFC 5389). */
    MD5(1, "MD5", 16),
    /** Code 2, RFC 8489 §18.5.2: SHA-256, 32-byte key. */
    SHA256(2, "SHA-256", 32);

    private final int code;
    private final String jcaName;
    private final int keyLength;

    PasswordAlgorithm(int code, String jcaName, int keyLength) {
        this.code = code;
        this.jcaName = jcaName;
        this.keyLength = keyLength;
    }

    /** The 16-bit wire value of PASSWORD-ALGORITHM(S). */
    public int code() {
        return code;
    }

    /** Length in bytes of the derived key. */
    public int keyLength() {
        return keyLength;
    }

    /** The algorithm with this wire code, or empty for an unknown or reserved (0) code. */
    public static Optional<PasswordAlgorithm> fromCode(int code) {
        for (PasswordAlgorithm a : values()) {
            if (a.code == code) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }

    /** A fresh digest for this algorithm; both are mandatory in every Java platform. */
    MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance(jcaName);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("JCA lacks mandatory digest " + jcaName, e);
        }
    }
}
