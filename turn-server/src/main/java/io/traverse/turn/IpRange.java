package io.traverse.turn;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.Objects;

/**
 * An IPv4 or IPv6 CIDR block, held as a 128-bit network and mask (IPv4 in its IPv4-mapped form) so
 * {@link #contains} is two masks and two compares, with no allocation when called with raw bits.
 *
 * <p>Text forms: {@code 10.0.0.0/8}, {@code 2001:db8::/32}, or a bare address meaning a single host
 * ({@code /32} or {@code /128}). Host bits set below the prefix are rejected, so a typo such as
 * {@code 10.1.0.0/8} cannot silently widen or narrow a rule.
 */
public final class IpRange {

    private final long netHi;
    private final long netLo;
    private final long maskHi;
    private final long maskLo;
    private final int prefix128;
    private final boolean ipv4;
    private final String text;

    private IpRange(long hi, long lo, int prefix128) {
        // an IPv6 literal inside ::ffff:0:0/96 (e.g. ::ffff:10.0.0.0/104) is the same block as 10.0.0.0/8
        boolean ipv4 = prefix128 >= 96 && Ip128.isV4Mapped(hi, lo);
        this.prefix128 = prefix128;
        this.maskHi = prefix128 >= 64 ? -1L : (prefix128 == 0 ? 0 : -1L << (64 - prefix128));
        this.maskLo = prefix128 <= 64 ? 0 : (prefix128 == 128 ? -1L : -1L << (128 - prefix128));
        if ((hi & ~maskHi) != 0 || (lo & ~maskLo) != 0) {
            throw new IllegalArgumentException("address has bits set below the prefix length: "
                    + Ip128.format(hi, lo) + "/" + (ipv4 ? prefix128 - 96 : prefix128)
                    + " (did you mean " + Ip128.format(hi & maskHi, lo & maskLo) + "/"
                    + (ipv4 ? prefix128 - 96 : prefix128) + "?)");
        }
        this.netHi = hi;
        this.netLo = lo;
        this.ipv4 = ipv4;
        this.text = Ip128.format(hi, lo) + "/" + (ipv4 ? prefix128 - 96 : prefix128);
    }

    /**
     * Parses {@code address[/prefix]}.
     *
     * @throws IllegalArgumentException with a message naming the problem
     */
    public static IpRange parse(String cidr) {
        Objects.requireNonNull(cidr, "cidr");
        String s = cidr.strip();
        int slash = s.indexOf('/');
        String addr = slash < 0 ? s : s.substring(0, slash);
        long[] bits;
        try {
            bits = Ip128.parse(addr);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("bad CIDR '" + cidr + "': " + e.getMessage(), e);
        }
        boolean v4 = addr.indexOf(':') < 0;
        int max = v4 ? 32 : 128;
        int prefix = max;
        if (slash >= 0) {
            String p = s.substring(slash + 1);
            if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(c -> c >= '0' && c <= '9')) {
                throw new IllegalArgumentException("bad prefix length in CIDR '" + cidr + "'");
            }
            prefix = Integer.parseInt(p);
            if (prefix > max) {
                throw new IllegalArgumentException("prefix length " + prefix + " exceeds " + max + " in CIDR '" + cidr + "'");
            }
        }
        try {
            return new IpRange(bits[0], bits[1], v4 ? prefix + 96 : prefix);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("bad CIDR '" + cidr + "': " + e.getMessage(), e);
        }
    }

    /**
     * A block from an address and a prefix length counted in that address's family (0..32 or 0..128).
     */
    public static IpRange of(InetAddress network, int prefixLength) {
        Objects.requireNonNull(network, "network");
        boolean v4 = network instanceof Inet4Address;
        int max = v4 ? 32 : 128;
        if (prefixLength < 0 || prefixLength > max) {
            throw new IllegalArgumentException("prefix length " + prefixLength + " out of 0.." + max);
        }
        return new IpRange(Ip128.hi(network), Ip128.lo(network), v4 ? prefixLength + 96 : prefixLength);
    }

    /** A single host: /32 or /128. */
    public static IpRange host(InetAddress address) {
        return of(address, address instanceof Inet4Address ? 32 : 128);
    }

    /** True when the address lies in this block (an IPv4 block also contains the IPv4-mapped forms). */
    public boolean contains(InetAddress address) {
        return contains(Ip128.hi(address), Ip128.lo(address));
    }

    boolean contains(long hi, long lo) {
        return (hi & maskHi) == netHi && (lo & maskLo) == netLo;
    }

    /** True for an IPv4 block. */
    public boolean isIpv4() {
        return ipv4;
    }

    /** Prefix length in the block's own family. */
    public int prefixLength() {
        return ipv4 ? prefix128 - 96 : prefix128;
    }

    /** The network address. */
    public InetAddress network() {
        return Ip128.toInetAddress(netHi, netLo);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IpRange r && r.netHi == netHi && r.netLo == netLo && r.prefix128 == prefix128;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(netHi) * 31 * 31 + Long.hashCode(netLo) * 31 + prefix128;
    }

    /** Canonical CIDR text, e.g. {@code 10.0.0.0/8} or {@code 2001:db8::/32}. */
    @Override
    public String toString() {
        return text;
    }
}
