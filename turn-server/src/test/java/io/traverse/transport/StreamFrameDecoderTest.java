package io.traverse.transport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * {@link StreamFrameDecoder} on an {@link EmbeddedChannel}: RFC 8656 §12.5 framing of STUN messages and padded
 * ChannelData on a TCP/TLS byte stream, whatever the segmentation.
 */
class StreamFrameDecoderTest {
    /** A Binding request with no attributes: 20-byte header, magic cookie, transaction id. */
    private static final byte[] BINDING = HexFormat.of().parseHex("000100002112a442" + "0102030405060708090a0b0c");
    /** A Binding request with one 8-byte attribute (SOFTWARE "abcd" padded): 28 bytes. */
    private static final byte[] BINDING_WITH_ATTRIBUTE =
            HexFormat.of().parseHex("000100082112a442" + "0c0b0a090807060504030201" + "8022000461626364");
    /** ChannelData on channel 0x4000 with 5 bytes of data: 4 + 5, padded to 12 bytes on a stream. */
    private static final byte[] CHANNEL_DATA_PADDED = HexFormat.of().parseHex("40000005" + "0102030405" + "000000");
    /** ChannelData on channel 0x4001 with 4 bytes of data: no padding needed. */
    private static final byte[] CHANNEL_DATA_ALIGNED = HexFormat.of().parseHex("40010004" + "aabbccdd");

    private final AtomicInteger garbage = new AtomicInteger();
    private final EmbeddedChannel channel = new EmbeddedChannel(new StreamFrameDecoder(garbage::incrementAndGet));

    @Test
    void wholeStunMessageInOneReadIsOneFrame() {
        channel.writeInbound(Unpooled.wrappedBuffer(BINDING));
        assertEquals(List.of(hex(BINDING)), frames());
    }

    @Test
    void severalFramesInOneReadComeOutInOrder() {
        channel.writeInbound(Unpooled.wrappedBuffer(concat(BINDING, CHANNEL_DATA_PADDED, BINDING_WITH_ATTRIBUTE,
                CHANNEL_DATA_ALIGNED)));
        assertEquals(List.of(hex(BINDING), hex(CHANNEL_DATA_PADDED), hex(BINDING_WITH_ATTRIBUTE),
                hex(CHANNEL_DATA_ALIGNED)), frames());
        assertTrue(channel.isOpen());
    }

    @Test
    void oneByteAtATimeYieldsTheSameFramesOnlyWhenComplete() {
        byte[] stream = concat(BINDING_WITH_ATTRIBUTE, CHANNEL_DATA_PADDED, CHANNEL_DATA_ALIGNED);
        List<String> seen = new ArrayList<>();
        int[] completions = {BINDING_WITH_ATTRIBUTE.length, BINDING_WITH_ATTRIBUTE.length + CHANNEL_DATA_PADDED.length,
                stream.length};
        int next = 0;
        for (int i = 0; i < stream.length; i++) {
            channel.writeInbound(Unpooled.wrappedBuffer(stream, i, 1));
            ByteBuf frame = channel.readInbound();
            if (next < completions.length && i + 1 == completions[next]) {
                assertTrue(frame != null, "a frame completes at byte " + (i + 1));
                seen.add(hexAndRelease(frame));
                next++;
            } else {
                assertNull(frame, "no frame before it is complete (byte " + (i + 1) + ")");
            }
        }
        assertEquals(List.of(hex(BINDING_WITH_ATTRIBUTE), hex(CHANNEL_DATA_PADDED), hex(CHANNEL_DATA_ALIGNED)), seen);
    }

    @Test
    void channelDataFrameIncludesItsStreamPadding() {
        // The padding belongs to the frame (RFC 8656 §12.5): the next frame starts after it.
        channel.writeInbound(Unpooled.wrappedBuffer(concat(CHANNEL_DATA_PADDED, BINDING)));
        List<String> frames = frames();
        assertEquals(12, HexFormat.of().parseHex(frames.get(0)).length);
        assertEquals(hex(BINDING), frames.get(1));
    }

    @Test
    void frameSplitAcrossTheHeaderWaitsForTheRest() {
        channel.writeInbound(Unpooled.wrappedBuffer(BINDING, 0, 3)); // fewer than 4 bytes: length unknown
        assertNull(channel.readInbound());
        channel.writeInbound(Unpooled.wrappedBuffer(BINDING, 3, 10)); // header visible, body not yet
        assertNull(channel.readInbound());
        channel.writeInbound(Unpooled.wrappedBuffer(BINDING, 13, BINDING.length - 13));
        assertEquals(List.of(hex(BINDING)), frames());
    }

    @Test
    void garbageClosesTheConnectionAndIsReported() {
        // RTP (first byte 0x80) is neither STUN nor ChannelData: a stream cannot be resynchronised.
        channel.writeInbound(Unpooled.wrappedBuffer(HexFormat.of().parseHex("80600001deadbeefcafebabe")));
        assertEquals(1, garbage.get());
        assertFalse(channel.isOpen());
        assertNull(channel.readInbound());
    }

    @Test
    void garbageAfterGoodFramesDeliversTheGoodOnesThenCloses() {
        channel.writeInbound(Unpooled.wrappedBuffer(concat(BINDING, HexFormat.of().parseHex("ff00ff00ff00"))));
        assertEquals(List.of(hex(BINDING)), frames());
        assertEquals(1, garbage.get());
        assertFalse(channel.isOpen());
    }

    @Test
    void stunHeaderWithWrongMagicCookieIsGarbage() {
        byte[] bad = BINDING.clone();
        bad[4] = 0x00; // magic cookie 0x0012a442
        channel.writeInbound(Unpooled.wrappedBuffer(bad));
        assertEquals(1, garbage.get());
        assertFalse(channel.isOpen());
    }

    @Test
    void framesAreRetainedSlicesThatOutliveTheReadBuffer() {
        ByteBuf in = Unpooled.buffer().writeBytes(concat(BINDING, CHANNEL_DATA_ALIGNED));
        channel.writeInbound(in);
        ByteBuf first = channel.readInbound();
        ByteBuf second = channel.readInbound();
        assertArrayEquals(BINDING, ByteBufUtil.getBytes(first));
        assertArrayEquals(CHANNEL_DATA_ALIGNED, ByteBufUtil.getBytes(second));
        first.release();
        second.release();
        assertEquals(0, in.refCnt(), "the cumulation buffer is freed once the frames are released");
        assertFalse(channel.finish());
    }

    private List<String> frames() {
        List<String> out = new ArrayList<>();
        for (ByteBuf frame; (frame = channel.readInbound()) != null; ) {
            out.add(hexAndRelease(frame));
        }
        return out;
    }

    private static String hexAndRelease(ByteBuf frame) {
        try {
            return ByteBufUtil.hexDump(frame);
        } finally {
            frame.release();
        }
    }

    private static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }

    private static byte[] concat(byte[]... parts) {
        int length = 0;
        for (byte[] p : parts) {
            length += p.length;
        }
        byte[] out = new byte[length];
        int offset = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, offset, p.length);
            offset += p.length;
        }
        return out;
    }
}
