package io.traverse.transport;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.unix.IntegerUnixChannelOption;
import io.traverse.config.RelayConfig;
import io.traverse.metrics.TraverseMetrics;
import io.traverse.turn.TurnClock;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/** Binds relay sockets on the event loop of the client they serve. */
public final class RelaySockets {
    /** {@code IP_MTU_DISCOVER = IP_PMTUDISC_DO}: sets DF on every datagram (RFC 8656 §14.8 DONT-FRAGMENT). */
    private static final ChannelOption<Integer> IP_MTU_DISCOVER = new IntegerUnixChannelOption("IP_MTU_DISCOVER", 0, 10);
    /** {@code IPV6_MTU_DISCOVER = IPV6_PMTUDISC_DO}: IPv6 never fragments in transit; this stops local fragmenting. */
    private static final ChannelOption<Integer> IPV6_MTU_DISCOVER =
            new IntegerUnixChannelOption("IPV6_MTU_DISCOVER", 41, 23);
    private static final int PMTUDISC_DO = 2;

    private final IoTransport io;
    private final TurnClock clock;
    private final TraverseMetrics metrics;
    private final int socketBuffer;

    public RelaySockets(IoTransport io, TurnClock clock, TraverseMetrics metrics) {
        this(io, clock, metrics, RelayConfig.DEFAULT_SOCKET_BUFFER);
    }

    /** @param socketBuffer SO_RCVBUF/SO_SNDBUF of each relay socket ({@code relay.socket-buffer}) */
    public RelaySockets(IoTransport io, TurnClock clock, TraverseMetrics metrics, int socketBuffer) {
        this.socketBuffer = socketBuffer;
        this.io = io;
        this.clock = clock;
        this.metrics = metrics;
    }

    /** Whether DONT-FRAGMENT can be honoured (needs the native transport's socket options). */
    public boolean supportsDontFragment() {
        return io == IoTransport.EPOLL;
    }

    /** Binds a relay socket for {@code session} at {@code address}; completes on the client's loop. */
    public ChannelFuture bind(RelaySession session, InetSocketAddress address, boolean dontFragment) {
        InetAddress ip = address.getAddress();
        Bootstrap b = new Bootstrap()
                .group(session.link().eventLoop())
                .channelFactory(() -> io.newDatagramChannel(ip))
                .handler(new RelayPeerHandler(session, clock, metrics));
        DatagramSockets.configure(b, io, ip, socketBuffer);
        if (io == IoTransport.EPOLL && dontFragment) {
            b.option(ip instanceof Inet6Address ? IPV6_MTU_DISCOVER : IP_MTU_DISCOVER, PMTUDISC_DO);
        }
        return b.bind(address);
    }

    /** Linux's EADDRINUSE; Netty's native transport reports errno values negated. */
    private static final int EADDRINUSE = 98;

    /**
     * Whether a bind failed because another socket holds the address (EADDRINUSE), as opposed to running out of
     * file descriptors (EMFILE), buffers or anything else that says nothing about the port.
     */
    public static boolean addressInUse(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof io.netty.channel.unix.Errors.NativeIoException) {
                return ((io.netty.channel.unix.Errors.NativeIoException) t).expectedErr() == -EADDRINUSE;
            }
            if (t instanceof java.net.BindException) {
                String message = t.getMessage();
                return message != null && message.contains("already in use");
            }
        }
        return false;
    }
}
