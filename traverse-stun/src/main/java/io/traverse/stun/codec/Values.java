package io.traverse.stun.codec;

import io.netty.buffer.ByteBuf;
import io.traverse.stun.AttributeType;
import io.traverse.stun.TransactionId;
import io.traverse.stun.attr.AddressAttribute;
import io.traverse.stun.attr.TextLimits;
import io.traverse.stun.codec.StunParseException.Reason;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** Reading and writing the value shapes several attributes share: addresses, text, error codes. */
final class Values {
    private Values() {
    }

    static StunParseException error(Reason reason, AttributeType type, String detail) {
        return new StunParseException(reason, type.name() + ": " + detail);
    }

    static void requireLength(AttributeType type, int length, int expected) throws StunParseException {
        if (length != expected) {
            throw error(Reason.BAD_ATTRIBUTE_LENGTH, type, "length " + length + ", expected " + expected);
        }
    }

    static void requireMinLength(AttributeType type, int length, int min) throws StunParseException {
        if (length < min) {
            throw error(Reason.BAD_ATTRIBUTE_LENGTH, type, "length " + length + ", expected at least " + min);
        }
    }

    // ---- addresses, RFC 8489 §14.1 and §14.2 ----

    /** Decodes MAPPED-ADDRESS-style values; XOR-ed per §14.2 when {@code xor}. */
    static InetSocketAddress readAddress(AttributeType type, ByteBuf b, int i, int len, TransactionId tid, boolean xor)
            throws StunParseException {
        requireMinLength(type, len, 4);
        int family = b.getUnsignedByte(i + 1);
        int addrLen;
        if (family == AddressAttribute.FAMILY_IPV4) {
            addrLen = 4;
        } else if (family == AddressAttribute.FAMILY_IPV6) {
            addrLen = 16;
        } else {
            throw error(Reason.BAD_ADDRESS_FAMILY, type, String.format("family 0x%02x", family));
        }
        requireLength(type, len, 4 + addrLen);
        int port = b.getUnsignedShort(i + 2);
        byte[] addr = new byte[addrLen];
        b.getBytes(i + 4, addr);
        if (xor) {
            port ^= StunWire.MAGIC_COOKIE >>> 16;
            xorAddress(addr, tid);
        }
        try {
            InetAddress ip = addrLen == 4
                    ? InetAddress.getByAddress(addr)
                    // keeps an IPv4-mapped IPv6 address as IPv6, so the family survives a round trip
                    : Inet6Address.getByAddress(null, addr, -1);
            return new InetSocketAddress(ip, port);
        } catch (UnknownHostException e) {
            throw error(Reason.BAD_ATTRIBUTE_VALUE, type, "address of " + addrLen + " bytes");
        }
    }

    static void writeAddress(InetSocketAddress address, ByteBuf out, TransactionId tid, boolean xor) {
        InetAddress ip = address.getAddress();
        byte[] addr = ip.getAddress();
        int port = address.getPort();
        if (xor) {
            port ^= StunWire.MAGIC_COOKIE >>> 16;
            xorAddress(addr, tid);
        }
        out.writeByte(0);
        out.writeByte(ip instanceof Inet4Address ? AddressAttribute.FAMILY_IPV4 : AddressAttribute.FAMILY_IPV6);
        out.writeShort(port);
        out.writeBytes(addr);
    }

    /** An XOR address value (RFC 8489 §14.2) for a transaction ID given as its 12 bytes. */
    static void writeXorAddress(InetSocketAddress address, ByteBuf out, byte[] tid) {
        InetAddress ip = address.getAddress();
        byte[] addr = ip.getAddress();
        out.writeByte(0);
        out.writeByte(ip instanceof Inet4Address ? AddressAttribute.FAMILY_IPV4 : AddressAttribute.FAMILY_IPV6);
        out.writeShort(address.getPort() ^ (StunWire.MAGIC_COOKIE >>> 16));
        for (int k = 0; k < addr.length; k++) {
            int mask = k < 4 ? (StunWire.MAGIC_COOKIE >>> (24 - 8 * k)) : tid[k - 4];
            out.writeByte(addr[k] ^ mask);
        }
    }

    /** XOR with the magic cookie followed by the transaction ID (RFC 8489 §14.2). */
    private static void xorAddress(byte[] addr, TransactionId tid) {
        for (int k = 0; k < addr.length; k++) {
            int mask = k < 4 ? (StunWire.MAGIC_COOKIE >>> (24 - 8 * k)) : tid.byteAt(k - 4);
            addr[k] ^= (byte) mask;
        }
    }

    // ---- UTF-8 text ----

    /**
     * Strict UTF-8 text of at most {@code maxBytes} bytes and (when {@code maxChars >= 0}) at most
     * {@code maxChars} code points.
     */
    static String readText(AttributeType type, ByteBuf b, int i, int len, int maxChars, int maxBytes)
            throws StunParseException {
        if (len > maxBytes) {
            throw error(Reason.VALUE_TOO_LONG, type, len + " bytes, limit " + maxBytes);
        }
        String s;
        try {
            s = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(b.nioBuffer(i, len))
                    .toString();
        } catch (CharacterCodingException e) {
            throw error(Reason.BAD_ATTRIBUTE_VALUE, type, "not valid UTF-8");
        }
        if (maxChars >= 0) {
            int chars = s.codePointCount(0, s.length());
            if (chars > maxChars) {
                throw error(Reason.VALUE_TOO_LONG, type, chars + " characters, limit " + maxChars);
            }
        }
        return s;
    }

    static void writeText(String s, ByteBuf out) {
        out.writeCharSequence(s, StandardCharsets.UTF_8);
    }

    // ---- ERROR-CODE style class/number, RFC 8489 §14.8 ----

    /** The code from the class (3 low bits of byte 2) and number (byte 3) at {@code i}. */
    static int readErrorCode(AttributeType type, ByteBuf b, int i) throws StunParseException {
        int cls = b.getUnsignedByte(i + 2) & 0x7;
        int number = b.getUnsignedByte(i + 3);
        if (cls < 3 || cls > 6 || number > 99) {
            throw error(Reason.BAD_ATTRIBUTE_VALUE, type, "class " + cls + " number " + number);
        }
        return cls * 100 + number;
    }

    static String readReason(AttributeType type, ByteBuf b, int i, int len) throws StunParseException {
        return readText(type, b, i, len, TextLimits.MAX_CHARS, TextLimits.MAX_BYTES);
    }

    static void writeClassNumber(int code, ByteBuf out) {
        out.writeByte(code / 100);
        out.writeByte(code % 100);
    }
}
