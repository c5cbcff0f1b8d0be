package io.traverse.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.ReferenceCountUtil;
import io.traverse.metrics.TraverseMetrics;
import io.traverse.turn.FiveTuple;
import io.traverse.turn.TransportProtocol;
import java.net.InetSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the datagrams of one UDP listener socket (one per event loop). Classifies each by its first bits
 * (RFC 7983): STUN goes to the dispatcher, ChannelData straight to the relay. Writes are flushed once per read
 * batch. On epoll the socket is read by {@link EpollListenerReads}, without the channel's read path; elsewhere
 * (NIO, or where that is not possible) the channel reads and hands {@code DatagramPacket}s to {@link #channelRead}.
 */
final class UdpServerHandler extends ChannelInboundHandlerAdapter
        implements ClientMessages.Links, EpollListenerReads.Datagrams {
    private static final Logger LOG = LoggerFactory.getLogger(UdpServerHandler.class);

    private final ClientMessages messages;
    private final TraverseMetrics metrics;
    private Channel channel;
    private InetSocketAddress local;
    private RoundFlush roundFlush;
    private EpollListenerReads reads;
    /** A STUN message was read since the last {@link #endOfReads}: its response may wait in the channel. */
    private boolean stunRead;

    UdpServerHandler(StunHandler stun, ChannelDataRelay relay, TraverseMetrics metrics) {
        this.messages = new ClientMessages(stun, relay, metrics);
        this.metrics = metrics;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        channel = ctx.channel();
        local = (InetSocketAddress) channel.localAddress();
        roundFlush = new RoundFlush(channel, metrics);
        // Before the pipeline's head starts the channel's own reads, which this turns off when it takes them over.
        reads = EpollListenerReads.start(channel, this);
        super.channelActive(ctx);
    }

    /** Whether {@link EpollListenerReads} reads the socket (not the channel): for tests. */
    boolean readsDirectly() {
        return reads != null && !reads.isClosed() && !channel.config().isAutoRead();
    }

    @Override
    public void datagram(ByteBuf content, InetSocketAddress sender) {
        messages.dispatch(content, TransportProtocol.UDP, sender, local, this);
    }

    @Override
    public void endOfBatch() {
        messages.flush();
    }

    @Override
    public void endOfReads() {
        if (stunRead) {
            stunRead = false;
            channel.flush();
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof DatagramPacket)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        DatagramPacket packet = (DatagramPacket) msg;
        try {
            messages.dispatch(packet.content(), TransportProtocol.UDP, packet.sender(), local, this);
        } finally {
            packet.release();
        }
    }

    /** A STUN message's link: replies go from this listener socket to the sender. */
    @Override
    public ClientLink link(InetSocketAddress client) {
        stunRead = true;
        return new UdpClientLink(channel, roundFlush, new FiveTuple(TransportProtocol.UDP, client, local));
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        messages.flush();
        ctx.flush();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // A UDP socket error (e.g. an ICMP error surfaced by the OS) must not close the listener.
        LOG.debug("UDP listener {}: {}", ctx.channel().localAddress(), cause.toString());
    }
}
