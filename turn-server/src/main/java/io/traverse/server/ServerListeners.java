package io.traverse.server;

import io.netty.channel.Channel;
import io.netty.channel.socket.DatagramChannel;
import io.traverse.config.ListenerConfig;
import io.traverse.config.RelayConfig;
import io.traverse.config.TraverseConfig;
import io.traverse.server.TraverseServer.BoundListener;
import io.traverse.transport.CertificateStore;
import io.traverse.transport.Listeners;
import io.traverse.turn.TransportProtocol;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The listeners of {@code listeners} as bound, with the RFC 5780 companions of {@code nat-discovery}: their channels
 * (closed by the server's {@link Closer}) and their addresses (with port 0 in the config, the port the OS chose).
 */
final class ServerListeners {
    private static final Logger LOG = LoggerFactory.getLogger(ServerListeners.class);

    private final List<Channel> channels = new ArrayList<>();
    private final List<BoundListener> bound = new ArrayList<>();

    private ServerListeners() {}

    /**
     * Binds every configured listener; what is bound is closed by {@code closer}, also when a later bind fails.
     *
     * @param certificates the certificate of the TLS and DTLS listeners, or null when there are none
     * @throws IllegalStateException naming the listener that cannot be bound
     */
    static ServerListeners bind(TraverseConfig config, Listeners listeners, CertificateStore certificates,
            NatDiscovery natDiscovery, Closer closer) throws InterruptedException {
        ServerListeners result = new ServerListeners();
        closer.onClose(result::closeChannels);
        String binding = "listeners";
        try {
            for (ListenerConfig listener : config.listeners()) {
                binding = "listener " + listener;
                result.bind(listener, config, listeners, certificates);
            }
            if (config.natDiscovery().enabled()) {
                binding = "nat-discovery";
                result.bindNatDiscovery(config, listeners, natDiscovery);
            }
        } catch (InterruptedException | IllegalStateException e) {
            throw e;
        } catch (Exception e) {
            // Netty reports a failed bind with the socket's own IOException ("bind(..) failed: Address in use").
            throw new IllegalStateException(binding + ": cannot bind (" + e.getMessage() + ")", e);
        }
        return result;
    }

    private void bind(ListenerConfig listener, TraverseConfig config, Listeners listeners,
            CertificateStore certificates) throws InterruptedException {
        InetSocketAddress address = new InetSocketAddress(listener.address(), listener.port());
        TransportProtocol protocol = listener.protocol();
        RelayConfig relay = config.relay();
        switch (protocol) {
            case UDP:
                add(protocol, listeners.bindUdp(address, socketBuffer(listener, relay)));
                break;
            case TCP:
                add(protocol, List.of(listeners.bindTcp(address, config.tls().idleTimeout())));
                break;
            case TLS:
                add(protocol, List.of(listeners.bindTls(address, certificates, config.tls())));
                break;
            case DTLS:
                add(protocol, listeners.bindDtls(address, certificates, config.tls(), socketBuffer(listener, relay)));
                break;
            default:
                throw new IllegalStateException("listener " + listener + ": protocol " + protocol.configName()
                        + " is not supported yet");
        }
    }

    /** The channels of one listener (one per event loop for UDP and DTLS on epoll), all on the same address. */
    private void add(TransportProtocol protocol, List<Channel> listener) {
        channels.addAll(listener);
        bound.add(new BoundListener(protocol, (InetSocketAddress) listener.get(0).localAddress()));
    }

    List<Channel> channels() {
        return channels;
    }

    List<BoundListener> bound() {
        return bound;
    }

    /** The largest socket buffer asked for, by a listener or by {@code relay.socket-buffer}. */
    static int largestSocketBuffer(TraverseConfig config) {
        return config.listeners().stream().mapToInt(listener -> socketBuffer(listener, config.relay()))
                .reduce(config.relay().socketBuffer(), Math::max);
    }

    /** A listener's own {@code socket-buffer}, else {@code relay.socket-buffer}. */
    private static int socketBuffer(ListenerConfig listener, RelayConfig relay) {
        return listener.socketBuffer() != 0 ? listener.socketBuffer() : relay.socketBuffer();
    }

    private void closeChannels() {
        for (Channel channel : channels) {
            channel.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        }
    }

    /**
     * RFC 5780: every UDP listener on a concrete address A1:P1 gets companions on A1:P2, A2:P1 and A2:P2, all
     * serving the same requests; Binding answers from the address CHANGE-REQUEST selects.
     */
    private void bindNatDiscovery(TraverseConfig config, Listeners listeners, NatDiscovery natDiscovery)
            throws InterruptedException {
        InetAddress ip2 = config.natDiscovery().alternateAddress();
        for (BoundListener primary : List.copyOf(bound)) {
            InetSocketAddress a1p1 = primary.address();
            if (primary.protocol() != TransportProtocol.UDP
                    || (a1p1.getAddress() instanceof Inet6Address) != (ip2 instanceof Inet6Address)) {
                continue;
            }
            if (a1p1.getAddress().isAnyLocalAddress()) {
                LOG.warn("nat-discovery: UDP listener {} is on a wildcard address; RFC 5780 needs concrete "
                        + "addresses, so it is not enabled there", a1p1);
                continue;
            }
            int configuredPort = config.natDiscovery().alternatePort();
            InetSocketAddress a1p2 = new InetSocketAddress(a1p1.getAddress(),
                    configuredPort != 0 ? configuredPort : a1p1.getPort() + 1);
            List<Channel> c12 = listeners.bindUdp(a1p2);
            a1p2 = (InetSocketAddress) c12.get(0).localAddress();
            List<Channel> c21 = listeners.bindUdp(new InetSocketAddress(ip2, a1p1.getPort()));
            List<Channel> c22 = listeners.bindUdp(new InetSocketAddress(ip2, a1p2.getPort()));
            channels.addAll(c12);
            channels.addAll(c21);
            channels.addAll(c22);
            Map<InetSocketAddress, Channel> quadChannels = new LinkedHashMap<>();
            quadChannels.put(a1p1, channelAt(a1p1));
            quadChannels.put(a1p2, c12.get(0));
            quadChannels.put((InetSocketAddress) c21.get(0).localAddress(), c21.get(0));
            quadChannels.put((InetSocketAddress) c22.get(0).localAddress(), c22.get(0));
            natDiscovery.register(new NatDiscovery.Quad(a1p1.getAddress(), ip2, a1p1.getPort(), a1p2.getPort()),
                    quadChannels);
            for (InetSocketAddress extra : List.copyOf(quadChannels.keySet()).subList(1, 4)) {
                bound.add(new BoundListener(TransportProtocol.UDP, extra));
            }
            LOG.info("nat-discovery (RFC 5780) on {}", quadChannels.keySet());
        }
    }

    private Channel channelAt(InetSocketAddress local) {
        for (Channel c : channels) {
            if (local.equals(c.localAddress()) && c instanceof DatagramChannel) {
                return c;
            }
        }
        throw new IllegalStateException("no channel bound at " + local);
    }
}
