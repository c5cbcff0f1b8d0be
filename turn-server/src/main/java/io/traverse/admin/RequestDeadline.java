package io.traverse.admin;

import io.micrometer.core.instrument.Counter;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * {@code admin.request-timeout}: a request must arrive whole within the timeout from its first byte. The clock is not
 * reset by further bytes, so a client trickling one header byte at a time (slowloris) cannot hold a connection.
 * {@link #bytes} sits before the HTTP codec and starts the clock at a request's first byte; {@link #requests} sits
 * after the aggregator and stops it when the whole request arrived. Per connection, on its loop.
 */
final class RequestDeadline {
    private final long timeoutNanos;
    private final Counter timedOut;
    private ScheduledFuture<?> timer;

    private RequestDeadline(long timeoutNanos, Counter timedOut) {
        this.timeoutNanos = timeoutNanos;
        this.timedOut = timedOut;
    }

    private final ChannelHandler bytes = new ChannelInboundHandlerAdapter() {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (timer == null && msg instanceof ByteBuf && ((ByteBuf) msg).isReadable()) {
                timer = ctx.executor().schedule(() -> {
                    timedOut.increment();
                    ctx.close();
                }, timeoutNanos, TimeUnit.NANOSECONDS);
            }
            ctx.fireChannelRead(msg);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            stop();
            ctx.fireChannelInactive();
        }
    };

    private final ChannelHandler requests = new ChannelInboundHandlerAdapter() {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof FullHttpRequest) {
                stop();
            }
            ctx.fireChannelRead(msg);
        }
    };

    private void stop() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    /** Adds {@link #bytes} first in the pipeline and {@link #requests} right before {@code handlerName}. */
    static void install(ChannelPipeline pipeline, String handlerName, long timeoutNanos, Counter timedOut) {
        RequestDeadline deadline = new RequestDeadline(timeoutNanos, timedOut);
        pipeline.addFirst("request-deadline", deadline.bytes);
        pipeline.addBefore(handlerName, "request-complete", deadline.requests);
    }
}
