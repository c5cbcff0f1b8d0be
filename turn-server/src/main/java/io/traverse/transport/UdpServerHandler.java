package io.traverse.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DatagramPacket;
import io.traverse.metrics.TraverseMetrics;
import io.traverse.metrics.TraverseMetrics.DropReason;
import io.traverse.server.StunDispatcher;
import io.traverse.stun.codec.Framing;
import io.traverse.turn.FiveTuple;
import io.traverse.turn.TransportProtocol;
import java.net.InetSocketAddress;

/**
 * Reads datagrams of one UDP listener socket. Classifies each by its first bits (RFC 7983) and hands STUN to the
 * dispatcher; responses are written without flushing and flushed once per read batch.
 */
final class UdpServerHandler extends ChannelInboundHandlerAdapter {
    private final StunDispatcher dispatcher;
    private final TraverseMetrics metrics;

    UdpServerHandler(StunDispatcher dispatcher, TraverseMetrics metrics) {
        this.dispatcher = dispatcher;
        this.metrics = metrics;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof DatagramPacket)) {
            io.netty.util.ReferenceCountUtil.release(msg);
            return;
        }
        DatagramPacket packet = (DatagramPacket) msg;
        try {
            ByteBuf content = packet.content();
            Framing.Kind kind = Framing.detect(content);
            if (kind == Framing.Kind.STUN) {
                InetSocketAddress local = (InetSocketAddress) ctx.channel().localAddress();
                FiveTuple tuple = new FiveTuple(TransportProtocol.UDP, packet.sender(), local);
                dispatcher.onStun(content, new UdpClientLink(ctx.channel(), packet.sender(), tuple));
            } else {
                metrics.dropped(DropReason.UNKNOWN_KIND);
            }
        } finally {
            packet.release();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        ctx.flush();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // A UDP socket error (e.g. ICMP port unreachable surfaced by the OS) must not close the listener.
        LoggerHolder.LOG.debug("UDP listener {}: {}", ctx.channel().localAddress(), cause.toString());
    }

    private static final class LoggerHolder {
        static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(UdpServerHandler.class);
    }
}
