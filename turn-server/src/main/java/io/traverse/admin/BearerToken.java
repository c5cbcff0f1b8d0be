package io.traverse.admin;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The bearer token the admin endpoint requires (RFC 6750 §2.1: {@code Authorization: Bearer <token>}).
 * Only its SHA-256 digest is kept; a presented token is hashed and the digests compared in constant time,
 * so neither the content nor the length of the token leaks through timing. Never printed or logged.
 */
final class BearerToken {
    private static final String SCHEME = "Bearer";

    private final byte[] digest;

    private BearerToken(byte[] digest) {
        this.digest = digest;
    }

    /**
     * Reads the token from a file: its content with surrounding whitespace trimmed, which must be
     * non-empty printable ASCII without spaces (RFC 6750 §2.1 b64token, loosely).
     *
     * @throws IllegalStateException naming the file (never its content) when it cannot be read or holds no
     *     usable token
     */
    static BearerToken read(Path file) {
        String token;
        try {
            token = Files.readString(file, StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            throw new IllegalStateException("admin bearer token file " + file + ": cannot read it ("
                    + e.getClass().getSimpleName() + ")", e);
        }
        if (token.isEmpty()) {
            throw new IllegalStateException("admin bearer token file " + file + " is empty");
        }
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            if (c < 0x21 || c > 0x7E) {
                throw new IllegalStateException("admin bearer token file " + file
                        + ": the token must be printable ASCII without spaces");
            }
        }
        return of(token);
    }

    /** A token from its text (tests). */
    static BearerToken of(String token) {
        return new BearerToken(sha256(token));
    }

    /**
     * True when {@code authorization} (an Authorization header value, or {@code null}) is
     * {@code Bearer <token>} with this token; the scheme is matched case-insensitively (RFC 9110 §11.1).
     */
    boolean matches(String authorization) {
        if (authorization == null || authorization.length() <= SCHEME.length()
                || !authorization.regionMatches(true, 0, SCHEME, 0, SCHEME.length())
                || authorization.charAt(SCHEME.length()) != ' ') {
            return false;
        }
        String presented = authorization.substring(SCHEME.length() + 1).trim();
        return MessageDigest.isEqual(digest, sha256(presented));
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }

    /** Never the token. */
    @Override
    public String toString() {
        return "BearerToken[redacted]";
    }
}
