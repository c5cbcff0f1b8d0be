package io.traverse.transport;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPromise;
import io.traverse.metrics.TraverseMetrics;
import io.traverse.metrics.TraverseMetrics.Limit;

/**
 * Backpressure on a client stream connection (TCP or TLS). Above the write-buffer high water mark the connection is
 * no longer read, so a client that sends requests but does not read the answers stops its own flood (its writes
 * block once the kernel buffers fill); below the low mark reading resumes. Peer data for such a client is dropped
 * by {@link RelayPeerHandler} meanwhile. Writes that do not come from reading this connection can still queue; past
 * {@code limits.streams.max-pending-bytes} the connection is closed. Sits last in the pipeline, so it sees every
 * write after it reached the socket's outbound buffer (encrypted, for TLS). An RFC 6062 data connection drops this
 * handler: its pipe has backpressure of its own, in both directions.
 */
@ChannelHandler.Sharable
final class StreamBackpressure extends ChannelDuplexHandler {
    private final long maxPendingBytes;
    private final TraverseMetrics metrics;

    StreamBackpressure(long maxPendingBytes, TraverseMetrics metrics) {
        this.maxPendingBytes = maxPendingBytes;
        this.metrics = metrics;
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        ctx.channel().config().setAutoRead(ctx.channel().isWritable());
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        ctx.write(msg, promise);
        if (!ctx.channel().isWritable()) {
            ChannelOutboundBuffer queued = ctx.channel().unsafe().outboundBuffer();
            if (queued != null && queued.totalPendingWriteBytes() > maxPendingBytes && ctx.channel().isOpen()) {
                metrics.refused(Limit.STREAM_PENDING_BYTES);
                ctx.close();
            }
        }
    }
}
