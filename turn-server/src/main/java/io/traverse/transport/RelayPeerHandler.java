package io.traverse.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.ReferenceCountUtil;
import io.traverse.metrics.TraverseMetrics;
import io.traverse.metrics.TraverseMetrics.DropReason;
import io.traverse.stun.TransactionId;
import io.traverse.stun.codec.ChannelData;
import io.traverse.stun.codec.StunEncoder;
import io.traverse.turn.Allocation;
import io.traverse.turn.TurnClock;
import java.net.InetSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Peer → client on one relay socket (RFC 8656 §11.5 / §10.3): a datagram from a peer with a permission goes to
 * the client as ChannelData when a channel is bound to the peer, otherwise as a Data indication. Runs on the
 * allocation's loop; the client channel is flushed once per read batch.
 */
final class RelayPeerHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(RelayPeerHandler.class);
    private final RelaySession session;
    private final TurnClock clock;
    private final TraverseMetrics metrics;
    private boolean wrote;
    /**
     * Transaction IDs of the Data indications sent from this socket, refilled per indication from the loop's
     * {@link ThreadLocalRandom}: RFC 8489 §6 wants unpredictable IDs so that responses can be tied to requests; an
     * indication has no response, and a {@code SecureRandom} plus two arrays per relayed packet (what
     * {@code TransactionId.random()} costs) is not worth it on the hot path. The ID must be known before encoding:
     * an IPv6 XOR-PEER-ADDRESS is XORed with it (RFC 8489 §14.2). No generator per socket (48 bytes of every idle
     * allocation).
     */
    private final byte[] indicationId = new byte[TransactionId.LENGTH];

    RelayPeerHandler(RelaySession session, TurnClock clock, TraverseMetrics metrics) {
        this.session = session;
        this.clock = clock;
        this.metrics = metrics;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof DatagramPacket)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        DatagramPacket packet = (DatagramPacket) msg;
        try {
            Allocation allocation = session.allocation();
            long now = clock.nanos();
            InetSocketAddress peer = packet.sender();
            if (allocation == null || allocation.isExpired(now)) {
                metrics.dropped(DropReason.NO_ALLOCATION);
                return;
            }
            if (!allocation.hasPermission(peer.getAddress(), now)) {
                // RFC 8656 §10.3: no permission for the peer's IP → silently discarded.
                metrics.dropped(DropReason.NO_PERMISSION);
                return;
            }
            ClientLink link = session.link();
            if (!link.channel().isWritable()) {
                // The client does not read what it is sent (above the high water mark): drop, do not queue.
                metrics.dropped(DropReason.CLIENT_BACKLOG);
                return;
            }
            ByteBuf payload = packet.content();
            int length = payload.readableBytes();
            if (!allocation.traffic().admitToClient(length, now)) {
                metrics.dropped(DropReason.BANDWIDTH);
                return;
            }
            int channel = allocation.channelForPeer(peer, now);
            ByteBuf out;
            if (channel >= 0) {
                int frame = link.isStream() ? ChannelData.streamFrameLength(length)
                        : ChannelData.HEADER_LENGTH + length;
                out = ctx.alloc().directBuffer(frame);
                ChannelData.writeHeader(out, channel, length);
                out.writeBytes(payload, payload.readerIndex(), length);
                if (out.writerIndex() < frame) {
                    out.writeZero(frame - out.writerIndex());
                }
            } else {
                out = ctx.alloc().directBuffer(length + 48);
                nextIndicationId();
                try {
                    StunEncoder.encodeDataIndication(indicationId, peer, payload, out);
                } catch (RuntimeException e) {
                    // e.g. a datagram too large for a DATA attribute: counted, not relayed, buffer returned.
                    out.release();
                    metrics.dropped(DropReason.ENCODE_FAILED);
                    LOG.debug("Data indication from {} not encoded: {}", peer, e.toString());
                    return;
                }
            }
            link.write(out);
            metrics.relayed(false, length);
            wrote = true;
        } finally {
            packet.release();
        }
    }

    private void nextIndicationId() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long high = random.nextLong();
        int low = random.nextInt();
        for (int k = 0; k < 8; k++) {
            indicationId[k] = (byte) (high >>> (56 - 8 * k));
        }
        for (int k = 0; k < 4; k++) {
            indicationId[8 + k] = (byte) (low >>> (24 - 8 * k));
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (wrote) {
            wrote = false;
            session.link().flushRelayed();
        }
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
