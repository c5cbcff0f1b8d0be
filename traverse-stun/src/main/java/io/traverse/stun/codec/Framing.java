package io.traverse.stun.codec;

import io.netty.buffer.ByteBuf;

/**
 * Tells what a packet or stream starts with, by its first bytes and without consuming anything
 * (RFC 7983 §7 demultiplexing, RFC 8656 §12.5 framing).
 *
 * <p>First byte: 0–3 STUN (then the magic cookie is checked when 8 bytes are readable), 20–63 DTLS,
 * 64–127 ChannelData (RFC 7983 assigns 64–79; 80–127 are the rest of RFC 5766's channel range, still used by
 * some clients); everything else (ZRTP 16–19, RTP/RTCP 128–191, ...) is unknown here. On streams
 * (TCP/TLS listeners) {@link #detectStream} instead recognises a TLS handshake record (22, then 3 as the
 * major version when available).
 */
public final class Framing {
    /** {@link #streamFrameLength} result: fewer than 4 bytes readable, wait for more. */
    public static final int NEED_MORE = -1;
    /** {@link #streamFrameLength} result: neither STUN nor ChannelData; the caller should close. */
    public static final int INVALID = -2;

    /** What the bytes are. */
    public enum Kind {
        /** A STUN message (first byte 0–3, magic cookie when visible). */
        STUN,
        /** A TURN ChannelData message (first byte 64–127). */
        CHANNEL_DATA,
        /** A TLS record starting a handshake (streams only). */
        TLS,
        /** A DTLS record (first byte 20–63, datagrams only). */
        DTLS,
        /** Anything else, or nothing readable. */
        UNKNOWN
    }

    private Framing() {
    }

    /** Classifies a datagram by RFC 7983. */
    public static Kind detect(ByteBuf buf) {
        if (!buf.isReadable()) {
            return Kind.UNKNOWN;
        }
        int first = buf.getUnsignedByte(buf.readerIndex());
        if (first <= 3) {
            return looksLikeStun(buf) ? Kind.STUN : Kind.UNKNOWN;
        }
        if (first >= 20 && first <= 63) {
            return Kind.DTLS;
        }
        if (first >= 64 && first <= 127) {
            return Kind.CHANNEL_DATA;
        }
        return Kind.UNKNOWN;
    }

    /**
     * Classifies the start of a TCP/TLS stream: STUN and ChannelData as for datagrams, TLS when the first
     * byte is 22 (handshake record) and the second, if readable, is 3 (TLS major version).
     */
    public static Kind detectStream(ByteBuf buf) {
        if (!buf.isReadable()) {
            return Kind.UNKNOWN;
        }
        int r = buf.readerIndex();
        int first = buf.getUnsignedByte(r);
        if (first <= 3) {
            return looksLikeStun(buf) ? Kind.STUN : Kind.UNKNOWN;
        }
        if (first >= 64 && first <= 127) {
            return Kind.CHANNEL_DATA;
        }
        if (first == 22 && (buf.readableBytes() < 2 || buf.getUnsignedByte(r + 1) == 3)) {
            return Kind.TLS;
        }
        return Kind.UNKNOWN;
    }

    /**
     * On a TCP/TLS stream, the number of bytes of the next complete frame: 20 + length for STUN,
     * 4 + length padded to 4 for ChannelData (RFC 8656 §12.5). {@link #NEED_MORE} when fewer than 4 bytes
     * are readable; {@link #INVALID} when the bytes are neither (or a STUN magic cookie is visible and
     * wrong). The frame may be longer than what is readable yet.
     */
    public static int streamFrameLength(ByteBuf buf) {
        if (buf.readableBytes() < 4) {
            return NEED_MORE;
        }
        int r = buf.readerIndex();
        int first = buf.getUnsignedByte(r);
        int length = buf.getUnsignedShort(r + 2);
        if (first <= 3) {
            return looksLikeStun(buf) ? StunWire.HEADER_LENGTH + length : INVALID;
        }
        if (first >= 64 && first <= 127) {
            return ChannelData.streamFrameLength(length);
        }
        return INVALID;
    }

    private static boolean looksLikeStun(ByteBuf buf) {
        return buf.readableBytes() < 8 || buf.getInt(buf.readerIndex() + 4) == StunWire.MAGIC_COOKIE;
    }
}
