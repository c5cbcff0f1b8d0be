package io.traverse.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.traverse.stun.codec.Framing;
import java.util.List;

/**
 * Splits a TCP/TLS byte stream into whole STUN messages and ChannelData frames (RFC 8656 §12.5: on streams
 * ChannelData is padded to a multiple of 4 bytes). Handles partial reads and several frames per segment. Bytes
 * that are neither STUN nor ChannelData close the connection: a stream cannot be resynchronised.
 */
final class StreamFrameDecoder extends ByteToMessageDecoder {
    private final Runnable onGarbage;

    StreamFrameDecoder(Runnable onGarbage) {
        this.onGarbage = onGarbage;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        while (in.isReadable()) {
            int length = Framing.streamFrameLength(in);
            if (length == -1 || (length > 0 && in.readableBytes() < length)) {
                return; // wait for more bytes
            }
            if (length <= 0) {
                onGarbage.run();
                in.skipBytes(in.readableBytes());
                ctx.close();
                return;
            }
            out.add(in.readRetainedSlice(length));
        }
    }
}
