package io.traverse.turn;

import io.traverse.util.Rfc5952;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Objects;

/**
 * IP addresses as two {@code long}s (high and low 64 bits of an IPv6 address). IPv4 addresses are
 * held in their IPv4-mapped form {@code ::ffff:a.b.c.d} (RFC 4291 §2.5.5.2), so one 128-bit
 * comparison covers both families. Parsing is strict and never touches DNS.
 */
final class Ip128 {

    /** Low 64 bits of {@code ::ffff:0.0.0.0}. */
    static final long V4_MAPPED_LO = 0x0000_FFFF_0000_0000L;

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
    static int v4(Inet4Address address) {
        return INET4_HASH_IS_ADDRESS ? address.hashCode() : toInt(address.getAddress(), 0);
    }

    static long hi(InetAddress address) {
        Objects.requireNonNull(address, "address");
        if (address instanceof Inet4Address) {
            return 0;
        }
        return toLong(address.getAddress(), 0);
    }

    static long lo(InetAddress address) {
        Objects.requireNonNull(address, "address");
        if (address instanceof Inet4Address v4) {
            return mappedLo(v4(v4));
        }
        return toLong(address.getAddress(), 8);
    }

    static long mappedLo(int ipv4) {
        return V4_MAPPED_LO | (ipv4 & 0xFFFF_FFFFL);
    }

    static boolean isV4Mapped(long hi, long lo) {
        return hi == 0 && (lo >>> 32) == 0xFFFFL;
    }

    static long toLong(byte[] b, int off) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (b[off + i] & 0xFF);
        }
        return v;
    }

    static int toInt(byte[] b, int off) {
        return ((b[off] & 0xFF) << 24) | ((b[off + 1] & 0xFF) << 16) | ((b[off + 2] & 0xFF) << 8) | (b[off + 3] & 0xFF);
    }

    /** The address for these bits: an {@link Inet4Address} for the mapped range, else an {@link Inet6Address}. */
    static InetAddress toInetAddress(long hi, long lo) {
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
    static String format(long hi, long lo) {
        if (isV4Mapped(hi, lo)) {
            return formatV4((int) lo);
        }
        int[] g = new int[8];
        for (int i = 0; i < 4; i++) {
            g[i] = (int) (hi >>> (48 - 16 * i)) & 0xFFFF;
            g[4 + i] = (int) (lo >>> (48 - 16 * i)) & 0xFFFF;
        }
        return Rfc5952.format(g);
    }

    static String formatV4(int v4) {
        return ((v4 >>> 24) & 0xFF) + "." + ((v4 >>> 16) & 0xFF) + "." + ((v4 >>> 8) & 0xFF) + "." + (v4 & 0xFF);
    }

    /**
     * Parses an IPv4 dotted quad (exactly four decimal octets, no leading zeros) or an IPv6 literal
     * (RFC 4291 §2.2, optionally ending in a dotted quad; no zone, no brackets).
     *
     * @return {hi, lo}
     * @throws IllegalArgumentException naming the problem
     */
    static long[] parse(String text) {
        Objects.requireNonNull(text, "text");
        if (text.indexOf(':') >= 0) {
            return parseV6(text);
        }
        return new long[] {0, mappedLo(parseV4(text, text))};
    }

    static int parseV4(String s, String whole) {
        String[] parts = s.split("\\.", -1);
        if (parts.length != 4) {
            throw new IllegalArgumentException("not an IPv4 address (need four dotted octets): '" + whole + "'");
        }
        int v = 0;
        for (String p : parts) {
            if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(c -> c >= '0' && c <= '9')) {
                throw new IllegalArgumentException("bad IPv4 octet '" + p + "' in '" + whole + "'");
            }
            if (p.length() > 1 && p.charAt(0) == '0') {
                throw new IllegalArgumentException("IPv4 octet with a leading zero (ambiguous) '" + p + "' in '" + whole + "'");
            }
            int o = Integer.parseInt(p);
            if (o > 255) {
                throw new IllegalArgumentException("IPv4 octet above 255 '" + p + "' in '" + whole + "'");
            }
            v = (v << 8) | o;
        }
        return v;
    }

    private static long[] parseV6(String s) {
        if (s.indexOf('%') >= 0 || s.indexOf('[') >= 0) {
            throw new IllegalArgumentException("IPv6 zone or brackets not allowed: '" + s + "'");
        }
        int[] groups = new int[8];
        int dbl = s.indexOf("::");
        if (dbl >= 0 && s.indexOf("::", dbl + 1) >= 0) {
            throw new IllegalArgumentException("more than one '::' in '" + s + "'");
        }
        String head = dbl >= 0 ? s.substring(0, dbl) : s;
        String tail = dbl >= 0 ? s.substring(dbl + 2) : "";
        int[] h = parseGroups(head, s, dbl < 0);
        int[] t = dbl >= 0 ? parseGroups(tail, s, true) : new int[0];
        int count = h.length + t.length;
        if (dbl < 0 && count != 8) {
            throw new IllegalArgumentException("IPv6 address needs 8 groups: '" + s + "'");
        }
        if (dbl >= 0 && count > 7) {
            throw new IllegalArgumentException("'::' must stand for at least one group: '" + s + "'");
        }
        System.arraycopy(h, 0, groups, 0, h.length);
        System.arraycopy(t, 0, groups, 8 - t.length, t.length);
        long hi = 0;
        long lo = 0;
        for (int i = 0; i < 4; i++) {
            hi = (hi << 16) | groups[i];
            lo = (lo << 16) | groups[4 + i];
        }
        return new long[] {hi, lo};
    }

    /** Groups of one side of "::"; the dotted-quad form is allowed only at the very end. */
    private static int[] parseGroups(String part, String whole, boolean mayEndWithV4) {
        if (part.isEmpty()) {
            return new int[0];
        }
        String[] items = part.split(":", -1);
        int n = items.length;
        boolean v4 = mayEndWithV4 && items[n - 1].indexOf('.') >= 0;
        int[] out = new int[v4 ? n + 1 : n];
        for (int i = 0; i < n; i++) {
            String it = items[i];
            if (i == n - 1 && v4) {
                int a = parseV4(it, whole);
                out[i] = (a >>> 16) & 0xFFFF;
                out[i + 1] = a & 0xFFFF;
                continue;
            }
            if (it.isEmpty() || it.length() > 4) {
                throw new IllegalArgumentException("bad IPv6 group '" + it + "' in '" + whole + "'");
            }
            int v = 0;
            for (int k = 0; k < it.length(); k++) {
                int d = Character.digit(it.charAt(k), 16);
                if (d < 0) {
                    throw new IllegalArgumentException("bad IPv6 group '" + it + "' in '" + whole + "'");
                }
                v = (v << 4) | d;
            }
            out[i] = v;
        }
        return out;
    }
}
