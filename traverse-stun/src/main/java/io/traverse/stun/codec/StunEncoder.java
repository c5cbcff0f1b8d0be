package io.traverse.stun.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.traverse.stun.AttributeType;
import io.traverse.stun.MessageType;
import io.traverse.stun.Method;
import io.traverse.stun.StunAttribute;
import io.traverse.stun.StunMessage;
import io.traverse.stun.TransactionId;
import io.traverse.stun.attr.AddressAttribute;
import java.net.InetSocketAddress;
import java.util.Objects;
import javax.crypto.Mac;

/**
 * Encodes a {@link StunMessage} (RFC 8489 §5, §6, §14): header, attributes in order, each padded with
 * zero bytes to a multiple of 4, then optionally MESSAGE-INTEGRITY or MESSAGE-INTEGRITY-SHA256 and
 * FINGERPRINT.
 *
 * <p><b>MESSAGE-INTEGRITY, MESSAGE-INTEGRITY-SHA256 and FINGERPRINT are computed here, never taken from
 * the model:</b> any attribute of those three types in the message (typed or unknown) is skipped, and the
 * {@link Integrity} and {@code fingerprint} arguments decide what is appended (RFC 8489 §14.5–§14.7:
 * integrity last but for FINGERPRINT, FINGERPRINT last). So a decoded message re-encodes with fresh
 * values.
 */
public final class StunEncoder {
    private static final int MI = AttributeType.MESSAGE_INTEGRITY.code();
    private static final int MI256 = AttributeType.MESSAGE_INTEGRITY_SHA256.code();
    private static final int FP = AttributeType.FINGERPRINT.code();
    private static final int DATA_INDICATION = MessageType.indication(Method.DATA).toWire();

    private StunEncoder() {
    }

    /** The message without integrity or fingerprint. */
    public static byte[] encode(StunMessage m) {
        return encode(m, Integrity.none(), false);
    }

    /** The message with the requested integrity attribute and, if asked, FINGERPRINT. */
    public static byte[] encode(StunMessage m, Integrity integrity, boolean fingerprint) {
        ByteBuf buf = Unpooled.buffer(256);
        try {
            encode(m, integrity, fingerprint, buf);
            return ByteBufUtil.getBytes(buf);
        } finally {
            buf.release();
        }
    }

    /**
     * Appends the message at {@code out}'s writer index.
     *
     * @throws IllegalArgumentException if the message exceeds the 16-bit length field or holds an attribute
     *     class the codec does not know; {@code out}'s writer index is then restored
     */
    public static void encode(StunMessage m, Integrity integrity, boolean fingerprint, ByteBuf out) {
        Objects.requireNonNull(m, "m");
        Objects.requireNonNull(integrity, "integrity");
        Objects.requireNonNull(out, "out");
        int start = out.writerIndex();
        try {
            encode0(m, integrity, fingerprint, out, start);
        } catch (RuntimeException e) {
            out.writerIndex(start);
            throw e;
        }
    }

    /**
     * Appends a Data indication (RFC 8656 §11) carrying XOR-PEER-ADDRESS and DATA, copying the payload
     * straight from {@code payload}'s readable bytes (its indices are not changed) without building a
     * {@link StunMessage}: for relaying peer data to a client that has no channel bound. Same bytes as
     * encoding the equivalent message.
     *
     * @throws IllegalArgumentException if the payload does not fit a STUN message or the address is
     *     unresolved; {@code out}'s writer index is then unchanged
     */
    public static void encodeDataIndication(TransactionId tid, InetSocketAddress peer, ByteBuf payload, ByteBuf out) {
        encodeDataIndication(tid.toBytes(), peer, payload, out);
    }

    /**
     * {@link #encodeDataIndication(TransactionId, InetSocketAddress, ByteBuf, ByteBuf)} with the transaction ID
     * as 12 bytes that the caller may reuse: the relay fills one array per socket for each indication instead
     * of building a {@link TransactionId} per packet.
     */
    public static void encodeDataIndication(byte[] tid, InetSocketAddress peer, ByteBuf payload, ByteBuf out) {
        if (tid.length != TransactionId.LENGTH) {
            throw new IllegalArgumentException("a transaction ID has 12 bytes, got " + tid.length);
        }
        int length = payload.readableBytes();
        AddressAttribute.require(peer);
        if (length > io.traverse.stun.attr.Data.MAX_LENGTH - 24) {
            throw new IllegalArgumentException("payload of " + length + " bytes does not fit a Data indication");
        }
        int addressLength = peer.getAddress() instanceof java.net.Inet4Address ? 8 : 20;
        out.writeShort(DATA_INDICATION);
        out.writeShort(4 + addressLength + 4 + StunWire.pad4(length));
        out.writeInt(StunWire.MAGIC_COOKIE);
        out.writeBytes(tid);
        out.writeShort(AttributeType.XOR_PEER_ADDRESS.code());
        out.writeShort(addressLength);
        Values.writeXorAddress(peer, out, tid);
        out.writeShort(AttributeType.DATA.code());
        out.writeShort(length);
        out.writeBytes(payload, payload.readerIndex(), length);
        out.writeZero(StunWire.pad4(length) - length);
    }

    private static void encode0(StunMessage m, Integrity integrity, boolean fingerprint, ByteBuf out, int start) {
        TransactionId tid = m.transactionId();
        out.writeShort(m.type().toWire());
        out.writeShort(0);
        out.writeInt(StunWire.MAGIC_COOKIE);
        for (int k = 0; k < TransactionId.LENGTH; k++) {
            out.writeByte(tid.byteAt(k));
        }
        for (StunAttribute a : m.attributes()) {
            int type = a.type().code();
            if (type == MI || type == MI256 || type == FP) {
                continue;
            }
            writeAttribute(a, out, tid, start);
        }
        int trailer = (integrity.kind() == Integrity.Kind.NONE ? 0 : 4 + integrity.macLength())
                + (fingerprint ? FingerprintCrc.ATTRIBUTE_LENGTH : 0);
        requireFits(out.writerIndex() - start - StunWire.HEADER_LENGTH + trailer);

        if (integrity.kind() != Integrity.Kind.NONE) {
            int macLength = integrity.macLength();
            int body = out.writerIndex() - start - StunWire.HEADER_LENGTH;
            out.setShort(start + 2, body + 4 + macLength);
            Mac mac = integrity.kind() == Integrity.Kind.SHA1 ? Hmac.sha1(integrity.key()) : Hmac.sha256(integrity.key());
            mac.update(out.nioBuffer(start, out.writerIndex() - start));
            byte[] value = mac.doFinal();
            out.writeShort(integrity.kind() == Integrity.Kind.SHA1 ? MI : MI256);
            out.writeShort(macLength);
            out.writeBytes(value, 0, macLength);
        }
        if (fingerprint) {
            int body = out.writerIndex() - start - StunWire.HEADER_LENGTH;
            out.setShort(start + 2, body + FingerprintCrc.ATTRIBUTE_LENGTH);
            int crc = FingerprintCrc.compute(out, start, out.writerIndex() - start);
            out.writeShort(FP);
            out.writeShort(4);
            out.writeInt(crc);
        }
        out.setShort(start + 2, out.writerIndex() - start - StunWire.HEADER_LENGTH);
    }

    private static void writeAttribute(StunAttribute a, ByteBuf out, TransactionId tid, int start) {
        int header = out.writerIndex();
        out.writeShort(a.type().code());
        out.writeShort(0);
        AttributeCodecs.encodeValue(a, out, tid);
        int valueLength = out.writerIndex() - header - StunWire.ATTRIBUTE_HEADER_LENGTH;
        if (valueLength > 0xFFFF) {
            throw new IllegalArgumentException(a.type() + " value of " + valueLength + " bytes exceeds 65535");
        }
        out.setShort(header + 2, valueLength);
        out.writeZero(StunWire.pad4(valueLength) - valueLength);
        requireFits(out.writerIndex() - start - StunWire.HEADER_LENGTH);
    }

    private static void requireFits(int bodyLength) {
        if (bodyLength > StunWire.MAX_BODY_LENGTH) {
            throw new IllegalArgumentException("message body of " + bodyLength + " bytes exceeds "
                    + StunWire.MAX_BODY_LENGTH);
        }
    }
}
