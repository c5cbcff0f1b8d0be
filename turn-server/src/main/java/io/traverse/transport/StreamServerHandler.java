package io.traverse.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.traverse.metrics.TraverseMetrics;
import io.traverse.metrics.TraverseMetrics.DropReason;
import io.traverse.stun.codec.Framing;
import io.traverse.turn.FiveTuple;
import io.traverse.turn.TransportProtocol;
import java.net.InetSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Handles the frames of one TCP/TLS client connection (after {@link StreamFrameDecoder}). */
final class StreamServerHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(StreamServerHandler.class);

    private final StunHandler stun;
    private final ChannelDataRelay relay;
    private final TraverseMetrics metrics;
    private final TransportProtocol protocol;
    private StreamClientLink link;

    StreamServerHandler(StunHandler stun, ChannelDataRelay relay, TraverseMetrics metrics,
            TransportProtocol protocol) {
        this.stun = stun;
        this.relay = relay;
        this.metrics = metrics;
        this.protocol = protocol;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        FiveTuple tuple = new FiveTuple(protocol, (InetSocketAddress) ctx.channel().remoteAddress(),
                (InetSocketAddress) ctx.channel().localAddress());
        link = new StreamClientLink(ctx.channel(), tuple);
        super.channelActive(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf frame = (ByteBuf) msg;
        try {
            Framing.Kind kind = Framing.detect(frame);
            if (kind == Framing.Kind.CHANNEL_DATA) {
                FiveTuple tuple = link.fiveTuple();
                relay.relay(frame, protocol, tuple.client(), tuple.server());
            } else if (kind == Framing.Kind.STUN) {
                stun.onStun(frame, link);
            } else {
                metrics.dropped(DropReason.UNKNOWN_KIND);
            }
        } finally {
            frame.release();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        relay.flush();
        ctx.flush();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (link != null) {
            stun.onClientClosed(link);
        }
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("connection {} closed: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }
}
