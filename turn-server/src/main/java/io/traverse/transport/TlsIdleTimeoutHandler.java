package io.traverse.transport;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.ScheduledFuture;
import io.traverse.metrics.TraverseMetrics.Limit;
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
 *
 * <p>It also keeps {@code limits.streams.allocate-within} and the count of connections without an allocation
 * ({@link StreamLimits}): a connection whose 5-tuple has no allocation that long after it opened is closed however
 * busy it is (a Binding every second does not hold a socket for ever), and the connection stops counting as
 * "without allocation" as soon as its allocation is seen, when it closes, or when this handler leaves the pipeline
 * (an RFC 6062 ConnectionBind turns the connection into a data connection).
 */
final class TlsIdleTimeoutHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(TlsIdleTimeoutHandler.class);

    private final AllocationRegistry registry;
    private final TurnClock clock;
    private final TransportProtocol protocol;
    private final long idleNanos;
    private final StreamLimits limits;
    private final long allocateWithinNanos;
    private FiveTuple tuple;
    private long opened;
    private long lastFrame;
    private boolean countedWithoutAllocation = true;
    private ScheduledFuture<?> timer;

    TlsIdleTimeoutHandler(AllocationRegistry registry, TurnClock clock, TransportProtocol protocol, long idleNanos,
            StreamLimits limits) {
        this.registry = registry;
        this.clock = clock;
        this.protocol = protocol;
        this.idleNanos = idleNanos;
        this.limits = limits;
        this.allocateWithinNanos = limits.config().allocateWithin().toNanos();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        tuple = new FiveTuple(protocol, (InetSocketAddress) ctx.channel().remoteAddress(),
                (InetSocketAddress) ctx.channel().localAddress());
        opened = clock.nanos();
        lastFrame = opened;
        schedule(ctx, Math.min(idleNanos, allocateWithinNanos));
        super.channelActive(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        lastFrame = clock.nanos();
        ctx.fireChannelRead(msg);
        if (countedWithoutAllocation && registry.find(tuple) != null) {
            noLongerWithoutAllocation();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        stop();
        super.channelInactive(ctx);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        stop();
    }

    private void stop() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
        noLongerWithoutAllocation();
    }

    private void noLongerWithoutAllocation() {
        if (countedWithoutAllocation) {
            countedWithoutAllocation = false;
            limits.allocated();
        }
    }

    private void schedule(ChannelHandlerContext ctx, long delayNanos) {
        timer = ctx.executor().schedule(() -> check(ctx), delayNanos, TimeUnit.NANOSECONDS);
    }

    private void check(ChannelHandlerContext ctx) {
        if (!ctx.channel().isActive()) {
            return;
        }
        long now = clock.nanos();
        long idle = now - lastFrame;
        boolean allocated = registry.find(tuple) != null;
        if (allocated) {
            noLongerWithoutAllocation();
        }
        long age = now - opened;
        if (!allocated && age >= allocateWithinNanos) {
            LOG.debug("closing {} connection {}: no allocation {} ms after it opened", protocol, tuple.client(),
                    TimeUnit.NANOSECONDS.toMillis(age));
            limits.refused(Limit.STREAM_ALLOCATE_DEADLINE);
            ctx.close();
        } else if (idle < idleNanos) {
            schedule(ctx, allocated ? idleNanos - idle : Math.min(idleNanos - idle, allocateWithinNanos - age));
        } else if (allocated) {
            schedule(ctx, idleNanos);
        } else {
            LOG.debug("closing idle {} connection {} (no allocation, no message for {} ms)", protocol,
                    tuple.client(), TimeUnit.NANOSECONDS.toMillis(idle));
            ctx.close();
        }
    }
}
