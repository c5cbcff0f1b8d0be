package io.traverse.stun.codec;

import io.netty.buffer.ByteBuf;

/**
 * ChannelData messages (RFC 8656 §12.4): a 2-byte channel number (0x4000..0x4FFF per RFC 8656; 0x4000..0x7FFF accepted, the RFC 5766 range that
 * coturn's turnutils_uclient and other RFC 5766-era clients still use, as coturn itself does), a 2-byte length of
 * the application data, then the data. Over UDP the datagram may or may not carry padding after the
 * data; over TCP/TLS the frame is padded to a multiple of 4 (§12.5).
 *
 * <p>Static helpers for the relay hot path: none allocates, none changes reader or writer index except
 * {@link #writeHeader}, which appends 4 bytes.
 */
public final class ChannelData {
    /** Length of the ChannelData header. */
    public static final int HEADER_LENGTH = 4;
    /** Smallest channel number, RFC 8656 §12. */
    public static final int MIN_CHANNEL = 0x4000;
    /** Largest channel number of RFC 8656 §12 (0x5000-0xFFFF are reserved there). */
    public static final int MAX_RFC8656_CHANNEL = 0x4FFF;
    /** Largest channel number of RFC 5766's range, accepted by servers only for such clients. */
    public static final int MAX_CHANNEL = 0x7FFF;

    private ChannelData() {
    }

    /** True for 0x4000..0x7FFF (see the class comment on the RFC 5766 range). */
    public static boolean isChannelNumber(int channel) {
        return channel >= MIN_CHANNEL && channel <= MAX_CHANNEL;
    }

    /** The 16-bit channel field at the reader index, or -1 if fewer than 2 bytes are readable. */
    public static int channelNumber(ByteBuf buf) {
        return buf.readableBytes() < 2 ? -1 : buf.getUnsignedShort(buf.readerIndex());
    }

    /** The 16-bit length field (data length, without padding), or -1 if fewer than 4 bytes are readable. */
    public static int dataLength(ByteBuf buf) {
        return buf.readableBytes() < HEADER_LENGTH ? -1 : buf.getUnsignedShort(buf.readerIndex() + 2);
    }

    /**
     * True when the readable bytes are a valid ChannelData datagram: a header whose channel number is in
     * range and whose length does not exceed the bytes after it (trailing padding, or none, is allowed,
     * RFC 8656 §12.4). The payload is the {@link #dataLength} bytes after the header.
     */
    public static boolean isValid(ByteBuf datagram) {
        int readable = datagram.readableBytes();
        if (readable < HEADER_LENGTH) {
            return false;
        }
        int r = datagram.readerIndex();
        return isChannelNumber(datagram.getUnsignedShort(r)) && datagram.getUnsignedShort(r + 2) <= readable - HEADER_LENGTH;
    }

    /**
     * Appends a ChannelData header.
     *
     * @throws IllegalArgumentException if the channel is out of range or the length is not 0..65535
     */
    public static void writeHeader(ByteBuf out, int channel, int length) {
        if (!isChannelNumber(channel)) {
            throw new IllegalArgumentException("channel number out of range");
        }
        if (length < 0 || length > 0xFFFF) {
            throw new IllegalArgumentException("ChannelData length out of range");
        }
        out.writeShort(channel);
        out.writeShort(length);
    }

    /** Bytes a ChannelData frame with this data length occupies on a stream: 4 + length padded to 4 (§12.5). */
    public static int streamFrameLength(int dataLength) {
        return HEADER_LENGTH + StunWire.pad4(dataLength);
    }
}
