package io.traverse.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;

/**
 * A relay socket that is a Netty channel: UDP on the NIO transport (and in tests, an embedded channel), or the
 * listening socket of an RFC 6062 TCP allocation (which sends nothing itself).
 */
final class ChannelRelayEndpoint implements RelayEndpoint {
    private final Channel channel;
    private final int port;
    private boolean dirty;

    ChannelRelayEndpoint(Channel channel, int port) {
        this.channel = channel;
        this.port = port;
    }

    Channel channel() {
        return channel;
    }

    @Override
    public int port() {
        return port;
    }

    @Override
    public boolean isOpen() {
        return channel.isActive();
    }

    @Override
    public void claim(RelaySession session, PeerToClient target, boolean dontFragment) {
        // Every datagram channel a relay socket is claimed from was opened with the drop-everything handler.
        channel.pipeline().replace(PreboundRelaySockets.Unclaimed.class, "relay", new RelayPeerHandler(target));
    }

    @Override
    public boolean send(ByteBuf data, int index, int length, InetSocketAddress peer) {
        channel.write(new DatagramPacket(data.retainedSlice(index, length), peer), channel.voidPromise());
        boolean first = !dirty;
        dirty = true;
        return first;
    }

    @Override
    public void flush() {
        dirty = false;
        channel.flush();
    }

    @Override
    public void close() {
        channel.close();
    }

    @Override
    public String toString() {
        return "relay socket " + channel.localAddress();
    }
}
