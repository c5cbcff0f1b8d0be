package io.traverse.stun.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.traverse.stun.codec.StunParseException.Reason;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Each kind of malformed input gives StunParseException with the expected reason. */
class MalformedInputTest {
    private static final String HEADER_REST = "2112a442 0102030405060708090a0b0c";

    /** A Binding request whose body is {@code bodyHex}, with a correct length field. */
    static byte[] request(String bodyHex) {
        byte[] body = Hex.bytes(bodyHex);
        return Hex.bytes(String.format("0001%04x", body.length) + HEADER_REST + Hex.of(body));
    }

    /** One attribute of {@code type} with {@code value}, padded. */
    static String attr(int type, byte[] value) {
        String v = Hex.of(value);
        int pad = (4 - value.length % 4) % 4;
        return String.format("%04x%04x", type, value.length) + v + "00".repeat(pad);
    }

    static String attr(int type, String hexValue) {
        return attr(type, Hex.bytes(hexValue));
    }

    static String text(int type, String s) {
        return attr(type, s.getBytes(StandardCharsets.UTF_8));
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                // header
                Arguments.of("empty", new byte[0], Reason.TRUNCATED_HEADER),
                Arguments.of("19 bytes", java.util.Arrays.copyOf(request(""), 19), Reason.TRUNCATED_HEADER),
                Arguments.of("top bit set", Hex.bytes("8001 0000" + HEADER_REST), Reason.BAD_TOP_BITS),
                Arguments.of("second bit set", Hex.bytes("4001 0000" + HEADER_REST), Reason.BAD_TOP_BITS),
                Arguments.of("ChannelData is not STUN", Hex.bytes("4000 0010" + HEADER_REST), Reason.BAD_TOP_BITS),
                Arguments.of("wrong magic cookie", Hex.bytes("0001 0000 2112a443 0102030405060708090a0b0c"),
                        Reason.BAD_MAGIC_COOKIE),
                Arguments.of("RFC 3489 message (no cookie)", Hex.bytes("0001 0000 00000000 0102030405060708090a0b0c"),
                        Reason.BAD_MAGIC_COOKIE),
                Arguments.of("length 2", Hex.bytes("0001 0002" + HEADER_REST + "0000"), Reason.LENGTH_NOT_MULTIPLE_OF_4),
                Arguments.of("length 5", Hex.bytes("0001 0005" + HEADER_REST + "0000000000"),
                        Reason.LENGTH_NOT_MULTIPLE_OF_4),
                Arguments.of("length larger than datagram", Hex.bytes("0001 0008" + HEADER_REST + "80220000"),
                        Reason.LENGTH_MISMATCH),
                Arguments.of("length smaller than datagram", Hex.bytes("0001 0000" + HEADER_REST + "80220000"),
                        Reason.LENGTH_MISMATCH),
                Arguments.of("trailing bytes after message", Hex.bytes("0001 0000" + HEADER_REST + "00000000"),
                        Reason.LENGTH_MISMATCH),
                // A truncated attribute header cannot exist in a message whose length is a multiple of 4:
                // cutting the datagram mid-header is caught by the length checks.
                Arguments.of("datagram cut inside attribute header",
                        java.util.Arrays.copyOf(request(text(0x8022, "abcd")), 22), Reason.LENGTH_MISMATCH),
                Arguments.of("length field ends inside attribute header",
                        Hex.bytes("0001 0002" + HEADER_REST + "8022"), Reason.LENGTH_NOT_MULTIPLE_OF_4),
                // attribute structure
                Arguments.of("attribute overruns message", request("80220008 61626364"), Reason.ATTRIBUTE_OVERRUN),
                Arguments.of("attribute length 0xffff", request("0006ffff 61626364"), Reason.ATTRIBUTE_OVERRUN),
                Arguments.of("second attribute overruns", request(text(0x8022, "ab") + "00140008 61626364"),
                        Reason.ATTRIBUTE_OVERRUN),
                // text limits
                Arguments.of("USERNAME 509 bytes", request(text(0x0006, "u".repeat(509))), Reason.VALUE_TOO_LONG),
                Arguments.of("REALM 764 bytes", request(text(0x0014, "\u00e9".repeat(382))), Reason.VALUE_TOO_LONG),
                Arguments.of("REALM 128 characters", request(text(0x0014, "r".repeat(128))), Reason.VALUE_TOO_LONG),
                Arguments.of("NONCE 128 characters", request(text(0x0015, "n".repeat(128))), Reason.VALUE_TOO_LONG),
                Arguments.of("SOFTWARE 128 characters", request(text(0x8022, "s".repeat(128))), Reason.VALUE_TOO_LONG),
                Arguments.of("ALTERNATE-DOMAIN 256 bytes", request(text(0x8003, "d".repeat(256))), Reason.VALUE_TOO_LONG),
                Arguments.of("reason phrase 128 characters",
                        request(attr(0x0009, "00000414" + Hex.of("x".repeat(128).getBytes()))), Reason.VALUE_TOO_LONG),
                Arguments.of("USERNAME invalid UTF-8", request(attr(0x0006, "61ff62")), Reason.BAD_ATTRIBUTE_VALUE),
                Arguments.of("REALM UTF-8 surrogate", request(attr(0x0014, "eda080")), Reason.BAD_ATTRIBUTE_VALUE),
                // addresses
                Arguments.of("XOR-MAPPED-ADDRESS family 3", request(attr(0x0020, "0003a147e112a643")),
                        Reason.BAD_ADDRESS_FAMILY),
                Arguments.of("XOR-PEER-ADDRESS family 0", request(attr(0x0012, "0000a147e112a643")),
                        Reason.BAD_ADDRESS_FAMILY),
                Arguments.of("MAPPED-ADDRESS IPv4 with 16 address bytes",
                        request(attr(0x0001, "00010001" + "00".repeat(16))), Reason.BAD_ATTRIBUTE_LENGTH),
                Arguments.of("XOR-RELAYED-ADDRESS IPv6 with 4 address bytes",
                        request(attr(0x0016, "00020001 01020304")), Reason.BAD_ATTRIBUTE_LENGTH),
                Arguments.of("OTHER-ADDRESS of 3 bytes", request(attr(0x802c, "000100")), Reason.BAD_ATTRIBUTE_LENGTH),
                // fixed sizes
                Arguments.of("MESSAGE-INTEGRITY 19 bytes", request(attr(0x0008, new byte[19])), Reason.BAD_ATTRIBUTE_LENGTH),
                Arguments.of("MESSAGE-INTEGRITY 24 bytes", request(attr(0x0008, new byte[24])), Reason.BAD_ATTRIBUTE_LENGTH),
                Arguments.of("MESSAGE-INTEGRITY-SHA256 12 bytes", request(attr(0x001c, new byte[12])),
                        Reason.BAD_ATTRIBUTE_LENGTH),
                Arguments.of("MESSAGE-INTEGRITY-SHA256 18 bytes", request(attr(0x001c, new byte[18])),
                        Reason.BAD_ATTRIBUTE_LENGTH),
                Arguments.of("MESSAGE-INTEGRITY-SHA256 36 bytes", request(attr(0x001c, new byte[36])),
                        Reason.BAD_ATTRIBUTE_LENGTH),
                Arguments.of("FINGERPRINT 8 bytes", request(attr(0x8028, new byte[8])), Reason.BAD_ATTRIBUTE_LENGTH),
                Arguments.of("USERHASH 31 bytes", request(attr(0x001e, new byte[31])), Reason.BAD_ATTRIBUTE_LENGTH),
                Arguments.of("LIFETIME 3 bytes", request(attr(0x000d, new byte[3])), Reason.BAD_ATTRIBUTE_LENGTH),
                Arguments.of("CHANNEL-NUMBER 2 bytes", request(attr(0x000c, "4000")), Reason.BAD_ATTRIBUTE_LENGTH),
                Arguments.of("REQUESTED-TRANSPORT 1 byte", request(attr(0x0019, "11")), Reason.BAD_ATTRIBUTE_LENGTH),
                Arguments.of("REQUESTED-ADDRESS-FAMILY 8 bytes", request(attr(0x0017, new byte[8])),
                        Reason.BAD_ATTRIBUTE_LENGTH),
                Arguments.of("EVEN-PORT 4 bytes", request(attr(0x0018, new byte[4])), Reason.BAD_ATTRIBUTE_LENGTH),
                Arguments.of("DONT-FRAGMENT with a value", request(attr(0x001a, new byte[4])), Reason.BAD_ATTRIBUTE_LENGTH),
                Arguments.of("RESERVATION-TOKEN 4 bytes", request(attr(0x0022, new byte[4])), Reason.BAD_ATTRIBUTE_LENGTH),
                Arguments.of("ICMP 4 bytes", request(attr(0x8004, new byte[4])), Reason.BAD_ATTRIBUTE_LENGTH),
                Arguments.of("CONNECTION-ID 8 bytes", request(attr(0x002a, new byte[8])), Reason.BAD_ATTRIBUTE_LENGTH),
                Arguments.of("CHANGE-REQUEST 2 bytes", request(attr(0x0003, new byte[2])), Reason.BAD_ATTRIBUTE_LENGTH),
                Arguments.of("RESPONSE-PORT 2 bytes", request(attr(0x0027, new byte[2])), Reason.BAD_ATTRIBUTE_LENGTH),
                Arguments.of("UNKNOWN-ATTRIBUTES odd length", request(attr(0x000a, "000100")), Reason.BAD_ATTRIBUTE_LENGTH),
                // error codes
                Arguments.of("ERROR-CODE 3 bytes", request(attr(0x0009, "000004")), Reason.BAD_ATTRIBUTE_LENGTH),
                Arguments.of("ERROR-CODE class 2", request(attr(0x0009, "00000200")), Reason.BAD_ATTRIBUTE_VALUE),
                Arguments.of("ERROR-CODE class 7", request(attr(0x0009, "00000700")), Reason.BAD_ATTRIBUTE_VALUE),
                Arguments.of("ERROR-CODE number 100", request(attr(0x0009, "00000464")), Reason.BAD_ATTRIBUTE_VALUE),
                Arguments.of("ADDRESS-ERROR-CODE class 1", request(attr(0x8001, "02000100")), Reason.BAD_ATTRIBUTE_VALUE),
                // password algorithms
                Arguments.of("PASSWORD-ALGORITHMS 2 bytes", request(attr(0x8002, "0001")), Reason.BAD_ATTRIBUTE_LENGTH),
                Arguments.of("PASSWORD-ALGORITHMS parameters overrun", request(attr(0x8002, "00010008 00000000")),
                        Reason.BAD_ATTRIBUTE_LENGTH),
                Arguments.of("PASSWORD-ALGORITHMS trailing 2 bytes", request(attr(0x8002, "00010000 0002")),
                        Reason.BAD_ATTRIBUTE_LENGTH),
                Arguments.of("PASSWORD-ALGORITHM with two entries", request(attr(0x001d, "00010000 00020000")),
                        Reason.BAD_ATTRIBUTE_LENGTH));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void rejected(String name, byte[] input, Reason expected) {
        StunParseException e = assertThrows(StunParseException.class, () -> StunDecoder.decode(input));
        assertEquals(expected, e.reason(), e.getMessage());
        // and the same through a ByteBuf with a non-zero reader index and no spare capacity
        byte[] framed = new byte[input.length + 3];
        System.arraycopy(input, 0, framed, 3, input.length);
        ByteBuf buf = Unpooled.wrappedBuffer(framed).skipBytes(3);
        StunParseException e2 = assertThrows(StunParseException.class, () -> StunDecoder.decode(buf));
        assertEquals(expected, e2.reason());
        assertEquals(3, buf.readerIndex());
    }

    @Test
    void exceptionRecordsNoStackTraceButNamesTheAttribute() {
        StunParseException e = assertThrows(StunParseException.class,
                () -> StunDecoder.decode(request(text(0x0006, "u".repeat(600)))));
        assertEquals(0, e.getStackTrace().length);
        assertEquals(true, e.getMessage().contains("USERNAME"), e.getMessage());
    }

    @Test
    void limitsAreInclusive() throws Exception {
        // USERNAME: fewer than 509 bytes (RFC 8489 §14.3).
        StunDecoder.decode(request(text(0x0006, "u".repeat(508))));
        StunDecoder.decode(request(text(0x0014, "r".repeat(127))));
        StunDecoder.decode(request(text(0x8022, "\uD83D\uDE00".repeat(127))));
        StunDecoder.decode(request(attr(0x001c, new byte[16])));
        StunDecoder.decode(request(attr(0x0009, "00000663")));
    }

    @Test
    void malformedAttributeAfterFingerprintIsIgnoredNotRejected() throws Exception {
        // RFC 8489 §14.7: nothing follows FINGERPRINT; we ignore (do not parse) what does.
        DecodedMessage d = StunDecoder.decode(request(attr(0x8028, "00000000") + attr(0x0008, new byte[3])));
        assertEquals(1, d.message().attributes().size());
    }
}
