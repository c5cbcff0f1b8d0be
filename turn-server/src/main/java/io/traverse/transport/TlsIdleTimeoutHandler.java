package io.traverse.transport;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.ScheduledFuture;
import io.traverse.turn.AllocationRegistry;
import io.traverse.turn.FiveTuple;
import io.traverse.turn.TransportProtocol;
import io.traverse.turn.TurnClock;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code tls.idle-timeout} on stream connections, TCP and TLS alike (named after its config key): a connection
 * that has no allocation and has not delivered a complete STUN message or ChannelData frame for the timeout is
 * closed. Counting whole frames rather than bytes defeats slowloris clients that trickle a partial frame (or a
 * TLS handshake) to hold a socket. A connection whose 5-tuple has an allocation is never closed here; its
 * lifetime is the allocation's (RFC 8656 §3.1: the allocation ends with its connection, not the other way
 * round). Sits after {@link StreamFrameDecoder}; one timer per connection on its own loop.
 */
final class TlsIdleTimeoutHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(TlsIdleTimeoutHandler.class);

    private final AllocationRegistry registry;
    private final TurnClock clock;
    private final TransportProtocol protocol;
    private final long idleNanos;
    private FiveTuple tuple;
    private long lastFrame;
    private ScheduledFuture<?> timer;

    TlsIdleTimeoutHandler(AllocationRegistry registry, TurnClock clock, TransportProtocol protocol, long idleNanos) {
        this.registry = registry;
        this.clock = clock;
        this.protocol = protocol;
        this.idleNanos = idleNanos;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        tuple = new FiveTuple(protocol, (InetSocketAddress) ctx.channel().remoteAddress(),
                (InetSocketAddress) ctx.channel().localAddress());
        lastFrame = clock.nanos();
        schedule(ctx, idleNanos);
        super.channelActive(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        lastFrame = clock.nanos();
        ctx.fireChannelRead(msg);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
        super.channelInactive(ctx);
    }

    private void schedule(ChannelHandlerContext ctx, long delayNanos) {
        timer = ctx.executor().schedule(() -> check(ctx), delayNanos, TimeUnit.NANOSECONDS);
    }

    private void check(ChannelHandlerContext ctx) {
        if (!ctx.channel().isActive()) {
            return;
        }
        long idle = clock.nanos() - lastFrame;
        if (idle < idleNanos) {
            schedule(ctx, idleNanos - idle);
        } else if (registry.find(tuple) != null) {
            schedule(ctx, idleNanos);
        } else {
            LOG.debug("closing idle {} connection {} (no allocation, no message for {} ms)", protocol,
                    tuple.client(), TimeUnit.NANOSECONDS.toMillis(idle));
            ctx.close();
        }
    }
}
