package io.traverse.turn;

import io.traverse.net.Cidr;
import io.traverse.net.Ip128;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides which peer addresses a client may reach through the relay: the guard against using the
 * server to reach its own host, its private networks or special-purpose ranges (RFC 8656 §21.1.4 and
 * §10.2/§12.2: "The server MAY impose restrictions on the IP address ... allowed", answered with
 * 403). Enforced at CreatePermission, ChannelBind, Send and Connect. See {@code docs/peer-policy.md}.
 *
 * <p><b>Canonicalisation first.</b> An IPv6 address that carries an IPv4 address is judged as that
 * IPv4 address: IPv4-mapped {@code ::ffff:0:0/96}, IPv4-translated {@code ::ffff:0:0:0/96},
 * IPv4-compatible {@code ::/96} (except {@code ::} and {@code ::1}), NAT64 {@code 64:ff9b::/96}
 * (RFC 6052), any further NAT64 /96 prefix given to {@link Builder#nat64Prefix} and 6to4
 * {@code 2002::/16} (RFC 3056, IPv4 in bits 16..47). The local-use translation prefix
 * {@code 64:ff9b:1::/48} (RFC 8215) is a default denied range: its mapping is site-specific. Teredo {@code 2001::/32}
 * hides its IPv4 addresses obfuscated and is denied outright.
 *
 * <p><b>Precedence</b>, first match wins:
 * <ol>
 *   <li>explicit {@code deny} (matches the address as given or its canonical IPv4) → deny;</li>
 *   <li>Teredo → deny;</li>
 *   <li>host-local {@code 127.0.0.0/8}, {@code ::1}, {@code 0.0.0.0/8}, {@code ::} → deny, except
 *       loopback when {@code allowLoopbackInsecureTestOnly} is on; {@code allow} never opens these;</li>
 *   <li>the server's own addresses → deny ({@code allow} never opens them);</li>
 *   <li>explicit {@code allow} (matches the canonical address) → allow;</li>
 *   <li>the default denied ranges → deny;</li>
 *   <li>otherwise allow.</li>
 * </ol>
 *
 * <p>Immutable and thread-safe. Every check returns a preallocated {@link Decision};
 * {@link #checkIpv4(int)}, {@link #checkIpv6(long, long)} and {@link #check(InetAddress)} for IPv4
 * allocate nothing (an IPv6 {@code InetAddress} costs one {@code getAddress()} copy).
 */
public final class PeerPolicy {

    private static final Logger LOG = LoggerFactory.getLogger(PeerPolicy.class);

    /** The default denied ranges (DESIGN.md "Peer policy"; IANA special-purpose registries, RFC 6890). */
    public static final List<String> DEFAULT_DENIED_RANGES = List.of(
            "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
            "192.0.0.0/24", "192.0.2.0/24", "192.88.99.0/24", "192.168.0.0/16", "198.18.0.0/15",
            "198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4", "255.255.255.255/32",
            "::/128", "::1/128", "64:ff9b:1::/48", "100::/64", "2001::/32", "2001:db8::/32", "fc00::/7", "fe80::/10",
            "fec0::/10", "ff00::/8");

    /** Why a peer was allowed or denied; the rule text says which entry matched. */
    public enum Reason {
        /** Public address, no rule matched. */
        ALLOWED(true),
        /** Matched an explicit {@code allow} entry that overrides a default denied range. */
        ALLOWED_BY_ALLOW_LIST(true),
        /** Loopback, let through only because the insecure test switch is on. */
        ALLOWED_LOOPBACK_INSECURE_TEST_ONLY(true),
        /** Matched an explicit {@code deny} entry. */
        DENIED_BY_DENY_LIST(false),
        /** Teredo {@code 2001::/32}: embeds obfuscated IPv4 addresses that cannot be checked. */
        DENIED_TEREDO(false),
        /** Loopback or unspecified address (this host). */
        DENIED_HOST_LOCAL(false),
        /** One of the server's own listener, admin or relay addresses. */
        DENIED_SERVER_ADDRESS(false),
        /** A default denied range (private, special-purpose, documentation, multicast ...). */
        DENIED_DEFAULT_RANGE(false);

        private final boolean allowed;

        Reason(boolean allowed) {
            this.allowed = allowed;
        }

        /** Whether this reason allows the peer. */
        public boolean allowed() {
            return allowed;
        }
    }

    /**
     * Outcome of a check.
     *
     * @param reason why
     * @param rule   the matching entry ({@code 10.0.0.0/8}, a server address, ...) or {@code ""} for
     *               {@link Reason#ALLOWED}; safe to log and to use as a metric tag of bounded cardinality
     */
    public record Decision(Reason reason, String rule) {
        /** Validates. */
        public Decision {
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(rule, "rule");
        }

        /** True when the peer may be reached. */
        public boolean allowed() {
            return reason.allowed();
        }
    }

    private static final Decision ALLOWED = new Decision(Reason.ALLOWED, "");
    private static final Decision TEREDO = new Decision(Reason.DENIED_TEREDO, "2001::/32");

    private static final long NAT64_HI = 0x0064_FF9B_0000_0000L;
    private static final long TEREDO_HI32 = 0x2001_0000L;
    private static final long SIX_TO_FOUR_HI16 = 0x2002L;

    private static final Rules HOST_LOCAL = Rules.of(
            List.of(Cidr.parse("127.0.0.0/8"), Cidr.parse("::1/128"), Cidr.parse("0.0.0.0/8"),
                    Cidr.parse("::/128")), Reason.DENIED_HOST_LOCAL);
    private static final Cidr LOOPBACK_V4 = Cidr.parse("127.0.0.0/8");
    private static final Cidr LOOPBACK_V6 = Cidr.parse("::1/128");
    private static final Rules DEFAULTS = Rules.of(
            DEFAULT_DENIED_RANGES.stream().map(Cidr::parse).toList(), Reason.DENIED_DEFAULT_RANGE);

    private final Rules deny;
    private final Rules allow;
    private final Rules own;
    private final boolean allowLoopbackInsecureTestOnly;
    private final Decision loopbackAllowed;
    private final List<Cidr> allowList;
    private final List<Cidr> denyList;
    private final Set<InetAddress> serverAddresses;
    /** Configured NAT64 /96 prefixes: high 64 bits and the top 32 bits of the low 64, pairwise. */
    private final long[] nat64;

    private PeerPolicy(Builder b) {
        this.nat64 = new long[b.nat64.size() * 2];
        for (int i = 0; i < b.nat64.size(); i++) {
            InetAddress network = b.nat64.get(i).network();
            nat64[2 * i] = Ip128.hi(network);
            nat64[2 * i + 1] = Ip128.lo(network) >>> 32;
        }
        this.allowList = List.copyOf(b.allow);
        this.denyList = List.copyOf(b.deny);
        this.serverAddresses = Collections.unmodifiableSet(new LinkedHashSet<>(b.serverAddresses));
        this.deny = Rules.of(denyList, Reason.DENIED_BY_DENY_LIST);
        this.allow = Rules.of(allowList, Reason.ALLOWED_BY_ALLOW_LIST);
        List<Cidr> ownRanges = new ArrayList<>();
        for (InetAddress a : serverAddresses) {
            Cidr raw = Cidr.host(a);
            ownRanges.add(raw);
            long v4 = embeddedIpv4(Ip128.hi(a), Ip128.lo(a));
            if (v4 >= 0 && !(a instanceof java.net.Inet4Address)) {
                ownRanges.add(Cidr.of(Ip128.toInetAddress(0, Ip128.mappedLo((int) v4)), 32));
            }
        }
        this.own = Rules.of(ownRanges, Reason.DENIED_SERVER_ADDRESS);
        this.allowLoopbackInsecureTestOnly = b.allowLoopbackInsecureTestOnly;
        this.loopbackAllowed = new Decision(Reason.ALLOWED_LOOPBACK_INSECURE_TEST_ONLY, "127.0.0.0/8, ::1/128");
        if (allowLoopbackInsecureTestOnly) {
            LOG.warn("INSECURE: peer policy lets clients relay to loopback addresses (127.0.0.0/8, ::1); "
                    + "this switch exists for tests only and must never be on in production");
        }
    }

    /** A builder with no allow/deny entries, no server addresses and the test switch off. */
    public static Builder builder() {
        return new Builder();
    }

    /** The default policy: default denied ranges only. Real servers also pass their own addresses. */
    public static PeerPolicy defaults() {
        return builder().build();
    }

    /** True when the peer may be reached; see {@link #check(InetAddress)}. */
    public boolean isAllowed(InetAddress peer) {
        return check(peer).allowed();
    }

    /**
     * Decides for one peer address (the port plays no part). Allocation-free for IPv4 on OpenJDK; an
     * IPv6 address costs one 16-byte {@link InetAddress#getAddress()} copy.
     */
    public Decision check(InetAddress peer) {
        Objects.requireNonNull(peer, "peer");
        if (peer instanceof java.net.Inet4Address v4) {
            return checkIpv4(Ip128.v4(v4));
        }
        byte[] b = peer.getAddress();
        return checkIpv6(Ip128.toLong(b, 0), Ip128.toLong(b, 8));
    }

    /** Allocation-free check of an IPv4 address given as a 32-bit big-endian integer. */
    public Decision checkIpv4(int ipv4) {
        return checkIpv6(0, Ip128.mappedLo(ipv4));
    }

    /**
     * Allocation-free check of a 128-bit address (high and low 64 bits, network order). IPv4 may be
     * passed in its IPv4-mapped form {@code ::ffff:a.b.c.d}.
     */
    public Decision checkIpv6(long hi, long lo) {
        long v4 = embeddedIpv4(hi, lo);
        for (int i = 0; v4 < 0 && i < nat64.length; i += 2) {
            if (hi == nat64[i] && (lo >>> 32) == nat64[i + 1]) {
                v4 = lo & 0xFFFF_FFFFL;             // a configured NAT64 prefix (RFC 6052 §2.2, /96)
            }
        }
        long chi = v4 >= 0 ? 0 : hi;
        long clo = v4 >= 0 ? Ip128.mappedLo((int) v4) : lo;

        Decision d = deny.match(hi, lo);
        if (d == null && v4 >= 0) {
            d = deny.match(chi, clo);
        }
        if (d != null) {
            return d;
        }
        if ((hi >>> 32) == TEREDO_HI32) {
            return TEREDO;
        }
        d = HOST_LOCAL.match(chi, clo);
        if (d != null) {
            if (allowLoopbackInsecureTestOnly && (LOOPBACK_V4.contains(chi, clo) || LOOPBACK_V6.contains(chi, clo))) {
                return loopbackAllowed;
            }
            return d;
        }
        d = own.match(hi, lo);
        if (d == null && v4 >= 0) {
            d = own.match(chi, clo);
        }
        if (d != null) {
            return d;
        }
        d = allow.match(chi, clo);
        if (d != null) {
            return d;
        }
        d = DEFAULTS.match(chi, clo);
        return d != null ? d : ALLOWED;
    }

    /**
     * The IPv4 address embedded in an IPv6 address, or -1 when there is none. IPv4 (mapped) comes
     * back as itself.
     */
    static long embeddedIpv4(long hi, long lo) {
        long low32 = lo & 0xFFFF_FFFFL;
        long top32ofLo = lo >>> 32;
        if (hi == 0) {
            if (top32ofLo == 0xFFFFL) {
                return low32;                       // ::ffff:a.b.c.d   IPv4-mapped (RFC 4291 §2.5.5.2)
            }
            if (top32ofLo == 0xFFFF_0000L) {
                return low32;                       // ::ffff:0:a.b.c.d IPv4-translated (RFC 2765 §2.1)
            }
            if (top32ofLo == 0 && low32 > 1) {
                return low32;                       // ::a.b.c.d        IPv4-compatible (RFC 4291 §2.5.5.1)
            }
            return -1;                              // :: and ::1 stay IPv6
        }
        if (hi == NAT64_HI && top32ofLo == 0) {
            return low32;                           // 64:ff9b::a.b.c.d NAT64 well-known prefix (RFC 6052 §2.1)
        }
        if ((hi >>> 48) == SIX_TO_FOUR_HI16) {
            return (hi >>> 16) & 0xFFFF_FFFFL;      // 2002:aabb:ccdd::/48 6to4 (RFC 3056 §2)
        }
        return -1;
    }

    /** The server's own addresses. */
    public Set<InetAddress> serverAddresses() {
        return serverAddresses;
    }

    /** Whether the insecure loopback test switch is on. */
    public boolean allowLoopbackInsecureTestOnly() {
        return allowLoopbackInsecureTestOnly;
    }

    /**
     * Every address on every local interface (up or down), for servers bound to a wildcard address:
     * pass the result to {@link Builder#serverAddresses}.
     *
     * @throws SocketException when the interfaces cannot be listed
     */
    public static Set<InetAddress> localInterfaceAddresses() throws SocketException {
        Set<InetAddress> out = new LinkedHashSet<>();
        for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            out.addAll(Collections.list(ni.getInetAddresses()));
        }
        return out;
    }

    @Override
    public String toString() {
        return "PeerPolicy[allow=" + allowList + ", deny=" + denyList + ", serverAddresses=" + serverAddresses.size()
                + ", allowLoopbackInsecureTestOnly=" + allowLoopbackInsecureTestOnly + "]";
    }

    /** Builds a {@link PeerPolicy}. Not thread-safe. */
    public static final class Builder {
        private final List<Cidr> allow = new ArrayList<>();
        private final List<Cidr> deny = new ArrayList<>();
        private final Set<InetAddress> serverAddresses = new LinkedHashSet<>();
        private final List<Cidr> nat64 = new ArrayList<>();
        private boolean allowLoopbackInsecureTestOnly;

        private Builder() {}

        /** Adds an allow entry ({@code 10.1.0.0/16}); it overrides default denied ranges only. */
        public Builder allow(String cidr) {
            return allow(Cidr.parse(cidr));
        }

        /** Adds an allow entry. */
        public Builder allow(Cidr range) {
            allow.add(Objects.requireNonNull(range, "range"));
            return this;
        }

        /** Adds a deny entry; deny entries win over everything. */
        public Builder deny(String cidr) {
            return deny(Cidr.parse(cidr));
        }

        /** Adds a deny entry. */
        public Builder deny(Cidr range) {
            deny.add(Objects.requireNonNull(range, "range"));
            return this;
        }

        /**
         * Adds the server's own addresses (listener, admin and relay). A wildcard bind must be expanded
         * first, e.g. with {@link #localInterfaceAddresses()}; a wildcard address here is rejected.
         */
        public Builder serverAddresses(Collection<? extends InetAddress> addresses) {
            for (InetAddress a : addresses) {
                Objects.requireNonNull(a, "server address");
                if (a.isAnyLocalAddress()) {
                    throw new IllegalArgumentException("server address " + a.getHostAddress()
                            + " is a wildcard; pass the interface addresses (PeerPolicy.localInterfaceAddresses())");
                }
                serverAddresses.add(a);
            }
            return this;
        }

        /**
         * A NAT64 prefix in use towards the relay (an IPv6 /96, RFC 6052 §2.2): a peer inside it is judged as
         * the IPv4 address in its last 32 bits. The well-known 64:ff9b::/96 is always recognised.
         */
        public Builder nat64Prefix(Cidr prefix) {
            if (prefix.isIpv4() || prefix.prefixLength() != 96) {
                throw new IllegalArgumentException("a NAT64 prefix is an IPv6 /96, got " + prefix);
            }
            nat64.add(prefix);
            return this;
        }

        /**
         * INSECURE, for tests only: lets peers be loopback addresses ({@code 127.0.0.0/8}, {@code ::1} and
         * their IPv4-embedding forms) even though they are the server's own. Logs a warning when built.
         */
        public Builder allowLoopbackInsecureTestOnly(boolean on) {
            this.allowLoopbackInsecureTestOnly = on;
            return this;
        }

        /** Builds the immutable policy. */
        public PeerPolicy build() {
            return new PeerPolicy(this);
        }
    }

    /** A list of ranges, each with its preallocated decision; linear scan, no allocation. */
    private static final class Rules {
        private final Cidr[] ranges;
        private final Decision[] decisions;

        private Rules(Cidr[] ranges, Decision[] decisions) {
            this.ranges = ranges;
            this.decisions = decisions;
        }

        static Rules of(List<Cidr> list, Reason reason) {
            Cidr[] r = list.toArray(new Cidr[0]);
            Decision[] d = new Decision[r.length];
            for (int i = 0; i < r.length; i++) {
                String rule = r[i].toString();
                if (reason == Reason.DENIED_SERVER_ADDRESS) {
                    rule = rule.substring(0, rule.indexOf('/'));
                }
                d[i] = new Decision(reason, rule);
            }
            return new Rules(r, d);
        }

        Decision match(long hi, long lo) {
            for (int i = 0; i < ranges.length; i++) {
                if (ranges[i].contains(hi, lo)) {
                    return decisions[i];
                }
            }
            return null;
        }
    }
}
