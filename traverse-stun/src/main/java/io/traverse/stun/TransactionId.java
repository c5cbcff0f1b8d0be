package io.traverse.stun;

import java.security.SecureRandom;
import java.util.Arrays;

/**
 * The 96-bit STUN transaction ID (RFC 8489 §6). Immutable: the bytes are copied in and out.
 *
 * <p>{@link #random()} draws from one shared {@link SecureRandom}, because RFC 8489 §6 asks for
 * cryptographically random transaction IDs (they help tie responses to requests against off-path
 * attackers). Transaction IDs are made per transaction, not per relayed packet, so its cost is fine.
 */
public final class TransactionId {
    /** Length of a transaction ID in bytes. */
    public static final int LENGTH = 12;

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private final byte[] bytes;
    private final int hash;

    private TransactionId(byte[] owned) {
        this.bytes = owned;
        this.hash = Arrays.hashCode(owned);
    }

    /** A new transaction ID from {@link SecureRandom}. */
    public static TransactionId random() {
        byte[] b = new byte[LENGTH];
        RANDOM.nextBytes(b);
        return new TransactionId(b);
    }

    /**
     * The transaction ID with these 12 bytes (copied).
     *
     * @throws IllegalArgumentException unless exactly 12 bytes are given
     */
    public static TransactionId of(byte[] twelve) {
        if (twelve == null || twelve.length != LENGTH) {
            throw new IllegalArgumentException("transaction ID must be 12 bytes");
        }
        return new TransactionId(twelve.clone());
    }

    /** A copy of the 12 bytes. */
    public byte[] toBytes() {
        return bytes.clone();
    }

    /** Byte {@code i} (0..11), without copying. */
    public byte byteAt(int i) {
        return bytes[i];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TransactionId other && Arrays.equals(other.bytes, bytes);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    /** The 24 lower-case hex digits. */
    @Override
    public String toString() {
        char[] out = new char[LENGTH * 2];
        for (int i = 0; i < LENGTH; i++) {
            out[2 * i] = HEX[(bytes[i] >> 4) & 0xF];
            out[2 * i + 1] = HEX[bytes[i] & 0xF];
        }
        return new String(out);
    }
}
