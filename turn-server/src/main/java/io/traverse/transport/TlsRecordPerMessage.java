package io.traverse.transport;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.ssl.SslHandler;

/**
 * Each message written to a TLS client (a STUN message or a ChannelData frame) becomes a TLS record of its own,
 * while the socket is still written once per batch.
 *
 * <p>Why: {@link SslHandler} coalesces everything written between two flushes into one record (up to 16 KiB). The
 * peer → client path writes a whole read batch (up to 8 datagrams) and flushes once, so under load several
 * messages shared a record. TLS is a byte stream and RFC 8656 allows that, but coturn's turnutils_uclient reads
 * one {@code SSL_read} (one record) as one message and silently lost the others: the intermittent loss of
 * {@code TlsUclientInteropTest} on a busy machine, where the peer's echoes queue up and are read together. coturn
 * itself writes one record per message, and clients built the same way exist in the field.
 *
 * <p>How: {@link #messages} (after the {@link SslHandler}, seen first by writes) flushes the SslHandler after each
 * write so it wraps that message alone; {@link #socket} (before it) swallows the socket flush that wrap triggers.
 * A flush that the code above asks for passes through unchanged, so bytes reach the socket exactly when they did
 * before. All on the channel's loop.
 */
final class TlsRecordPerMessage {
    private boolean wrapping;

    private final ChannelHandler messages = new ChannelOutboundHandlerAdapter() {
        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            wrapping = true;
            try {
                ctx.write(msg, promise);
                ctx.flush();
            } finally {
                wrapping = false;
            }
        }
    };

    private final ChannelHandler socket = new ChannelOutboundHandlerAdapter() {
        @Override
        public void flush(ChannelHandlerContext ctx) {
            if (!wrapping) {
                ctx.flush();
            }
        }
    };

    /** Installs both halves around the {@link SslHandler} named {@code tlsName}. */
    static void install(ChannelPipeline pipeline, String tlsName) {
        TlsRecordPerMessage records = new TlsRecordPerMessage();
        pipeline.addBefore(tlsName, "tls-socket-flush", records.socket);
        pipeline.addAfter(tlsName, "tls-records", records.messages);
    }
}
