package io.traverse.stun.codec;

import io.traverse.stun.StunMessage;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Objects;
import javax.crypto.Mac;

/**
 * A decoded STUN message plus what is needed to check its MESSAGE-INTEGRITY, MESSAGE-INTEGRITY-SHA256
 * (RFC 8489 §14.5, §14.6) and FINGERPRINT (§14.7) afterwards, once the caller knows the key. Holds a
 * private copy of the message bytes when any of the three is present. MAC comparisons are constant-time
 * ({@link MessageDigest#isEqual}).
 */
public final class DecodedMessage {
    private static final int HEADER = StunWire.HEADER_LENGTH;

    private final StunMessage message;
    private final byte[] raw;
    private final int miOffset;
    private final int mi256Offset;
    private final int mi256Length;
    private final int fpOffset;

    DecodedMessage(StunMessage message, byte[] raw, int miOffset, int mi256Offset, int mi256Length, int fpOffset) {
        this.message = message;
        this.raw = raw;
        this.miOffset = miOffset;
        this.mi256Offset = mi256Offset;
        this.mi256Length = mi256Length;
        this.fpOffset = fpOffset;
    }

    /** The message, without the attributes RFC 8489 says to ignore. */
    public StunMessage message() {
        return message;
    }

    /** True when a MESSAGE-INTEGRITY attribute counts (is not itself in an ignored position). */
    public boolean hasMessageIntegrity() {
        return miOffset >= 0;
    }

    /** True when a MESSAGE-INTEGRITY-SHA256 attribute counts. */
    public boolean hasMessageIntegritySha256() {
        return mi256Offset >= 0;
    }

    /** True when a FINGERPRINT attribute counts. */
    public boolean hasFingerprint() {
        return fpOffset >= 0;
    }

    /**
     * Checks MESSAGE-INTEGRITY (RFC 8489 §14.5): HMAC-SHA1 with {@code key} over the message up to the
     * attribute, with the header's length field set to end at the attribute.
     *
     * @return false when absent or wrong
     */
    public boolean verifyMessageIntegrity(byte[] key) {
        Objects.requireNonNull(key, "key");
        if (miOffset < 0) {
            return false;
        }
        Mac mac = Hmac.sha1(key);
        byte[] expected = hmac(mac, miOffset, miOffset - HEADER + 4 + 20);
        return MessageDigest.isEqual(expected, Arrays.copyOfRange(raw, miOffset + 4, miOffset + 24));
    }

    /**
     * Checks MESSAGE-INTEGRITY-SHA256 (RFC 8489 §14.6): HMAC-SHA256 with {@code key} over the message up
     * to the attribute, with the length field set to end at the attribute; a truncated value (16..28
     * bytes) is compared with the same-length prefix of the HMAC.
     *
     * @return false when absent or wrong
     */
    public boolean verifyMessageIntegritySha256(byte[] key) {
        Objects.requireNonNull(key, "key");
        if (mi256Offset < 0) {
            return false;
        }
        Mac mac = Hmac.sha256(key);
        byte[] full = hmac(mac, mi256Offset, mi256Offset - HEADER + 4 + mi256Length);
        byte[] received = Arrays.copyOfRange(raw, mi256Offset + 4, mi256Offset + 4 + mi256Length);
        return MessageDigest.isEqual(Arrays.copyOf(full, mi256Length), received);
    }

    /**
     * Checks FINGERPRINT (RFC 8489 §14.7): CRC-32 XOR 0x5354554e over the message up to the attribute,
     * with the length field set to end at the attribute.
     *
     * @return false when absent or wrong
     */
    public boolean fingerprintValid() {
        if (fpOffset < 0) {
            return false;
        }
        int expected = FingerprintCrc.computeWithLength(raw, fpOffset, fpOffset - HEADER + FingerprintCrc.ATTRIBUTE_LENGTH);
        int actual = ((raw[fpOffset + 4] & 0xFF) << 24) | ((raw[fpOffset + 5] & 0xFF) << 16)
                | ((raw[fpOffset + 6] & 0xFF) << 8) | (raw[fpOffset + 7] & 0xFF);
        return expected == actual;
    }

    private byte[] hmac(Mac mac, int end, int lengthField) {
        mac.update(raw, 0, 2);
        mac.update((byte) (lengthField >>> 8));
        mac.update((byte) lengthField);
        mac.update(raw, 4, end - 4);
        return mac.doFinal();
    }

    @Override
    public String toString() {
        return "DecodedMessage[" + message + "]";
    }
}
