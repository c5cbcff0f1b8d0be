package io.traverse.config;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Objects;

/**
 * An IPv4 or IPv6 prefix such as {@code 10.0.0.0/8} or {@code 2001:db8::/32} (RFC 4632, RFC 4291 §2.3).
 *
 * <p>The network address must have no bits set beyond the prefix: {@code 10.1.0.0/8} is rejected with a
 * hint ("did you mean 10.0.0.0/8?") rather than silently normalised, because it more often means a typo
 * in the prefix length than a wish to cover the whole network. A bare address is a host prefix
 * ({@code /32} or {@code /128}).
 *
 * <p>An IPv4 prefix never matches an IPv6 address and vice versa; mapping IPv4-mapped, NAT64 or 6to4
 * addresses to IPv4 before matching is the caller's job (the peer policy canonicalises first).
 *
 * <p>{@link #containsIpv4(int)}, {@link #containsIpv6(long, long)} and {@link #contains(byte[])} allocate
 * nothing. {@link #contains(InetAddress)} allocates nothing itself, but {@link InetAddress#getAddress()}
 * returns a fresh array (usually removed by the JIT's escape analysis); hot paths that already hold
 * the raw address should use the other forms. This is a final class rather than a record because it keeps
 * the precomputed masks next to the two public components.
 */
public final class Cidr {
    private final InetAddress network;
    private final int prefixLength;
    private final boolean ipv4;
    /** IPv4: network and mask in the low 32 bits of {@link #low}/{@link #maskLow}. IPv6: both halves. */
    private final long high;
    private final long low;
    private final long maskHigh;
    private final long maskLow;

    private Cidr(InetAddress network, int prefixLength) {
        this.network = network;
        this.prefixLength = prefixLength;
        this.ipv4 = network instanceof Inet4Address;
        byte[] b = network.getAddress();
        if (ipv4) {
            this.high = 0;
            this.maskHigh = 0;
            this.low = readInt(b, 0) & 0xFFFF_FFFFL;
            this.maskLow = prefixLength == 0 ? 0 : (0xFFFF_FFFFL << (32 - prefixLength)) & 0xFFFF_FFFFL;
        } else {
            this.high = readLong(b, 0);
            this.low = readLong(b, 8);
            this.maskHigh = prefixLength == 0 ? 0 : prefixLength >= 64 ? -1L : -1L << (64 - prefixLength);
            this.maskLow = prefixLength <= 64 ? 0 : -1L << (128 - prefixLength);
        }
    }

    /**
     * A prefix from a network address and length.
     *
     * @throws IllegalArgumentException if the length is out of range for the family, host bits are set, or
     *                                  the address is IPv4-mapped IPv6
     */
    public static Cidr of(InetAddress network, int prefixLength) {
        Objects.requireNonNull(network, "network");
        byte[] bytes = network.getAddress();
        if (IpLiterals.isIpv4Mapped(bytes)) {
            throw new IllegalArgumentException("must not be an IPv4-mapped IPv6 prefix; write the IPv4 prefix instead,"
                    + " got " + IpLiterals.format(network) + "/" + prefixLength);
        }
        int max = bytes.length * 8;
        if (prefixLength < 0 || prefixLength > max) {
            throw new IllegalArgumentException("prefix length must be between 0 and " + max + " for "
                    + (max == 32 ? "IPv4" : "IPv6") + ", got " + prefixLength);
        }
        Cidr cidr = new Cidr(network, prefixLength);
        if ((cidr.high & ~cidr.maskHigh) != 0 || (cidr.low & ~cidr.maskLow) != 0) {
            Cidr masked = new Cidr(maskedAddress(bytes, prefixLength), prefixLength);
            throw new IllegalArgumentException(IpLiterals.format(network) + "/" + prefixLength
                    + " has host bits set; did you mean " + masked + "?");
        }
        return cidr;
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
            InetAddress a = IpLiterals.parse(s);
            return of(a, a.getAddress().length * 8);
        }
        String len = s.substring(slash + 1);
        if (len.isEmpty() || len.length() > 3 || !len.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException("must be a CIDR prefix such as 10.0.0.0/8 or 2001:db8::/32, got \""
                    + text + "\"");
        }
        return of(IpLiterals.parse(s.substring(0, slash)), Integer.parseInt(len));
    }

    /** The network address (host bits all zero). */
    public InetAddress network() {
        return network;
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
        return contains(address.getAddress());
    }

    /**
     * True if the raw address (4 bytes IPv4, 16 bytes IPv6, network byte order) is of this prefix's family
     * and inside it. Any other length is never contained. Allocates nothing.
     */
    public boolean contains(byte[] address) {
        if (address.length == 4) {
            return containsIpv4(readInt(address, 0));
        }
        if (address.length == 16) {
            return containsIpv6(readLong(address, 0), readLong(address, 8));
        }
        return false;
    }

    /** True if this is an IPv4 prefix containing {@code address} (network byte order as an int). */
    public boolean containsIpv4(int address) {
        return ipv4 && ((address & 0xFFFF_FFFFL) & maskLow) == low;
    }

    /** True if this is an IPv6 prefix containing the address whose first/last 8 bytes are high/low. */
    public boolean containsIpv6(long addressHigh, long addressLow) {
        return !ipv4 && (addressHigh & maskHigh) == high && (addressLow & maskLow) == low;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Cidr && ((Cidr) o).ipv4 == ipv4 && ((Cidr) o).prefixLength == prefixLength
                && ((Cidr) o).high == high && ((Cidr) o).low == low;
    }

    @Override
    public int hashCode() {
        return Objects.hash(ipv4, prefixLength, high, low);
    }

    /** {@code 10.0.0.0/8}, {@code 2001:db8::/32}. */
    @Override
    public String toString() {
        return IpLiterals.format(network) + "/" + prefixLength;
    }

    private static InetAddress maskedAddress(byte[] bytes, int prefixLength) {
        byte[] masked = bytes.clone();
        for (int i = 0; i < masked.length; i++) {
            int bitsHere = Math.max(0, Math.min(8, prefixLength - 8 * i));
            masked[i] &= (byte) (0xFF00 >>> bitsHere);
        }
        try {
            return InetAddress.getByAddress(masked);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    private static int readInt(byte[] b, int off) {
        return ((b[off] & 0xFF) << 24) | ((b[off + 1] & 0xFF) << 16) | ((b[off + 2] & 0xFF) << 8) | (b[off + 3] & 0xFF);
    }

    private static long readLong(byte[] b, int off) {
        return ((long) readInt(b, off) << 32) | (readInt(b, off + 4) & 0xFFFF_FFFFL);
    }
}
