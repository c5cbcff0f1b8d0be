package io.traverse.server;

import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.traverse.config.ListenerConfig;
import io.traverse.config.Protocol;
import io.traverse.config.TraverseConfig;
import io.traverse.metrics.TraverseMetrics;
import io.traverse.transport.IoTransport;
import io.traverse.transport.Listeners;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running Traverse server: event loops, listeners and the services behind them. Start with
 * {@link #start(TraverseConfig, TraverseMetrics)}; {@link #close()} stops it.
 */
public final class TraverseServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TraverseServer.class);

    /** A listener as bound: with port 0 in the config, {@link #address()} carries the port the OS chose. */
    public record BoundListener(Protocol protocol, InetSocketAddress address) {}

    private final EventLoopGroup group;
    private final List<Channel> channels;
    private final List<BoundListener> bound;
    private final IoTransport io;

    private TraverseServer(EventLoopGroup group, IoTransport io, List<Channel> channels, List<BoundListener> bound) {
        this.group = group;
        this.io = io;
        this.channels = channels;
        this.bound = bound;
    }

    public static TraverseServer start(TraverseConfig config, TraverseMetrics metrics) throws InterruptedException {
        IoTransport io = IoTransport.select(config.server().io().name().toLowerCase(Locale.ROOT));
        int loops = config.server().eventLoops() > 0
                ? config.server().eventLoops()
                : Runtime.getRuntime().availableProcessors();
        EventLoopGroup group = io.newEventLoopGroup(loops);
        List<Channel> channels = new ArrayList<>();
        List<BoundListener> bound = new ArrayList<>();
        try {
            StunDispatcher dispatcher = new StunDispatcher(metrics, config.server().software());
            Listeners listeners = new Listeners(io, group, dispatcher, metrics);
            for (ListenerConfig listener : config.listeners()) {
                InetSocketAddress address = new InetSocketAddress(listener.address(), listener.port());
                switch (listener.protocol()) {
                    case UDP: {
                        List<Channel> udp = listeners.bindUdp(address);
                        channels.addAll(udp);
                        bound.add(new BoundListener(listener.protocol(), (InetSocketAddress) udp.get(0).localAddress()));
                        break;
                    }
                    case TCP: {
                        Channel tcp = listeners.bindTcp(address);
                        channels.add(tcp);
                        bound.add(new BoundListener(listener.protocol(), (InetSocketAddress) tcp.localAddress()));
                        break;
                    }
                    default:
                        throw new IllegalStateException("listener protocol " + listener.protocol()
                                + " is not supported yet");
                }
            }
        } catch (RuntimeException | InterruptedException e) {
            channels.forEach(Channel::close);
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw e;
        }
        for (BoundListener listener : bound) {
            LOG.info("listening on {} {}", listener.protocol().name().toLowerCase(Locale.ROOT), listener.address());
        }
        LOG.info("Traverse started: {} event loops, I/O {}", loops, io.name().toLowerCase(Locale.ROOT));
        return new TraverseServer(group, io, channels, List.copyOf(bound));
    }

    public List<BoundListener> listeners() {
        return bound;
    }

    /** The first bound listener of {@code protocol} whose address family matches {@code ipv6}. */
    public InetSocketAddress address(Protocol protocol, boolean ipv6) {
        for (BoundListener listener : bound) {
            if (listener.protocol() == protocol
                    && (listener.address().getAddress() instanceof java.net.Inet6Address) == ipv6) {
                return listener.address();
            }
        }
        throw new IllegalArgumentException("no " + protocol + (ipv6 ? " IPv6" : " IPv4") + " listener");
    }

    public IoTransport io() {
        return io;
    }

    @Override
    public void close() {
        for (Channel channel : channels) {
            channel.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        }
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
}
