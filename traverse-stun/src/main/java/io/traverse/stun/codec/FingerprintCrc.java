package io.traverse.stun.codec;

import io.netty.buffer.ByteBuf;
import java.util.zip.CRC32;

/**
 * The FINGERPRINT value (RFC 8489 §14.7): CRC-32 (ISO 3309, as {@link CRC32}) of the message up to the
 * FINGERPRINT attribute, XOR 0x5354554e. The header's length field must already count the 8-byte
 * FINGERPRINT attribute when the CRC is taken.
 */
public final class FingerprintCrc {
    /** The XOR constant ("STUN" in ASCII). */
    public static final int XOR = 0x5354554e;
    /** Length of the FINGERPRINT attribute including its header. */
    public static final int ATTRIBUTE_LENGTH = 8;

    private FingerprintCrc() {
    }

    /** The FINGERPRINT value of {@code length} bytes of {@code bytes} from {@code offset}. */
    public static int compute(byte[] bytes, int offset, int length) {
        CRC32 crc = new CRC32();
        crc.update(bytes, offset, length);
        return (int) crc.getValue() ^ XOR;
    }

    /** The FINGERPRINT value of {@code length} bytes of {@code buf} from absolute {@code index}. */
    public static int compute(ByteBuf buf, int index, int length) {
        CRC32 crc = new CRC32();
        crc.update(buf.nioBuffer(index, length));
        return (int) crc.getValue() ^ XOR;
    }

    /**
     * The FINGERPRINT value of {@code bytes[0..end)} as if the header's length field held
     * {@code lengthField}, without modifying {@code bytes}.
     */
    static int computeWithLength(byte[] bytes, int end, int lengthField) {
        CRC32 crc = new CRC32();
        crc.update(bytes, 0, 2);
        crc.update(lengthField >>> 8);
        crc.update(lengthField & 0xFF);
        crc.update(bytes, 4, end - 4);
        return (int) crc.getValue() ^ XOR;
    }
}
