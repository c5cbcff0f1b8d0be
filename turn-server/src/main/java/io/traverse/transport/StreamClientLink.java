package io.traverse.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.traverse.turn.FiveTuple;

/** A TCP or TLS client connection. */
final class StreamClientLink implements ClientLink {
    private final Channel channel;
    private final FiveTuple fiveTuple;

    StreamClientLink(Channel channel, FiveTuple fiveTuple) {
        this.channel = channel;
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
        channel.write(buf, channel.voidPromise());
    }

    @Override
    public boolean isStream() {
        return true;
    }
}
