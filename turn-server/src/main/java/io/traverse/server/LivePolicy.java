package io.traverse.server;

import io.traverse.config.ListenerConfig;
import io.traverse.config.TraverseConfig;
import io.traverse.net.Cidr;
import io.traverse.turn.PeerPolicy;
import java.net.InetAddress;
import java.net.SocketException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The peer policy in force. Built before the handlers that check peers ({@link CreatePermissionHandler},
 * {@link ChannelBindHandler}, {@link SendHandler}, {@link ConnectHandler}, {@link TcpRelay}'s inbound connections),
 * which read it anew on every check; a reload replaces it ({@link TurnService#applyPolicy}).
 */
final class LivePolicy {
    private static final Logger LOG = LoggerFactory.getLogger(LivePolicy.class);

    private volatile PeerPolicy current;

    LivePolicy(PeerPolicy initial) {
        this.current = initial;
    }

    PeerPolicy get() {
        return current;
    }

    void set(PeerPolicy policy) {
        this.current = policy;
    }

    /**
     * The peer policy {@code config} asks for: defaults, the configured lists, and the server's own addresses (never
     * a valid peer).
     */
    static PeerPolicy configured(TraverseConfig config, List<RelayFamily> families) {
        PeerPolicy.Builder builder = PeerPolicy.builder();
        for (Cidr cidr : config.peers().allow()) {
            builder.allow(cidr);
        }
        for (Cidr cidr : config.peers().deny()) {
            builder.deny(cidr);
        }
        for (Cidr prefix : config.peers().nat64Prefixes()) {
            builder.nat64Prefix(prefix);
        }
        Set<InetAddress> own = new LinkedHashSet<>();
        boolean wildcard = false;
        for (ListenerConfig listener : config.listeners()) {
            wildcard |= listener.address().isAnyLocalAddress();
            own.add(listener.address());
        }
        if (config.admin().enabled()) {
            wildcard |= config.admin().address().isAnyLocalAddress();
            own.add(config.admin().address());
        }
        for (RelayFamily family : families) {
            own.add(family.bind());
            own.add(family.advertised());
        }
        if (config.natDiscovery().enabled() && config.natDiscovery().alternateAddress() != null) {
            // RFC 5780's alternate address is one of the server's own: a peer there would reach the server itself.
            own.add(config.natDiscovery().alternateAddress());
        }
        if (wildcard) {
            try {
                own.addAll(PeerPolicy.localInterfaceAddresses());
            } catch (SocketException e) {
                LOG.warn("cannot list interface addresses: {}", e.toString());
            }
        }
        own.removeIf(InetAddress::isAnyLocalAddress);
        builder.serverAddresses(own);
        builder.allowLoopbackInsecureTestOnly(config.peers().allowLoopbackInsecureTestOnly());
        return builder.build();
    }
}
