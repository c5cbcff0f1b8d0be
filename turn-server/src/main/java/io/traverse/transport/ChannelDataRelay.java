package io.traverse.transport;

import io.netty.buffer.ByteBuf;
import io.traverse.metrics.TraverseMetrics;
import io.traverse.metrics.TraverseMetrics.DropReason;
import io.traverse.stun.codec.ChannelData;
import io.traverse.turn.Allocation;
import io.traverse.turn.AllocationRegistry;
import io.traverse.turn.TransportProtocol;
import io.traverse.turn.TurnClock;
import java.net.InetSocketAddress;
import java.util.ArrayList;

/**
 * Client → peer on the hot path (RFC 8656 §12.4): a ChannelData frame from a client is looked up by 5-tuple and
 * channel number and its payload (no copy) goes out of the allocation's relay socket. No message object
 * is built. Relay sockets written to are flushed once at the end of the read batch ({@link #flush()}). One
 * instance per listener channel or connection: not thread-safe, used on its loop only.
 */
final class ChannelDataRelay {
    private final AllocationRegistry registry;
    private final TurnClock clock;
    private final TraverseMetrics metrics;
    private final ArrayList<RelayEndpoint> dirty = new ArrayList<>(4);

    /** Highest channel number accepted: 0x4FFF (RFC 8656 §12), 0x7FFF with relay.legacy-channel-numbers. */
    private final int maxChannel;

    ChannelDataRelay(AllocationRegistry registry, TurnClock clock, TraverseMetrics metrics,
            boolean legacyChannelNumbers) {
        this.maxChannel = legacyChannelNumbers ? ChannelData.MAX_CHANNEL : ChannelData.MAX_RFC8656_CHANNEL;
        this.registry = registry;
        this.clock = clock;
        this.metrics = metrics;
    }

    /** Relays one ChannelData frame; {@code frame} is not released here. */
    void relay(ByteBuf frame, TransportProtocol protocol, InetSocketAddress client, InetSocketAddress server) {
        if (!ChannelData.isValid(frame) || ChannelData.channelNumber(frame) > maxChannel) {
            // RFC 8656 §12: 0x5000-0xFFFF are reserved (RFC 7983 demultiplexing) unless RFC 5766 numbers are on.
            metrics.dropped(DropReason.MALFORMED);
            return;
        }
        Allocation allocation = registry.find(protocol, client, server);
        if (allocation == null) {
            metrics.dropped(DropReason.NO_ALLOCATION);
            return;
        }
        long now = clock.nanos();
        int number = ChannelData.channelNumber(frame);
        // relayTargetForChannel also requires a live permission for the peer (RFC 8656 §12.4).
        InetSocketAddress peer = allocation.relayTargetForChannel(number, now);
        if (peer == null) {
            metrics.dropped(DropReason.UNKNOWN_CHANNEL);
            return;
        }
        // The transport's own handle: every allocation registered by the server carries a RelaySession.
        RelayEndpoint relay = allocation.relayHandle() instanceof RelaySession session ? session.relayFor(peer.getAddress())
                : null;
        if (relay == null) {
            metrics.dropped(DropReason.NO_ALLOCATION);
            return;
        }
        int length = ChannelData.dataLength(frame);
        if (!allocation.traffic().admitToPeer(length, now)) {
            metrics.dropped(DropReason.BANDWIDTH);
            return;
        }
        if (relay.send(frame, frame.readerIndex() + ChannelData.HEADER_LENGTH, length, peer)) {
            dirty.add(relay);
        }
        metrics.relayed(true, length);
    }

    /** Flushes every relay socket written since the last call. */
    void flush() {
        for (int i = 0, n = dirty.size(); i < n; i++) {
            dirty.get(i).flush();
        }
        dirty.clear();
    }
}
