package io.traverse.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.ReferenceCountUtil;
import io.traverse.metrics.TraverseMetrics;
import io.traverse.metrics.TraverseMetrics.DropReason;
import io.traverse.stun.codec.Framing;
import io.traverse.turn.FiveTuple;
import io.traverse.turn.TransportProtocol;
import java.net.InetSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the datagrams of one UDP listener socket (one per event loop). Classifies each by its first bits
 * (RFC 7983): STUN goes to the dispatcher, ChannelData straight to the relay. Writes are flushed once per read
 * batch.
 */
final class UdpServerHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(UdpServerHandler.class);

    private final StunHandler stun;
    private final ChannelDataRelay relay;
    private final TraverseMetrics metrics;
    private InetSocketAddress local;

    UdpServerHandler(StunHandler stun, ChannelDataRelay relay, TraverseMetrics metrics) {
        this.stun = stun;
        this.relay = relay;
        this.metrics = metrics;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        local = (InetSocketAddress) ctx.channel().localAddress();
        super.channelActive(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof DatagramPacket)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        DatagramPacket packet = (DatagramPacket) msg;
        try {
            ByteBuf content = packet.content();
            Framing.Kind kind = Framing.detect(content);
            if (kind == Framing.Kind.CHANNEL_DATA) {
                relay.relay(content, TransportProtocol.UDP, packet.sender(), local());
            } else if (kind == Framing.Kind.STUN) {
                FiveTuple tuple = new FiveTuple(TransportProtocol.UDP, packet.sender(), local());
                stun.onStun(content, new UdpClientLink(ctx.channel(), packet.sender(), tuple));
            } else {
                metrics.dropped(DropReason.UNKNOWN_KIND);
            }
        } finally {
            packet.release();
        }
    }

    private InetSocketAddress local() {
        return local;
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        relay.flush();
        ctx.flush();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // A UDP socket error (e.g. an ICMP error surfaced by the OS) must not close the listener.
        LOG.debug("UDP listener {}: {}", ctx.channel().localAddress(), cause.toString());
    }
}
