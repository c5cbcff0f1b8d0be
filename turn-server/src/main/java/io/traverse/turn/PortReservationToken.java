package io.traverse.turn;

import io.traverse.net.Ip128;
import java.util.Objects;

/**
 * The 8-byte value of a RESERVATION-TOKEN attribute (RFC 8656 §18.10), naming a relayed port held back
 * by an Allocate with EVEN-PORT R=1 (§7.2) for a later Allocate to claim.
 *
 * <p>The token is a capability: whoever knows it may claim the port, so {@link #toString()} does not
 * print it.
 *
 * @param value the 64 bits, big-endian on the wire
 */
public record PortReservationToken(long value) {

    /** Length on the wire. */
    public static final int LENGTH = 8;

    /**
     * Reads a token from its 8 wire bytes.
     *
     * @throws IllegalArgumentException when the array is not exactly 8 bytes
     */
    public static PortReservationToken fromBytes(byte[] bytes) {
        Objects.requireNonNull(bytes, "bytes");
        if (bytes.length != LENGTH) {
            throw new IllegalArgumentException("RESERVATION-TOKEN must be 8 bytes, got " + bytes.length);
        }
        return new PortReservationToken(Ip128.toLong(bytes, 0));
    }

    /** The 8 wire bytes, big-endian; a fresh array. */
    public byte[] toBytes() {
        byte[] b = new byte[LENGTH];
        for (int i = 0; i < LENGTH; i++) {
            b[i] = (byte) (value >>> (56 - 8 * i));
        }
        return b;
    }

    @Override
    public String toString() {
        return "PortReservationToken[redacted]";
    }
}
