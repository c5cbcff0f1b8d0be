package io.traverse.transport;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.traverse.metrics.TraverseMetrics;
import io.traverse.turn.PortAllocator;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;

/**
 * Relay sockets bound ahead of the Allocates that will take them ({@code relay.prebound-sockets}), per event loop and
 * relay bind address: an Allocate then costs no socket, setsockopt, bind or epoll registration before its response
 * leaves, only the claim. Each pool holds at most {@code target} sockets (ports taken from the relay range like any
 * allocation's, at most {@code target} per loop and relay address, never counted against a user), is filled on its
 * loop after the Allocate that emptied a place was answered, and is closed when the server drains.
 *
 * <p>Until claimed, a pooled socket reads and drops everything: a datagram sent to a port before it belongs to an
 * allocation reaches no one ({@link RelayEndpoint#claim}).
 */
final class PreboundRelaySockets {
    /**
     * Drops every datagram that a relay socket on a Netty channel receives: it belongs to no allocation yet
     * (counted as {@code no_allocation}, like {@link EpollRelaySocket} does).
     */
    @ChannelHandler.Sharable
    static final class Unclaimed extends ChannelInboundHandlerAdapter {
        private final TraverseMetrics metrics;

        Unclaimed(TraverseMetrics metrics) {
            this.metrics = metrics;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ReferenceCountUtil.release(msg);
            metrics.dropped(TraverseMetrics.DropReason.NO_ALLOCATION);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // a read error on a socket nobody owns yet: nothing to tell anyone
        }
    }

    private record Key(EventLoop loop, InetAddress bind) {}

    /** Binds that may fail in a row (the port was taken) before filling waits for the next occasion. */
    private static final int BIND_ATTEMPTS = 8;

    private final int target;
    private final TraverseMetrics metrics;
    /** Binds an unclaimed socket on a loop at an address. */
    private final BiFunction<EventLoop, InetSocketAddress, Future<RelayEndpoint>> binder;
    private final Map<Key, Pool> pools = new ConcurrentHashMap<>();
    private volatile boolean closed;

    /** @param target sockets per loop and relay address; 0 turns pooling off */
    PreboundRelaySockets(int target, TraverseMetrics metrics,
            BiFunction<EventLoop, InetSocketAddress, Future<RelayEndpoint>> binder) {
        this.target = target;
        this.metrics = metrics;
        this.binder = binder;
    }

    /**
     * Takes a pooled socket bound to {@code bind} on {@code loop}, with a port of {@code ports}, or null when there
     * is none (pooling off, the pool not filled yet or emptied, or closed). Either way the pool is filled again once
     * the current work of the loop is done. Call on {@code loop}.
     */
    RelayEndpoint take(EventLoop loop, InetAddress bind, PortAllocator ports) {
        if (target == 0 || closed) {
            return null;
        }
        Pool pool = pools.computeIfAbsent(new Key(loop, bind), k -> new Pool(loop, bind, ports));
        RelayEndpoint socket = pool.take();
        if (pool.idle.size() + pool.binding <= target / 2) {
            // Low: fill now, after this loop's current work (the response) is done.
            loop.execute(pool::fill);
        }
        return socket;
    }

    /**
     * Tops up the pools of {@code loop}: called when an allocation on it ended, whose socket was just closed, so the
     * bind replaces it at a time no request waits for. Call on {@code loop}.
     */
    void refill(EventLoop loop) {
        if (target == 0 || closed) {
            return;
        }
        for (Pool pool : pools.values()) {
            if (pool.loop == loop) {
                pool.fill();
            }
        }
    }

    /**
     * Gives the ports of every pool on {@code bind} back to the range (an Allocate found it exhausted; another loop's
     * pool may hold the ports it needs). Pools fill again once more than half of the range is free.
     */
    void release(InetAddress bind) {
        closePools(bind);
    }

    /** Closes every pooled socket and stops filling (draining, stopping); their ports go back to the range. */
    void close() {
        closed = true;
        closePools(null);
    }

    /** Closes the pooled sockets on {@code bind} (null: on every address), each pool on its own loop. */
    private void closePools(InetAddress bind) {
        for (Pool pool : pools.values()) {
            if (bind == null || pool.bind.equals(bind)) {
                pool.loop.execute(pool::close);
            }
        }
    }

    /** One loop's sockets on one relay address; touched only on that loop. */
    private final class Pool {
        final EventLoop loop;
        final InetAddress bind;
        final PortAllocator ports;
        final ArrayDeque<RelayEndpoint> idle = new ArrayDeque<>();
        /** Binds started and not yet completed. */
        int binding;
        /** Binds that failed in a row. */
        int failures;

        Pool(EventLoop loop, InetAddress bind, PortAllocator ports) {
            this.loop = loop;
            this.bind = bind;
            this.ports = ports;
        }

        RelayEndpoint take() {
            RelayEndpoint socket;
            while ((socket = idle.poll()) != null) {
                metrics.preboundSocket(-1);
                if (socket.isOpen()) {
                    return socket;
                }
                ports.release(socket.port()); // closed while pooled (a read error): its port goes back
            }
            return null;
        }

        /**
         * Binds sockets until {@code target} are pooled or being bound; at most {@code target} binds per call. Only
         * while more than half of the port range is free: when ports run short they go to allocations, not to pools.
         */
        void fill() {
            int range = ports.maxPort() - ports.minPort() + 1;
            while (!closed && idle.size() + binding < target && ports.available() > range / 2) {
                OptionalInt next = ports.next();
                if (next.isEmpty()) {
                    return; // the range is exhausted: allocations take precedence over the pool
                }
                int port = next.getAsInt();
                binding++;
                Future<RelayEndpoint> bound = binder.apply(loop, new InetSocketAddress(bind, port));
                bound.addListener(f -> bound(bound, port));
            }
        }

        private void bound(Future<RelayEndpoint> bound, int port) {
            binding--;
            if (!bound.isSuccess()) {
                boolean inUse = RelaySockets.addressInUse(bound.cause());
                ports.bindFailed(port, inUse); // a taken port is quarantined, so the next try picks another
                // Another port helps only when this one was taken (EMFILE and the like fail the same everywhere),
                // and not forever: after BIND_ATTEMPTS failures in a row, the next Allocate or ended allocation fills.
                if (inUse && ++failures < BIND_ATTEMPTS) {
                    fill();
                }
                return;
            }
            failures = 0;
            RelayEndpoint socket = bound.getNow();
            if (closed) {
                socket.close();
                ports.release(port);
                return;
            }
            idle.add(socket);
            metrics.preboundSocket(1);
        }

        /** Closes the pooled sockets; their ports go back to the range. A claimed socket is no longer idle. */
        void close() {
            RelayEndpoint socket;
            while ((socket = idle.poll()) != null) {
                metrics.preboundSocket(-1);
                socket.close();
                ports.release(socket.port());
            }
        }
    }
}
