package io.traverse.net;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Objects;

/**
 * IP addresses as two {@code long}s (high and low 64 bits of an IPv6 address). IPv4 addresses are
 * held in their IPv4-mapped form {@code ::ffff:a.b.c.d} (RFC 4291 §2.5.5.2), so one 128-bit
 * comparison covers both families. Used where a check must not allocate (the peer policy, {@link Cidr}).
 */
public final class Ip128 {

    /** Low 64 bits of {@code ::ffff:0.0.0.0}. */
    public static final long V4_MAPPED_LO = 0x0000_FFFF_0000_0000L;

    /**
     * OpenJDK's {@link Inet4Address#hashCode()} is the address itself; using it avoids the array copy
     * of {@link InetAddress#getAddress()} on the hot path. Not specified, so verified once at startup
     * and otherwise not used.
     */
    private static final boolean INET4_HASH_IS_ADDRESS = verifyInet4Hash();

    private Ip128() {}

    private static boolean verifyInet4Hash() {
        try {
            for (byte[] b : new byte[][] {{8, 8, 4, 4}, {(byte) 203, 0, 113, (byte) 255}, {(byte) 255, 1, (byte) 128, 0}}) {
                InetAddress a = InetAddress.getByAddress(b);
                if (a.hashCode() != toInt(b, 0)) {
                    return false;
                }
            }
            return true;
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }

    /** The IPv4 address as a big-endian int, without allocating on OpenJDK. */
    public static int v4(Inet4Address address) {
        return INET4_HASH_IS_ADDRESS ? address.hashCode() : toInt(address.getAddress(), 0);
    }

    public static long hi(InetAddress address) {
        Objects.requireNonNull(address, "address");
        if (address instanceof Inet4Address) {
            return 0;
        }
        return toLong(address.getAddress(), 0);
    }

    public static long lo(InetAddress address) {
        Objects.requireNonNull(address, "address");
        if (address instanceof Inet4Address v4) {
            return mappedLo(v4(v4));
        }
        return toLong(address.getAddress(), 8);
    }

    public static long mappedLo(int ipv4) {
        return V4_MAPPED_LO | (ipv4 & 0xFFFF_FFFFL);
    }

    public static boolean isV4Mapped(long hi, long lo) {
        return hi == 0 && (lo >>> 32) == 0xFFFFL;
    }

    public static long toLong(byte[] b, int off) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (b[off + i] & 0xFF);
        }
        return v;
    }

    public static int toInt(byte[] b, int off) {
        return ((b[off] & 0xFF) << 24) | ((b[off + 1] & 0xFF) << 16) | ((b[off + 2] & 0xFF) << 8) | (b[off + 3] & 0xFF);
    }

    /** The address for these bits: an {@link Inet4Address} for the mapped range, else an {@link Inet6Address}. */
    public static InetAddress toInetAddress(long hi, long lo) {
        byte[] b = new byte[16];
        for (int i = 0; i < 8; i++) {
            b[i] = (byte) (hi >>> (56 - 8 * i));
            b[8 + i] = (byte) (lo >>> (56 - 8 * i));
        }
        try {
            return InetAddress.getByAddress(b); // a 16-byte mapped address comes back as Inet4Address
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError("16-byte address rejected", e);
        }
    }

    /** Dotted quad for the mapped range, else RFC 5952 text (lower case, longest zero run compressed). */
    public static String format(long hi, long lo) {
        return IpAddresses.format(toInetAddress(hi, lo));
    }

    /** Dotted quad of an IPv4 address held as a big-endian int. */
    public static String formatV4(int v4) {
        return ((v4 >>> 24) & 0xFF) + "." + ((v4 >>> 16) & 0xFF) + "." + ((v4 >>> 8) & 0xFF) + "." + (v4 & 0xFF);
    }
}
