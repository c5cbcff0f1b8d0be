package io.traverse.config;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The whole Traverse configuration: one immutable value, validated when constructed. Load it with
 * {@link ConfigLoader}; the file format is described in {@code docs/configuration.md}.
 *
 * <p>Checks across sections: at least one listener; no listener (protocol, address, port) twice unless
 * the port is 0; a TLS or DTLS listener needs {@code tls.certificate} and {@code tls.private-key}; an
 * enabled admin endpoint must not take the port of a TCP or TLS listener on an overlapping address.
 */
public record TraverseConfig(
        ServerConfig server,
        List<ListenerConfig> listeners,
        RelayConfig relay,
        AuthConfig auth,
        PeerPolicyConfig peers,
        TlsConfig tls,
        AdminConfig admin,
        LoggingConfig logging,
        NatDiscoveryConfig natDiscovery,
        DrainConfig drain,
        LimitsConfig limits,
        ClusterConfig cluster,
        BandwidthConfig bandwidth) {

    /** Without a cluster and without bandwidth limits. */
    public TraverseConfig(ServerConfig server, List<ListenerConfig> listeners, RelayConfig relay, AuthConfig auth,
            PeerPolicyConfig peers, TlsConfig tls, AdminConfig admin, LoggingConfig logging,
            NatDiscoveryConfig natDiscovery, DrainConfig drain, LimitsConfig limits) {
        this(server, listeners, relay, auth, peers, tls, admin, logging, natDiscovery, drain, limits,
                ClusterConfig.defaults(), BandwidthConfig.defaults());
    }

    public TraverseConfig {
        Validator v = new Validator();
        v.notNull("server", server);
        v.notNull("relay", relay);
        v.notNull("auth", auth);
        v.notNull("peers", peers);
        v.notNull("tls", tls);
        v.notNull("admin", admin);
        v.notNull("logging", logging);
        v.notNull("nat-discovery", natDiscovery);
        v.notNull("drain", drain);
        v.notNull("limits", limits);
        v.notNull("cluster", cluster);
        v.notNull("bandwidth", bandwidth);
        if (v.list("listeners", listeners)) {
            checkListeners(v, listeners, tls, admin);
        }
        v.done();
        listeners = List.copyOf(listeners);
    }

    private static void checkListeners(Validator v, List<ListenerConfig> listeners, TlsConfig tls, AdminConfig admin) {
        if (listeners.isEmpty()) {
            v.add("listeners", "must contain at least one listener");
        }
        Set<ListenerConfig> seen = new HashSet<>();
        for (ListenerConfig l : listeners) {
            if (l.port() != 0 && !seen.add(l)) {
                v.add("listeners", l.uri() + " is listed more than once");
            }
        }
        for (ListenerConfig l : listeners) {
            if (l.protocol().isSecure() && tls != null && !tls.hasCertificate()) {
                v.add("tls.certificate", "is required by listener " + l.uri());
                v.add("tls.private-key", "is required by listener " + l.uri());
                break;
            }
        }
        if (admin != null && admin.enabled() && admin.port() != 0) {
            for (ListenerConfig l : listeners) {
                if (l.protocol().isStream() && l.port() == admin.port() && overlap(l.address(), admin.address())) {
                    v.add("admin.port", admin.port() + " is already used by listener " + l.uri());
                }
            }
        }
    }

    /** Whether binding both addresses to one TCP port would conflict (equal, or a wildcard covers the other). */
    private static boolean overlap(InetAddress a, InetAddress b) {
        if (a.equals(b)) {
            return true;
        }
        // An IPv6 wildcard socket is dual-stack by default and covers IPv4 too.
        boolean sameFamily = (a instanceof Inet6Address) == (b instanceof Inet6Address);
        return (a.isAnyLocalAddress() && (sameFamily || a instanceof Inet6Address))
                || (b.isAnyLocalAddress() && (sameFamily || b instanceof Inet6Address));
    }

    /**
     * The configuration of an empty file: UDP and TCP on 0.0.0.0:3478 and [::]:3478, no credentials (so
     * no one can allocate; STUN Binding works), admin on 127.0.0.1:9641.
     */
    public static TraverseConfig defaults() {
        return new TraverseConfig(
                ServerConfig.defaults(),
                defaultListeners(),
                RelayConfig.defaults(),
                AuthConfig.defaults(),
                PeerPolicyConfig.defaults(),
                TlsConfig.defaults(),
                AdminConfig.defaults(),
                LoggingConfig.defaults(),
                NatDiscoveryConfig.defaults(),
                DrainConfig.defaults(),
                LimitsConfig.defaults(),
                ClusterConfig.defaults(),
                BandwidthConfig.defaults());
    }

    /** udp://0.0.0.0:3478, udp://[::]:3478, tcp://0.0.0.0:3478, tcp://[::]:3478. */
    public static List<ListenerConfig> defaultListeners() {
        return List.of(
                ListenerConfig.parse("udp://0.0.0.0:3478"),
                ListenerConfig.parse("udp://[::]:3478"),
                ListenerConfig.parse("tcp://0.0.0.0:3478"),
                ListenerConfig.parse("tcp://[::]:3478"));
    }
}
