package io.traverse.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.traverse.turn.FiveTuple;
import java.io.IOException;

/**
 * A DTLS client: what the TURN core writes (responses, Data indications, ChannelData) is encrypted as one DTLS
 * application-data record per message and sent from the shared listener channel. Called on the listener's event
 * loop only, like every {@link ClientLink}.
 */
final class DtlsClientLink implements ClientLink {
    private final DtlsServerHandler handler;
    private final DtlsSession session;

    DtlsClientLink(DtlsServerHandler handler, DtlsSession session) {
        this.handler = handler;
        this.session = session;
    }

    @Override
    public FiveTuple fiveTuple() {
        return session.fiveTuple;
    }

    @Override
    public Channel channel() {
        return handler.channel();
    }

    /** Encrypts and writes {@code buf} (released here); dropped when the association is not (or no longer) up. */
    @Override
    public void write(ByteBuf buf) {
        try {
            int length = buf.readableBytes();
            if (session.state != DtlsSession.State.ESTABLISHED || length == 0) {
                return;
            }
            byte[] array;
            int offset;
            if (buf.hasArray()) {
                array = buf.array();
                offset = buf.arrayOffset() + buf.readerIndex();
            } else {
                array = handler.scratch(length);
                buf.getBytes(buf.readerIndex(), array, 0, length);
                offset = 0;
            }
            // Bouncy Castle copies while encrypting, so the scratch array is free again on return.
            session.dtls.send(array, offset, length);
        } catch (IOException | RuntimeException e) {
            handler.closeLater(session, "send failed: " + e);
        } finally {
            buf.release();
        }
    }

    /** The association, not the shared listener socket, is this client's 5-tuple. */
    @Override
    public boolean isOpen() {
        return session.state == DtlsSession.State.ESTABLISHED && handler.channel().isActive();
    }

    @Override
    public boolean isStream() {
        return false;
    }
}
