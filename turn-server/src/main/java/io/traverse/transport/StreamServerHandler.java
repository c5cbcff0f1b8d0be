package io.traverse.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.traverse.metrics.TraverseMetrics;
import io.traverse.turn.FiveTuple;
import io.traverse.turn.TransportProtocol;
import java.net.InetSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Handles the frames of one TCP/TLS client connection (after {@link StreamFrameDecoder}). */
final class StreamServerHandler extends ChannelInboundHandlerAdapter implements ClientMessages.Links {
    private static final Logger LOG = LoggerFactory.getLogger(StreamServerHandler.class);

    private final ClientMessages messages;
    private final TransportProtocol protocol;
    private StreamClientLink link;

    StreamServerHandler(StunHandler stun, ChannelDataRelay relay, TraverseMetrics metrics,
            TransportProtocol protocol) {
        this.messages = new ClientMessages(stun, relay, metrics);
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
            FiveTuple tuple = link.fiveTuple();
            messages.dispatch(frame, protocol, tuple.client(), tuple.server(), this);
        } finally {
            frame.release();
        }
    }

    /** The connection's only link. */
    @Override
    public ClientLink link(InetSocketAddress client) {
        return link;
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        messages.flush();
        ctx.flush();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (link != null) {
            messages.stun().onClientClosed(link);
        }
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("connection {} closed: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }
}
