package io.traverse.stun.codec;

import java.security.GeneralSecurityException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Per-thread HMAC instances (Mac.getInstance is costly). An empty key is replaced by one zero byte: HMAC
 * pads short keys with zeros, so the two give the same MAC, and the JCE refuses empty keys.
 */
final class Hmac {
    private static final byte[] ZERO = {0};
    private static final ThreadLocal<Mac> SHA1 = ThreadLocal.withInitial(() -> create("HmacSHA1"));
    private static final ThreadLocal<Mac> SHA256 = ThreadLocal.withInitial(() -> create("HmacSHA256"));

    private Hmac() {
    }

    /** An HMAC-SHA1 initialised with {@code key}, ready for update. */
    static Mac sha1(byte[] key) {
        return init(SHA1.get(), key);
    }

    /** An HMAC-SHA256 initialised with {@code key}, ready for update. */
    static Mac sha256(byte[] key) {
        return init(SHA256.get(), key);
    }

    private static Mac init(Mac mac, byte[] key) {
        try {
            mac.init(new SecretKeySpec(key.length == 0 ? ZERO : key, mac.getAlgorithm()));
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot initialise " + mac.getAlgorithm(), e);
        }
    }

    private static Mac create(String algorithm) {
        try {
            return Mac.getInstance(algorithm);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(algorithm + " is not available in this JRE", e);
        }
    }
}
