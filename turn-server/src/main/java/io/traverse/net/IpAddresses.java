package io.traverse.net;

import io.netty.util.NetUtil;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * IP address literals: parsed strictly without ever consulting DNS, formatted per RFC 5952.
 *
 * <p>IPv4 is four decimal octets without leading zeros ({@code 010.0.0.1} is ambiguous and rejected, as
 * are the shortened BSD forms {@code 10.1} that {@link InetAddress#getByName} accepts). IPv6 follows RFC
 * 4291 §2.2, optionally in brackets; zone ids ({@code %eth0}) are rejected. IPv4-mapped IPv6 addresses
 * ({@code ::ffff:192.0.2.1}) are rejected with a hint to write the IPv4 form, because Java turns them into
 * IPv4 addresses anyway and a configuration should say what it means.
 */
public final class IpAddresses {
    private IpAddresses() {}

    /**
     * Parses an IPv4 or IPv6 literal.
     *
     * @throws IllegalArgumentException naming the problem, e.g. for a host name
     */
    public static InetAddress parse(String text) {
        String s = text.trim();
        if (s.startsWith("[") && s.endsWith("]") && s.length() > 2) {
            s = s.substring(1, s.length() - 1);
            if (s.indexOf(':') < 0) {
                throw invalid(text, "brackets are only for IPv6 addresses");
            }
        }
        byte[] bytes;
        if (s.indexOf(':') >= 0) {
            if (s.indexOf('%') >= 0) {
                throw invalid(text, "zone ids (%...) are not supported");
            }
            bytes = parseIpv6(s);
            if (bytes == null) {
                throw invalid(text, "not a valid IPv6 address");
            }
            if (isIpv4Mapped(bytes)) {
                throw new IllegalArgumentException("must not be an IPv4-mapped IPv6 address; write the IPv4 address "
                        + (bytes[12] & 0xFF) + "." + (bytes[13] & 0xFF) + "." + (bytes[14] & 0xFF) + "."
                        + (bytes[15] & 0xFF) + " instead, got \"" + text + "\"");
            }
        } else if (!s.isEmpty() && s.chars().allMatch(c -> (c >= '0' && c <= '9') || c == '.')) {
            bytes = parseIpv4(s);
            if (bytes == null) {
                throw invalid(text, "not a valid IPv4 address");
            }
        } else {
            throw new IllegalArgumentException("must be an IP address literal (IPv4 or IPv6), got \"" + text
                    + "\"; host names are not resolved");
        }
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new AssertionError("4 or 16 bytes are always accepted", e);
        }
    }

    /**
     * The text form of an address without any lookup: dotted quad for IPv4, RFC 5952 canonical form for
     * IPv6 (lower case, longest run of zero groups compressed), without brackets.
     */
    public static String format(InetAddress address) {
        return NetUtil.toAddressString(address);
    }

    /** Host part of a URI: IPv6 in brackets. */
    public static String formatForUri(InetAddress address) {
        return address instanceof Inet6Address ? "[" + format(address) + "]" : format(address);
    }

    /** True for an IPv4-mapped IPv6 address {@code ::ffff:a.b.c.d} (RFC 4291 §2.5.5.2) as 16 raw bytes. */
    public static boolean isIpv4Mapped(byte[] b) {
        if (b.length != 16) {
            return false;
        }
        for (int i = 0; i < 10; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return b[10] == (byte) 0xFF && b[11] == (byte) 0xFF;
    }

    /**
     * True for an {@link Inet6Address} holding an IPv4-mapped address. The JDK turns such addresses into
     * {@link java.net.Inet4Address} when it parses or builds them from bytes, but an {@link Inet6Address} with
     * a scope (as decoded from the wire) keeps the mapped form; an IPv6 socket cannot reach it as IPv4.
     */
    public static boolean isIpv4Mapped(InetAddress address) {
        return address instanceof Inet6Address && isIpv4Mapped(address.getAddress());
    }

    private static IllegalArgumentException invalid(String text, String why) {
        return new IllegalArgumentException("must be an IP address literal, got \"" + text + "\": " + why);
    }

    /** Four decimal octets, no leading zeros; null if invalid. */
    private static byte[] parseIpv4(String s) {
        String[] parts = s.split("\\.", -1);
        if (parts.length != 4) {
            return null;
        }
        byte[] out = new byte[4];
        for (int i = 0; i < 4; i++) {
            int v = decimalOctet(parts[i]);
            if (v < 0) {
                return null;
            }
            out[i] = (byte) v;
        }
        return out;
    }

    private static int decimalOctet(String p) {
        if (p.isEmpty() || p.length() > 3 || (p.length() > 1 && p.charAt(0) == '0')) {
            return -1;
        }
        for (int i = 0; i < p.length(); i++) {
            if (p.charAt(i) < '0' || p.charAt(i) > '9') {
                return -1;
            }
        }
        int v = Integer.parseInt(p);
        return v <= 255 ? v : -1;
    }

    /** RFC 4291 §2.2 text forms (with optional trailing dotted IPv4); null if invalid. */
    private static byte[] parseIpv6(String s) {
        int gap = s.indexOf("::");
        if (gap >= 0 && s.indexOf("::", gap + 1) >= 0) {
            return null;
        }
        String head = gap >= 0 ? s.substring(0, gap) : s;
        String tail = gap >= 0 ? s.substring(gap + 2) : "";
        int[] headGroups = groups(head, gap < 0);
        int[] tailGroups = gap >= 0 ? groups(tail, true) : new int[0];
        if (headGroups == null || tailGroups == null) {
            return null;
        }
        int total = headGroups.length + tailGroups.length;
        if (gap < 0 ? total != 8 : total > 7) {
            return null;
        }
        byte[] out = new byte[16];
        for (int i = 0; i < headGroups.length; i++) {
            out[2 * i] = (byte) (headGroups[i] >>> 8);
            out[2 * i + 1] = (byte) headGroups[i];
        }
        int offset = 8 - tailGroups.length;
        for (int i = 0; i < tailGroups.length; i++) {
            out[2 * (offset + i)] = (byte) (tailGroups[i] >>> 8);
            out[2 * (offset + i) + 1] = (byte) tailGroups[i];
        }
        return out;
    }

    /**
     * Colon-separated 16-bit groups; when {@code mayEndWithIpv4} the last part may be a dotted IPv4
     * address counting as two groups. Empty input is zero groups. Null if invalid.
     */
    private static int[] groups(String s, boolean mayEndWithIpv4) {
        if (s.isEmpty()) {
            return new int[0];
        }
        String[] parts = s.split(":", -1);
        int extra = 0;
        byte[] v4 = null;
        if (parts[parts.length - 1].indexOf('.') >= 0) {
            if (!mayEndWithIpv4) {
                return null;
            }
            v4 = parseIpv4(parts[parts.length - 1]);
            if (v4 == null) {
                return null;
            }
            extra = 1;
        }
        int hexParts = v4 == null ? parts.length : parts.length - 1;
        int[] out = new int[hexParts + 2 * extra];
        for (int i = 0; i < hexParts; i++) {
            String p = parts[i];
            if (p.isEmpty() || p.length() > 4) {
                return null;
            }
            int v = 0;
            for (int k = 0; k < p.length(); k++) {
                int d = hexDigit(p.charAt(k));
                if (d < 0) {
                    return null;
                }
                v = (v << 4) | d;
            }
            out[i] = v;
        }
        if (v4 != null) {
            out[hexParts] = ((v4[0] & 0xFF) << 8) | (v4[1] & 0xFF);
            out[hexParts + 1] = ((v4[2] & 0xFF) << 8) | (v4[3] & 0xFF);
        }
        return out;
    }

    /** ASCII hex digit value, or -1 ({@link Character#digit} would also accept non-ASCII digits). */
    private static int hexDigit(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }
}
