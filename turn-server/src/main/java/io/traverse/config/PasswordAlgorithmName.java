package io.traverse.config;

/**
 * A long-term credential password algorithm the server offers in PASSWORD-ALGORITHMS
 * (RFC 8489 §14.11, §18.5); written in lower case in the file ({@code sha256}, {@code md5}).
 */
public enum PasswordAlgorithmName {
    /** SHA-256, IANA code 0x0002; key = SHA-256(username ":" OpaqueString(realm) ":" OpaqueString(password)). */
    SHA256(0x0002),
    /** MD5, IANA code 0x0001; key = MD5(username ":" OpaqueString(realm) ":" OpaqueString(password)). */
    MD5(0x0001);

    private final int code;

    PasswordAlgorithmName(int code) {
        this.code = code;
    }

    /** The 16-bit algorithm number carried in PASSWORD-ALGORITHM(S). */
    public int code() {
        return code;
    }
}
