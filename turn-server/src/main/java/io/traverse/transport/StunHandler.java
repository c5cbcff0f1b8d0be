package io.traverse.transport;

import io.netty.buffer.ByteBuf;

/** What listeners hand STUN messages to (implemented by the server's dispatcher). */
public interface StunHandler {
    /** One STUN message from {@code link}'s client; the buffer is not released by the callee. */
    void onStun(ByteBuf packet, ClientLink link);

    /** A stream client's connection closed. */
    void onClientClosed(ClientLink link);
}
