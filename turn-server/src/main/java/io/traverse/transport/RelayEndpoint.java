package io.traverse.transport;

import io.netty.buffer.ByteBuf;
import java.net.InetSocketAddress;

/**
 * One relay socket of an allocation (RFC 8656 §2: the relayed transport address): where its peers send and where
 * what its client sends them leaves. Sends queue until {@link #flush()}, which the relay calls once at the end of a
 * read batch, so a batch of the client's datagrams costs one wake-up of the kernel's send path per socket at most.
 *
 * <p>Two kinds: on epoll, an {@link EpollRelaySocket} registered directly with the event loop (no Netty channel or
 * pipeline per allocation); on NIO, a {@link ChannelRelayEndpoint} around a Netty datagram channel. Used on the
 * allocation's event loop only.
 */
public interface RelayEndpoint {
    /** The local port (the relayed transport address's port). */
    int port();

    /** Whether the socket is open (not closed, and for a channel: still active). */
    boolean isOpen();

    /**
     * The socket now belongs to {@code session}: what its peers send goes to the session's client. Until then (a
     * pre-bound socket) it reads and drops everything.
     *
     * @param dontFragment set DF on what leaves (RFC 8656 §14.8 DONT-FRAGMENT), where the transport can
     */
    void claim(RelaySession session, PeerToClient target, boolean dontFragment);

    /**
     * Queues {@code length} bytes of {@code data} from {@code index} for {@code peer}; they leave at the next
     * {@link #flush()}. {@code data} is not released here (a reference is taken while it waits).
     *
     * @return true when this is the first datagram queued since the last flush (the caller must flush this socket)
     */
    boolean send(ByteBuf data, int index, int length, InetSocketAddress peer);

    /** Sends what is queued. */
    void flush();

    /** Closes the socket (idempotent); queued datagrams are dropped. */
    void close();
}
