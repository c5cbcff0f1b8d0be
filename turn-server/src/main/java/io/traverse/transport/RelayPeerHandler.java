package io.traverse.transport;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.ReferenceCountUtil;
import io.traverse.metrics.TraverseMetrics;
import io.traverse.metrics.TraverseMetrics.DropReason;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pipeline end of a relay socket that is a Netty channel ({@link ChannelRelayEndpoint}, the NIO transport): each
 * datagram goes to {@link PeerToClient}, the client is flushed once per read batch.
 */
final class RelayPeerHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(RelayPeerHandler.class);
    private final PeerToClient target;
    private final TraverseMetrics metrics;

    RelayPeerHandler(PeerToClient target) {
        this.target = target;
        this.metrics = target.metrics();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof DatagramPacket)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        DatagramPacket packet = (DatagramPacket) msg;
        target.relay(packet.content(), packet.sender());
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        target.endOfBatch();
    }

    /**
     * A client → peer send that failed (written with a void promise, so its failure arrives here) or an error the
     * kernel queued on the socket: counted and logged at debug; a relay socket stays open, as one unreachable peer
     * says nothing about the others.
     */
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        metrics.dropped(DropReason.RELAY_SOCKET_ERROR);
        LOG.debug("relay socket {}: {}", ctx.channel().localAddress(), cause.toString());
    }
}
