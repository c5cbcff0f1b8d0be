package io.traverse.net;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.Objects;

/**
 * An IPv4 or IPv6 prefix such as {@code 10.0.0.0/8} or {@code 2001:db8::/32} (RFC 4632, RFC 4291 §2.3): the one
 * CIDR type of the configuration ({@code peers.allow}, {@code peers.deny}) and of the peer policy.
 *
 * <p>The network address must have no bits set beyond the prefix: {@code 10.1.0.0/8} is rejected with a hint
 * ("did you mean 10.0.0.0/8?") rather than silently normalised, because it more often means a typo in the
 * prefix length than a wish to cover the whole network. A bare address is a host prefix ({@code /32} or
 * {@code /128}). IPv4-mapped IPv6 prefixes are rejected: write the IPv4 prefix.
 *
 * <p>An IPv4 prefix never matches an IPv6 address and vice versa, so {@code ::/0} means "every IPv6 address" and
 * not IPv4 as well. Mapping IPv4-compatible, NAT64 or 6to4 addresses to IPv4 before matching is the caller's job
 * (the peer policy canonicalises first).
 *
 * <p>Held as a 128-bit network and mask in {@link Ip128}'s form (IPv4 as {@code ::ffff:a.b.c.d}), so
 * {@link #contains(long, long)} is two masks and two compares and allocates nothing.
 */
public final class Cidr {
    private final long netHi;
    private final long netLo;
    private final long maskHi;
    private final long maskLo;
    private final int prefixLength;
    private final boolean ipv4;

    private Cidr(long hi, long lo, int prefixLength, boolean ipv4) {
        int prefix128 = ipv4 ? prefixLength + 96 : prefixLength;
        this.maskHi = prefix128 >= 64 ? -1L : prefix128 == 0 ? 0 : -1L << (64 - prefix128);
        this.maskLo = prefix128 <= 64 ? 0 : prefix128 == 128 ? -1L : -1L << (128 - prefix128);
        this.netHi = hi;
        this.netLo = lo;
        this.prefixLength = prefixLength;
        this.ipv4 = ipv4;
    }

    /**
     * A prefix from a network address and a length counted in that address's family (0..32 or 0..128).
     *
     * @throws IllegalArgumentException if the length is out of range for the family, host bits are set, or the
     *                                  address is IPv4-mapped IPv6
     */
    public static Cidr of(InetAddress network, int prefixLength) {
        Objects.requireNonNull(network, "network");
        if (IpAddresses.isIpv4Mapped(network)) {
            throw new IllegalArgumentException("must not be an IPv4-mapped IPv6 prefix; write the IPv4 prefix instead,"
                    + " got " + IpAddresses.format(network) + "/" + prefixLength);
        }
        boolean ipv4 = network instanceof Inet4Address;
        int max = ipv4 ? 32 : 128;
        if (prefixLength < 0 || prefixLength > max) {
            throw new IllegalArgumentException("prefix length must be between 0 and " + max + " for "
                    + (ipv4 ? "IPv4" : "IPv6") + ", got " + prefixLength);
        }
        Cidr cidr = new Cidr(Ip128.hi(network), Ip128.lo(network), prefixLength, ipv4);
        long hostHi = cidr.netHi & ~cidr.maskHi;
        long hostLo = cidr.netLo & ~cidr.maskLo;
        if (hostHi != 0 || hostLo != 0) {
            Cidr masked = new Cidr(cidr.netHi & cidr.maskHi, cidr.netLo & cidr.maskLo, prefixLength, ipv4);
            throw new IllegalArgumentException(IpAddresses.format(network) + "/" + prefixLength
                    + " has host bits set; did you mean " + masked + "?");
        }
        return cidr;
    }

    /** A single host: {@code /32} or {@code /128}. */
    public static Cidr host(InetAddress address) {
        return of(address, address instanceof Inet4Address ? 32 : 128);
    }

    /**
     * Parses {@code address/length} or a bare address (a host prefix). Never consults DNS.
     *
     * @throws IllegalArgumentException naming the problem
     */
    public static Cidr parse(String text) {
        String s = text.trim();
        int slash = s.indexOf('/');
        if (slash < 0) {
            return host(IpAddresses.parse(s));
        }
        String len = s.substring(slash + 1);
        if (len.isEmpty() || len.length() > 3 || !len.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException("must be a CIDR prefix such as 10.0.0.0/8 or 2001:db8::/32, got \""
                    + text + "\"");
        }
        return of(IpAddresses.parse(s.substring(0, slash)), Integer.parseInt(len));
    }

    /** The network address (host bits all zero). */
    public InetAddress network() {
        return Ip128.toInetAddress(netHi, netLo);
    }

    /** Number of leading bits that must match: 0..32 for IPv4, 0..128 for IPv6. */
    public int prefixLength() {
        return prefixLength;
    }

    /** True for an IPv4 prefix. */
    public boolean isIpv4() {
        return ipv4;
    }

    /** True if {@code address} is of this prefix's family and inside it. */
    public boolean contains(InetAddress address) {
        return contains(Ip128.hi(address), Ip128.lo(address));
    }

    /**
     * True if the address in {@link Ip128} form (IPv4 as {@code ::ffff:a.b.c.d}) is of this prefix's family and
     * inside it. Allocates nothing.
     */
    public boolean contains(long hi, long lo) {
        if (!ipv4 && Ip128.isV4Mapped(hi, lo)) {
            return false;
        }
        return (hi & maskHi) == netHi && (lo & maskLo) == netLo;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Cidr c && c.netHi == netHi && c.netLo == netLo && c.prefixLength == prefixLength
                && c.ipv4 == ipv4;
    }

    @Override
    public int hashCode() {
        return Objects.hash(netHi, netLo, prefixLength, ipv4);
    }

    /** {@code 10.0.0.0/8}, {@code 2001:db8::/32}. */
    @Override
    public String toString() {
        return Ip128.format(netHi, netLo) + "/" + prefixLength;
    }
}
