package io.traverse.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.traverse.turn.FiveTuple;

/**
 * The client side of a 5-tuple: where responses, Data indications and ChannelData to this client go.
 * All methods are called on {@link #eventLoop()}.
 */
public interface ClientLink {
    FiveTuple fiveTuple();

    /** The loop that owns the client's channel; allocations of this client live here. */
    default EventLoop eventLoop() {
        return channel().eventLoop();
    }

    /** The channel that carries this client's packets (the shared UDP listener socket or the TCP connection). */
    Channel channel();

    /** Writes {@code buf} (ownership passes) to the client without flushing. */
    void write(ByteBuf buf);

    /**
     * Writes a relayed frame (ownership passes) to the client; it leaves with {@link #flushRelayed()}. The same as
     * {@link #write} by default; a UDP listener queues it outside its channel ({@link RoundFlush}).
     */
    default void writeRelayed(ByteBuf buf) {
        write(buf);
    }

    /**
     * Flushes what the relay wrote to this client at the end of a relay socket's read batch: at once by default; a
     * UDP listener shared by many clients defers it to the end of its event loop's round ({@link RoundFlush}).
     */
    default void flushRelayed() {
        channel().flush();
    }

    /**
     * Whether the client's 5-tuple still exists: its connection (TCP/TLS) or DTLS association is up. A UDP client
     * has no connection and is always open.
     */
    default boolean isOpen() {
        return channel().isActive();
    }

    /** Whether this is a stream (TCP/TLS): ChannelData is then padded to 4 bytes (RFC 8656 §12.5). */
    boolean isStream();
}
