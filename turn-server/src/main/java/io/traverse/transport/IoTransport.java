package io.traverse.transport;

import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.unix.IntegerUnixChannelOption;
import io.netty.channel.unix.UnixChannelOption;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The I/O flavour chosen at start: Linux epoll (native, with {@code SO_REUSEPORT}, {@code recvmmsg} and
 * socket options that plain NIO lacks) or the portable NIO fallback.
 */
public enum IoTransport {
    EPOLL {
        @Override
        IoHandlerFactory handlerFactory(long spinNanos) {
            return EpollIoHandler.newFactory(0, SpinThenWait.factory(spinNanos));
        }

        @Override
        public DatagramChannel newDatagramChannel(InetAddress bindAddress) {
            return new EpollDatagramChannel(familyOf(bindAddress));
        }

        @Override
        public Supplier<ServerChannel> serverChannelFactory(InetAddress bindAddress) {
            SocketProtocolFamily family = familyOf(bindAddress);
            return () -> new EpollServerSocketChannel(family);
        }

        @Override
        public Class<? extends Channel> socketChannelClass() {
            return EpollSocketChannel.class;
        }

        @Override
        public boolean supportsReusePort() {
            return true;
        }
    },
    NIO {
        @Override
        IoHandlerFactory handlerFactory(long spinNanos) {
            return NioIoHandler.newFactory(java.nio.channels.spi.SelectorProvider.provider(),
                    SpinThenWait.factory(spinNanos));
        }

        @Override
        public DatagramChannel newDatagramChannel(InetAddress bindAddress) {
            return new NioDatagramChannel(familyOf(bindAddress));
        }

        @Override
        public Supplier<ServerChannel> serverChannelFactory(InetAddress bindAddress) {
            SocketProtocolFamily family = familyOf(bindAddress);
            return () -> new NioServerSocketChannel(java.nio.channels.spi.SelectorProvider.provider(), family);
        }

        @Override
        public Class<? extends Channel> socketChannelClass() {
            return NioSocketChannel.class;
        }

        @Override
        public boolean supportsReusePort() {
            return false;
        }
    };

    private static final Logger LOG = LoggerFactory.getLogger(IoTransport.class);

    /** {@code setsockopt(IPPROTO_IPV6, IPV6_V6ONLY)}: keeps {@code [::]} and {@code 0.0.0.0} listeners apart. */
    public static final ChannelOption<Integer> IPV6_V6ONLY = new IntegerUnixChannelOption("IPV6_V6ONLY", 41, 26);

    /** {@code SO_REUSEPORT} (epoll only). */
    public static final ChannelOption<Boolean> SO_REUSEPORT = UnixChannelOption.SO_REUSEPORT;

    /** Loops that poll for {@code spinNanos} before they block (0: block at once, Netty's default strategy). */
    abstract IoHandlerFactory handlerFactory(long spinNanos);

    /** A new unbound datagram channel of the address family of {@code bindAddress}. */
    public abstract DatagramChannel newDatagramChannel(InetAddress bindAddress);

    /** Factory of server socket channels of the address family of {@code bindAddress}. */
    public abstract Supplier<ServerChannel> serverChannelFactory(InetAddress bindAddress);

    /** Class of client socket channels (outbound TCP). */
    public abstract Class<? extends Channel> socketChannelClass();

    /** Whether several sockets may share a port so that the kernel spreads clients across loops. */
    public abstract boolean supportsReusePort();

    /** An event loop group of {@code threads} loops named {@code traverse-io-N} that block at once when idle. */
    public EventLoopGroup newEventLoopGroup(int threads) {
        return newEventLoopGroup(threads, 0);
    }

    /**
     * An event loop group of {@code threads} loops named {@code traverse-io-N}; each polls its sockets for
     * {@code spinNanos} after its work runs out before it blocks ({@code server.spin-micros}).
     */
    public EventLoopGroup newEventLoopGroup(int threads, long spinNanos) {
        return new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory("traverse-io", true),
                handlerFactory(spinNanos));
    }

    static SocketProtocolFamily familyOf(InetAddress address) {
        return address instanceof Inet6Address ? SocketProtocolFamily.INET6 : SocketProtocolFamily.INET;
    }

    /**
     * Chooses the transport: {@code preference} is "auto", "epoll" or "nio". "auto" takes epoll when the
     * native library loads and NIO otherwise; "epoll" when unavailable is an error. The choice is logged.
     */
    public static IoTransport select(String preference) {
        switch (preference) {
            case "nio":
                LOG.info("I/O transport: NIO (configured)");
                return NIO;
            case "epoll":
                if (!Epoll.isAvailable()) {
                    throw new IllegalStateException("server.io is epoll but native epoll is unavailable: "
                            + Epoll.unavailabilityCause());
                }
                LOG.info("I/O transport: epoll (configured)");
                return EPOLL;
            case "auto":
                if (Epoll.isAvailable()) {
                    LOG.info("I/O transport: epoll (native)");
                    return EPOLL;
                }
                LOG.info("I/O transport: NIO (epoll unavailable: {})", String.valueOf(Epoll.unavailabilityCause()));
                return NIO;
            default:
                throw new IllegalArgumentException("unknown I/O transport " + preference);
        }
    }
}
