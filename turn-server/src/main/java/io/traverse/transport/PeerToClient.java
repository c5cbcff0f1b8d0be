package io.traverse.transport;

import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.FastThreadLocal;
import io.traverse.metrics.TraverseMetrics;
import io.traverse.metrics.TraverseMetrics.DropReason;
import io.traverse.stun.TransactionId;
import io.traverse.stun.codec.ChannelData;
import io.traverse.stun.codec.StunEncoder;
import io.traverse.turn.Allocation;
import io.traverse.turn.TurnClock;
import java.net.InetSocketAddress;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Peer → client for one relay socket (RFC 8656 §11.5 / §10.3): a datagram from a peer with a permission goes to the
 * client as ChannelData when a channel is bound to the peer, otherwise as a Data indication. The client is flushed
 * once per read batch ({@link #endOfBatch()}). Runs on the allocation's loop; one per relay socket.
 *
 * <p>A datagram read with {@link ChannelData#HEADER_LENGTH} bytes of room before it (what {@link EpollRelaySocket}
 * reads into) becomes ChannelData in place: the header goes in front, nothing is copied.
 */
final class PeerToClient {
    private static final Logger LOG = LoggerFactory.getLogger(PeerToClient.class);
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
    private static final FastThreadLocal<byte[]> INDICATION_ID = new FastThreadLocal<>() {
        @Override
        protected byte[] initialValue() {
            return new byte[TransactionId.LENGTH];
        }
    };

    PeerToClient(RelaySession session, TurnClock clock, TraverseMetrics metrics) {
        this.session = session;
        this.clock = clock;
        this.metrics = metrics;
    }

    TraverseMetrics metrics() {
        return metrics;
    }

    /** Relays the readable bytes of {@code datagram}, from {@code peer}, to the client; {@code datagram} is released. */
    void relay(ByteBuf datagram, InetSocketAddress peer) {
        if (!relay0(datagram, peer)) {
            datagram.release();
        }
    }

    /** @return whether {@code datagram} went to the client itself (then it is not released here) */
    private boolean relay0(ByteBuf datagram, InetSocketAddress peer) {
        Allocation allocation = session.allocation();
        long now = clock.nanos();
        if (allocation == null || allocation.isExpired(now)) {
            metrics.dropped(DropReason.NO_ALLOCATION);
            return false;
        }
        if (!allocation.hasPermission(peer.getAddress(), now)) {
            // RFC 8656 §10.3: no permission for the peer's IP → silently discarded.
            metrics.dropped(DropReason.NO_PERMISSION);
            return false;
        }
        ClientLink link = session.link();
        if (!link.channel().isWritable()) {
            // The client does not read what it is sent (above the high water mark): drop, do not queue.
            metrics.dropped(DropReason.CLIENT_BACKLOG);
            return false;
        }
        int length = datagram.readableBytes();
        if (!allocation.traffic().admitToClient(length, now)) {
            metrics.dropped(DropReason.BANDWIDTH);
            return false;
        }
        int channel = allocation.channelForPeer(peer, now);
        boolean inPlace = false;
        ByteBuf out;
        if (channel >= 0) {
            int frame = link.isStream() ? ChannelData.streamFrameLength(length) : ChannelData.HEADER_LENGTH + length;
            int start = datagram.readerIndex() - ChannelData.HEADER_LENGTH;
            if (start >= 0 && datagram.writerIndex() + frame - ChannelData.HEADER_LENGTH - length
                    <= datagram.capacity()) {
                // Header room in front and padding room behind: the datagram becomes the frame.
                int end = datagram.writerIndex();
                datagram.setIndex(start, start);
                ChannelData.writeHeader(datagram, channel, length);
                datagram.writerIndex(end);
                out = datagram;
                inPlace = true;
            } else {
                out = link.channel().alloc().directBuffer(frame);
                ChannelData.writeHeader(out, channel, length);
                out.writeBytes(datagram, datagram.readerIndex(), length);
            }
            if (out.writerIndex() - out.readerIndex() < frame) {
                out.writeZero(frame - (out.writerIndex() - out.readerIndex()));
            }
        } else {
            out = link.channel().alloc().directBuffer(length + 48);
            try {
                StunEncoder.encodeDataIndication(nextIndicationId(), peer, datagram, out);
            } catch (RuntimeException e) {
                // e.g. a datagram too large for a DATA attribute: counted, not relayed, buffer returned.
                out.release();
                metrics.dropped(DropReason.ENCODE_FAILED);
                LOG.debug("Data indication from {} not encoded: {}", peer, e.toString());
                return false;
            }
        }
        if (!inPlace) {
            datagram.release();
        }
        link.writeRelayed(out);
        metrics.relayed(false, length);
        wrote = true;
        return true;
    }

    /** A fresh random transaction ID in the loop's scratch array (the encoder copies it into the frame). */
    private static byte[] nextIndicationId() {
        byte[] indicationId = INDICATION_ID.get();
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long high = random.nextLong();
        int low = random.nextInt();
        for (int k = 0; k < 8; k++) {
            indicationId[k] = (byte) (high >>> (56 - 8 * k));
        }
        for (int k = 0; k < 4; k++) {
            indicationId[8 + k] = (byte) (low >>> (24 - 8 * k));
        }
        return indicationId;
    }

    /** The end of a read batch: the client is flushed when anything was written to it. */
    void endOfBatch() {
        if (wrote) {
            wrote = false;
            session.link().flushRelayed();
        }
    }
}
