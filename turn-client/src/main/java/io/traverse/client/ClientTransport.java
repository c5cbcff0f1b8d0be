package io.traverse.client;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;

/** One connection of a {@link TurnClient} to its server: whole STUN messages and ChannelData frames in, out. */
interface ClientTransport extends Closeable {
    /** Sends one STUN message or ChannelData frame (already padded where the transport needs it). */
    void send(byte[] frame) throws IOException;

    /**
     * The next datagram or frame, or null when none arrives within {@code timeoutMillis} (at least 1).
     *
     * @throws TurnProtocolException if a stream carries something that is neither STUN nor ChannelData
     */
    byte[] receive(long timeoutMillis) throws IOException, TurnProtocolException;

    /** True for TCP/TLS: no retransmissions, ChannelData padded to 4 bytes (RFC 8656 §12.5). */
    boolean reliable();

    InetSocketAddress localAddress();

    InetSocketAddress remoteAddress();
}
