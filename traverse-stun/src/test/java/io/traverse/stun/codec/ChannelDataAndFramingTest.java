package io.traverse.stun.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.traverse.stun.MessageType;
import io.traverse.stun.Method;
import io.traverse.stun.StunMessage;
import io.traverse.stun.TransactionId;
import io.traverse.stun.attr.Software;
import io.traverse.stun.codec.Framing.Kind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** RFC 8656 §12 ChannelData helpers and RFC 7983 demultiplexing. */
class ChannelDataAndFramingTest {

    private static ByteBuf buf(String hex) {
        return Unpooled.wrappedBuffer(Hex.bytes(hex));
    }

    @Test
    void channelNumberRange() {
        assertFalse(ChannelData.isChannelNumber(0x3FFF));
        assertTrue(ChannelData.isChannelNumber(0x4000));
        assertTrue(ChannelData.isChannelNumber(0x4FFF));
        assertTrue(ChannelData.isChannelNumber(0x5000));
        assertTrue(ChannelData.isChannelNumber(0x7FFF));
        assertFalse(ChannelData.isChannelNumber(0x8000));
        assertFalse(ChannelData.isChannelNumber(-1));
    }

    @Test
    void headerFieldsWithoutConsuming() {
        ByteBuf b = buf("4001 0005 0102030405 000000");
        assertEquals(0x4001, ChannelData.channelNumber(b));
        assertEquals(5, ChannelData.dataLength(b));
        assertEquals(0, b.readerIndex());
        assertEquals(-1, ChannelData.channelNumber(buf("40")));
        assertEquals(-1, ChannelData.dataLength(buf("400100")));
    }

    @Test
    void datagramValidity() {
        assertTrue(ChannelData.isValid(buf("4001 0005 0102030405")), "no padding");
        assertTrue(ChannelData.isValid(buf("4001 0005 0102030405 000000")), "with padding");
        assertTrue(ChannelData.isValid(buf("4fff 0000")), "empty data");
        assertFalse(ChannelData.isValid(buf("4001 0006 0102030405")), "length exceeds datagram");
        assertTrue(ChannelData.isValid(buf("5000 0000")), "RFC 5766 range accepted");
        assertFalse(ChannelData.isValid(buf("8000 0000")), "outside any channel range");
        assertFalse(ChannelData.isValid(buf("3fff 0000")), "below channel range");
        assertFalse(ChannelData.isValid(buf("4001 00")), "short header");
        ByteBuf offset = buf("ffff 4001 0001 aa").skipBytes(2);
        assertTrue(ChannelData.isValid(offset), "respects reader index");
    }

    @Test
    void writeHeader() {
        ByteBuf out = Unpooled.buffer();
        ChannelData.writeHeader(out, 0x4ABC, 1200);
        assertEquals("4abc04b0", io.netty.buffer.ByteBufUtil.hexDump(out));
        assertThrows(IllegalArgumentException.class, () -> ChannelData.writeHeader(out, 0x3FFF, 0));
        assertThrows(IllegalArgumentException.class, () -> ChannelData.writeHeader(out, 0x4000, 65536));
        assertEquals(4, out.writerIndex());
    }

    @ParameterizedTest
    @CsvSource({"0,4", "1,8", "3,8", "4,8", "5,12", "65535,65540"})
    void streamFramePadsToFour(int dataLength, int frame) {
        assertEquals(frame, ChannelData.streamFrameLength(dataLength));
    }

    @Test
    void detectDatagrams() {
        byte[] stun = StunEncoder.encode(StunMessage.builder(MessageType.request(Method.BINDING), TransactionId.random())
                .add(new Software("x")).build());
        assertEquals(Kind.STUN, Framing.detect(Unpooled.wrappedBuffer(stun)));
        assertEquals(Kind.UNKNOWN, Framing.detect(buf("0001 0000 00000000 0102030405060708090a0b0c")), "RFC 3489, no cookie");
        assertEquals(Kind.STUN, Framing.detect(buf("0001")), "too short to see the cookie");
        assertEquals(Kind.CHANNEL_DATA, Framing.detect(buf("4000 0000")));
        assertEquals(Kind.CHANNEL_DATA, Framing.detect(buf("4f")));
        assertEquals(Kind.DTLS, Framing.detect(buf("16 fefd")));
        assertEquals(Kind.DTLS, Framing.detect(buf("14")));
        assertEquals(Kind.DTLS, Framing.detect(buf("3f")));
        assertEquals(Kind.CHANNEL_DATA, Framing.detect(buf("50 00")), "RFC 5766 channel range");
        assertEquals(Kind.CHANNEL_DATA, Framing.detect(buf("7f ff")), "RFC 5766 channel range");
        assertEquals(Kind.UNKNOWN, Framing.detect(buf("80 00")), "RTP");
        assertEquals(Kind.UNKNOWN, Framing.detect(buf("10")), "ZRTP");
        assertEquals(Kind.UNKNOWN, Framing.detect(buf("04")));
        assertEquals(Kind.UNKNOWN, Framing.detect(Unpooled.EMPTY_BUFFER));
    }

    @Test
    void detectStreams() {
        assertEquals(Kind.TLS, Framing.detectStream(buf("16 0301 0200")));
        assertEquals(Kind.TLS, Framing.detectStream(buf("16")));
        assertEquals(Kind.UNKNOWN, Framing.detectStream(buf("16 fefd")), "DTLS version on a stream");
        assertEquals(Kind.UNKNOWN, Framing.detectStream(buf("17 0303")), "application data first");
        assertEquals(Kind.STUN, Framing.detectStream(buf("0003 0000 2112a442")));
        assertEquals(Kind.CHANNEL_DATA, Framing.detectStream(buf("4001 0004")));
        assertEquals(Kind.UNKNOWN, Framing.detectStream(buf("80 4f 53 54")), "first byte above the channel range");
        // "GET " starts with 'G' = 71, inside 64..127: by first bytes alone it is ChannelData (channel
        // 0x4745); the caller rejects it when no such channel is bound.
        assertEquals(Kind.CHANNEL_DATA, Framing.detectStream(buf("47 45 54 20")));
    }

    @Test
    void streamFrameLength() {
        assertEquals(Framing.NEED_MORE, Framing.streamFrameLength(buf("")));
        assertEquals(Framing.NEED_MORE, Framing.streamFrameLength(buf("000100")));
        assertEquals(20 + 8, Framing.streamFrameLength(buf("0001 0008")), "cookie not yet visible");
        assertEquals(20 + 8, Framing.streamFrameLength(buf("0001 0008 2112a442")));
        assertEquals(Framing.INVALID, Framing.streamFrameLength(buf("0001 0008 2112a443")));
        assertEquals(4 + 8, Framing.streamFrameLength(buf("4001 0005")));
        assertEquals(4, Framing.streamFrameLength(buf("4001 0000")));
        assertEquals(Framing.INVALID, Framing.streamFrameLength(buf("1603 0100")), "TLS on a plain stream");
        assertEquals(4, Framing.streamFrameLength(buf("5000 0000")), "RFC 5766 channel range");
        assertEquals(Framing.INVALID, Framing.streamFrameLength(buf("8000 0000")));
        ByteBuf two = buf("4001 0001 aa000000 0001 0000 2112a442 000000000000000000000000");
        assertEquals(8, Framing.streamFrameLength(two));
        two.skipBytes(8);
        assertEquals(20, Framing.streamFrameLength(two));
        assertEquals(8, two.readerIndex());
    }
}
