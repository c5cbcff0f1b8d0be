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
 */
public record PeerPolicyConfig(List<Cidr> allow, List<Cidr> deny, boolean allowLoopbackInsecureTestOnly) {

    public PeerPolicyConfig {
        Validator v = new Validator();
        v.list("allow", allow);
        v.list("deny", deny);
        v.done();
        allow = List.copyOf(allow);
        deny = List.copyOf(deny);
    }

    /** No extra allow or deny prefixes, loopback denied. */
    public static PeerPolicyConfig defaults() {
        return new PeerPolicyConfig(List.of(), List.of(), false);
    }
}
