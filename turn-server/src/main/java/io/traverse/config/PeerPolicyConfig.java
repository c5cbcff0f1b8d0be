package io.traverse.config;

import io.traverse.net.Cidr;
import java.util.List;

/**
 * The {@code peers} section: adjustments to the built-in deny-by-default peer policy, enforced at
 * CreatePermission, ChannelBind, Send and Connect (RFC 8656 §21.3 "Arbitrary Traffic Relaying").
 *
 * @param allow                          prefixes allowed even if inside a denied range
 * @param deny                           prefixes denied in addition to the built-in list
 * @param allowLoopbackInsecureTestOnly  allow 127.0.0.0/8 and ::1 peers; for tests only, the server logs a
 *                                       warning at start when set
 * @param nat64Prefixes                  NAT64 prefixes (/96, RFC 6052) in use towards the relay: a peer inside one
 *                                       is also checked as the IPv4 address embedded in its last 32 bits, so
 *                                       {@code 64:ff9b::10.0.0.1} is denied like {@code 10.0.0.1}
 */
public record PeerPolicyConfig(List<Cidr> allow, List<Cidr> deny, boolean allowLoopbackInsecureTestOnly,
        List<Cidr> nat64Prefixes) {

    public PeerPolicyConfig {
        Validator v = new Validator();
        v.list("allow", allow);
        v.list("deny", deny);
        if (v.list("nat64-prefixes", nat64Prefixes)) {
            for (int i = 0; i < nat64Prefixes.size(); i++) {
                Cidr prefix = nat64Prefixes.get(i);
                if (prefix.isIpv4() || prefix.prefixLength() != 96) {
                    v.add(Keys.index("nat64-prefixes", i), "must be an IPv6 /96 prefix (RFC 6052), got " + prefix);
                }
            }
        }
        v.done();
        allow = List.copyOf(allow);
        deny = List.copyOf(deny);
        nat64Prefixes = List.copyOf(nat64Prefixes);
    }

    /** As the canonical constructor with the default NAT64 prefix. */
    public PeerPolicyConfig(List<Cidr> allow, List<Cidr> deny, boolean allowLoopbackInsecureTestOnly) {
        this(allow, deny, allowLoopbackInsecureTestOnly, DEFAULT_NAT64_PREFIXES);
    }

    /** Default of {@code nat64-prefixes}: the well-known prefix 64:ff9b::/96 (RFC 6052). */
    public static final List<Cidr> DEFAULT_NAT64_PREFIXES = List.of(Cidr.parse("64:ff9b::/96"));

    /** No extra allow or deny prefixes, loopback denied, the well-known NAT64 prefix. */
    public static PeerPolicyConfig defaults() {
        return new PeerPolicyConfig(List.of(), List.of(), false);
    }
}
