package io.traverse.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.socket.DatagramPacket;
import io.traverse.turn.FiveTuple;

/** A UDP client: the listener's channel plus the client's address. */
final class UdpClientLink implements ClientLink {
    private final Channel channel;
    private final RoundFlush roundFlush;
    private final FiveTuple fiveTuple;

    /** The client's address is {@code fiveTuple}'s. */
    UdpClientLink(Channel channel, RoundFlush roundFlush, FiveTuple fiveTuple) {
        this.channel = channel;
        this.roundFlush = roundFlush;
        this.fiveTuple = fiveTuple;
    }

    @Override
    public FiveTuple fiveTuple() {
        return fiveTuple;
    }

    @Override
    public Channel channel() {
        return channel;
    }

    @Override
    public void write(ByteBuf buf) {
        channel.write(new DatagramPacket(buf, fiveTuple.client()), channel.voidPromise());
    }

    /** Queued in the listener's round: it leaves with the other clients' datagrams in one system call. */
    @Override
    public void writeRelayed(ByteBuf buf) {
        roundFlush.write(buf, fiveTuple.client());
    }

    /** The listener socket is flushed after the loop's round, so datagrams for many clients leave together. */
    @Override
    public void flushRelayed() {
        roundFlush.request();
    }

    @Override
    public boolean isStream() {
        return false;
    }
}
