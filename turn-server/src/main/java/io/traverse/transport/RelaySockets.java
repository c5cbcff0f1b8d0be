package io.traverse.transport;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.netty.channel.ChannelOption;
import io.traverse.config.RelayConfig;
import io.traverse.metrics.TraverseMetrics;
import io.traverse.turn.PortAllocator;
import io.traverse.turn.TurnClock;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/** Binds relay sockets on the event loop of the client they serve. */
public final class RelaySockets {
    private final IoTransport io;
    private final TurnClock clock;
    private final TraverseMetrics metrics;
    private final int socketBuffer;
    /** RESERVATION-TOKEN → the socket holding its port. */
    private final Map<Long, Channel> reservedPorts = new ConcurrentHashMap<>();

    /** Sockets bound ahead of Allocates ({@code relay.prebound-sockets}). */
    private final PreboundRelaySockets prebound;
    /** The handler of a relay socket on a Netty channel until an allocation claims it. */
    private final PreboundRelaySockets.Unclaimed unclaimed;

    public RelaySockets(IoTransport io, TurnClock clock, TraverseMetrics metrics) {
        this(io, clock, metrics, RelayConfig.DEFAULT_SOCKET_BUFFER);
    }

    /** @param socketBuffer SO_RCVBUF/SO_SNDBUF of each relay socket ({@code relay.socket-buffer}) */
    public RelaySockets(IoTransport io, TurnClock clock, TraverseMetrics metrics, int socketBuffer) {
        this(io, clock, metrics, socketBuffer, 0);
    }

    /**
     * @param socketBuffer     SO_RCVBUF/SO_SNDBUF of each relay socket ({@code relay.socket-buffer})
     * @param preboundSockets  relay sockets kept bound per event loop and relay address for the next Allocates
     *                         ({@code relay.prebound-sockets}); 0 binds each relay socket when it is asked for
     */
    public RelaySockets(IoTransport io, TurnClock clock, TraverseMetrics metrics, int socketBuffer,
            int preboundSockets) {
        this.socketBuffer = socketBuffer;
        this.io = io;
        this.clock = clock;
        this.metrics = metrics;
        this.unclaimed = new PreboundRelaySockets.Unclaimed(metrics);
        this.prebound = new PreboundRelaySockets(preboundSockets, metrics, this::open);
    }

    /**
     * Opens an unclaimed relay socket bound to {@code address} on {@code loop}: on epoll one registered directly with
     * the loop ({@link EpollRelaySocket}), otherwise a Netty datagram channel. Call on {@code loop}.
     */
    Future<RelayEndpoint> open(EventLoop loop, InetSocketAddress address) {
        if (io == IoTransport.EPOLL && EpollRelaySocket.supports(loop)) {
            return EpollRelaySocket.open(loop, address, socketBuffer, metrics);
        }
        InetAddress ip = address.getAddress();
        Bootstrap b = new Bootstrap()
                .group(loop)
                .channelFactory(() -> io.newDatagramChannel(ip))
                .handler(unclaimed);
        ChannelFuture bound = DatagramSockets.configure(b, io, ip, socketBuffer).bind(address);
        Promise<RelayEndpoint> promise = loop.newPromise();
        bound.addListener(f -> {
            if (f.isSuccess()) {
                promise.setSuccess(new ChannelRelayEndpoint(bound.channel(), address.getPort()));
            } else {
                promise.setFailure(f.cause());
            }
        });
        return promise;
    }

    /** The socket is {@code session}'s from now on: what its peers send goes to the session's client. */
    private void attach(RelayEndpoint socket, RelaySession session, boolean dontFragment) {
        socket.claim(session, new PeerToClient(session, clock, metrics), dontFragment && supportsDontFragment());
    }

    /**
     * A relay socket for {@code session} that is already bound to {@code bind} at a port of {@code ports}, taken
     * from the pool of the session's loop, or null when the pool has none (then {@link #bind} it). The socket's port
     * is the allocation's from now on ({@code ports} counts it in use). Call on the session's loop.
     */
    public RelayEndpoint claim(RelaySession session, InetAddress bind, PortAllocator ports, boolean dontFragment) {
        RelayEndpoint socket = prebound.take(session.link().eventLoop(), bind, ports);
        if (socket != null) {
            attach(socket, session, dontFragment);
        }
        return socket;
    }

    /** Tops up the pre-bound sockets of {@code loop} (an allocation on it ended). Call on {@code loop}. */
    public void refillPrebound(EventLoop loop) {
        prebound.refill(loop);
    }

    /** Gives the ports of the pre-bound sockets on {@code bind} back to the range (it ran out of ports). */
    public void releasePrebound(InetAddress bind) {
        prebound.release(bind);
    }

    /** Closes the pooled sockets and binds no more (draining, stopping); their ports go back to the range. */
    public void closePrebound() {
        prebound.close();
    }

    /** Whether DONT-FRAGMENT can be honoured (needs the native transport's socket options: {@link EpollRelaySocket}). */
    public boolean supportsDontFragment() {
        return io == IoTransport.EPOLL;
    }

    /** Binds a relay socket for {@code session} at {@code address}; completes on the client's loop. */
    public Future<RelayEndpoint> bind(RelaySession session, InetSocketAddress address, boolean dontFragment) {
        EventLoop loop = session.link().eventLoop();
        Promise<RelayEndpoint> claimed = loop.newPromise();
        open(loop, address).addListener((Future<RelayEndpoint> f) -> {
            if (f.isSuccess()) {
                attach(f.getNow(), session, dontFragment);
                claimed.setSuccess(f.getNow());
            } else {
                claimed.setFailure(f.cause());
            }
        });
        return claimed;
    }

    /**
     * Binds a socket that holds a port reserved by EVEN-PORT with the R bit (RFC 8656 §7.2: the server "MUST hold
     * this reservation for at least 30 seconds"), so no other socket, ours or another process's, takes the port
     * before the RESERVATION-TOKEN claims it. The socket reads nothing; it closes when {@link #releaseReserved} is
     * called (the token is claimed or cancelled) or after {@code lifetimeNanos} (the reservation lapsed). At most one
     * per reservation, and reservations are bounded by the port range and the users' quotas.
     */
    public ChannelFuture holdReserved(EventLoop loop, InetSocketAddress address, long token, long lifetimeNanos) {
        Bootstrap b = new Bootstrap()
                .group(loop)
                .channelFactory(() -> io.newDatagramChannel(address.getAddress()))
                .option(ChannelOption.AUTO_READ, false)
                .handler(new ChannelInboundHandlerAdapter());
        ChannelFuture bound = b.bind(address);
        bound.addListener(f -> {
            if (!f.isSuccess()) {
                return;
            }
            Channel channel = bound.channel();
            reservedPorts.put(token, channel);
            channel.closeFuture().addListener(c -> reservedPorts.remove(token, channel));
            channel.eventLoop().schedule(() -> channel.close(), lifetimeNanos, TimeUnit.NANOSECONDS);
        });
        return bound;
    }

    /**
     * Closes the socket holding the reservation {@code token}; the future completes when the port is free to bind
     * (at once when no socket holds it).
     */
    public Future<?> releaseReserved(long token, EventLoop caller) {
        Channel channel = reservedPorts.remove(token);
        return channel == null ? caller.newSucceededFuture(null) : channel.close();
    }

    /** Sockets holding reserved ports now (tests; bounded by the relay port range). */
    public int reservedSockets() {
        return reservedPorts.size();
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
