package io.traverse.stun.attr;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.traverse.stun.AttributeType;
import io.traverse.stun.ErrorCode;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Construction-time validation of the attribute records (our own code gets IllegalArgumentException). */
class AttributeConstructionTest {

    static Stream<Arguments> invalid() {
        return Stream.of(
                Arguments.of("USERNAME 513 bytes", (Executable) () -> new Username("u".repeat(513))),
                Arguments.of("USERNAME 171 three-byte chars", (Executable) () -> new Username("\u30DE".repeat(171))),
                Arguments.of("REALM 128 chars", (Executable) () -> new Realm("r".repeat(128))),
                Arguments.of("NONCE 128 chars", (Executable) () -> new Nonce("n".repeat(128))),
                Arguments.of("SOFTWARE 128 chars", (Executable) () -> new Software("s".repeat(128))),
                Arguments.of("ALTERNATE-DOMAIN 256 bytes", (Executable) () -> new AlternateDomain("d".repeat(256))),
                Arguments.of("unpaired surrogate", (Executable) () -> new Realm("a\uD800b")),
                Arguments.of("reason 128 chars", (Executable) () -> new ErrorCodeAttribute(400, "x".repeat(128))),
                Arguments.of("error code 299", (Executable) () -> new ErrorCodeAttribute(299, "")),
                Arguments.of("error code 700", (Executable) () -> new ErrorCodeAttribute(700, "")),
                Arguments.of("USERHASH 31 bytes", (Executable) () -> new UserHash(new byte[31])),
                Arguments.of("MI 19 bytes", (Executable) () -> new MessageIntegrity(new byte[19])),
                Arguments.of("MI-SHA256 12 bytes", (Executable) () -> new MessageIntegritySha256(new byte[12])),
                Arguments.of("MI-SHA256 18 bytes", (Executable) () -> new MessageIntegritySha256(new byte[18])),
                Arguments.of("MI-SHA256 36 bytes", (Executable) () -> new MessageIntegritySha256(new byte[36])),
                Arguments.of("DATA too long", (Executable) () -> new Data(new byte[Data.MAX_LENGTH + 1])),
                Arguments.of("channel 0x10000", (Executable) () -> new ChannelNumber(0x10000)),
                Arguments.of("lifetime -1", (Executable) () -> new Lifetime(-1)),
                Arguments.of("lifetime 2^32", (Executable) () -> new Lifetime(1L << 32)),
                Arguments.of("family 256", (Executable) () -> new RequestedAddressFamily(256)),
                Arguments.of("protocol -1", (Executable) () -> new RequestedTransport(-1)),
                Arguments.of("ICMP type 256", (Executable) () -> new Icmp(256, 0, 0)),
                Arguments.of("ADDRESS-ERROR-CODE 200", (Executable) () -> new AddressErrorCode(1, 200, "")),
                Arguments.of("UNKNOWN-ATTRIBUTES 0x10000", (Executable) () -> new UnknownAttributes(List.of(0x10000))),
                Arguments.of("padding -1", (Executable) () -> new Padding(-1)),
                Arguments.of("port 65536", (Executable) () -> new ResponsePort(65536)),
                Arguments.of("password algorithm 65536", (Executable) () -> new PasswordAlgorithm(65536)),
                Arguments.of("unresolved address", (Executable) () ->
                        new XorPeerAddress(InetSocketAddress.createUnresolved("example.org", 1))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalid")
    void rejects(String name, Executable make) {
        assertThrows(IllegalArgumentException.class, make);
    }

    @Test
    void limitsAreInclusiveAtTheBoundary() {
        assertDoesNotThrow(() -> new Username("u".repeat(508)));
        // RFC 8489 §14.3: fewer than 509 bytes.
        assertThrows(IllegalArgumentException.class, () -> new Username("u".repeat(509)));
        assertDoesNotThrow(() -> new Realm("r".repeat(127)));
        // 127 four-byte characters: 508 bytes, within 763.
        assertDoesNotThrow(() -> new Software("\uD83D\uDE00".repeat(127)));
        assertDoesNotThrow(() -> new Nonce(""));
        assertDoesNotThrow(() -> new Lifetime(0xFFFF_FFFFL));
        assertDoesNotThrow(() -> new MessageIntegritySha256(new byte[16]));
        assertDoesNotThrow(() -> new Data(new byte[Data.MAX_LENGTH]));
    }

    @Test
    void byteHoldingRecordsCopyAndCompareByContent() {
        byte[] raw = {1, 2, 3};
        Data d = new Data(raw);
        raw[0] = 9;
        assertEquals(1, d.data()[0]);
        d.data()[1] = 9;
        assertEquals(2, d.data()[1]);
        assertEquals(new Data(new byte[] {1, 2, 3}), d);
        assertEquals(new Data(new byte[] {1, 2, 3}).hashCode(), d.hashCode());
        assertNotEquals(new Data(new byte[] {1, 2, 4}), d);
        assertEquals("Data[010203]", d.toString());
        assertEquals(3, d.asReadOnlyBuffer().remaining());
        assertTrue(d.asReadOnlyBuffer().isReadOnly());

        assertEquals(new UnknownAttribute(0x7001, new byte[] {5}), new UnknownAttribute(0x7001, new byte[] {5}));
        assertNotEquals(new UnknownAttribute(0x7001, new byte[] {5}), new UnknownAttribute(0x7002, new byte[] {5}));
        assertEquals(AttributeType.valueOf(0x7001), new UnknownAttribute(0x7001, new byte[0]).type());
        assertEquals(new PasswordAlgorithm(7, new byte[] {1}), new PasswordAlgorithm(7, new byte[] {1}));
        assertArrayEquals(new byte[20], new MessageIntegrity(new byte[20]).hmac());
        assertEquals(new UserHash(new byte[32]), new UserHash(new byte[32]));
    }

    @Test
    void listsAreCopied() {
        List<Integer> types = new ArrayList<>(List.of(1, 2));
        UnknownAttributes u = new UnknownAttributes(types);
        types.add(3);
        assertEquals(List.of(1, 2), u.types());
        assertThrows(UnsupportedOperationException.class, () -> u.types().add(4));
    }

    @Test
    void conveniences() {
        assertEquals(new ErrorCodeAttribute(438, "Stale Nonce"), new ErrorCodeAttribute(ErrorCode.STALE_NONCE));
        assertEquals(ErrorCode.UNKNOWN_ATTRIBUTE, new ErrorCodeAttribute(420, "x").errorCode());
        assertEquals(4294967295L, new ConnectionId(-1).unsignedId());
        assertTrue(new ChannelNumber(0x4000).isValidChannel());
        assertTrue(new ChannelNumber(0x5000).isValidChannel());
        assertFalse(new ChannelNumber(0x8000).isValidChannel());
        assertTrue(new XorRelayedAddress(new InetSocketAddress("192.0.2.1", 1)).isXor());
        assertFalse(new MappedAddress(new InetSocketAddress("192.0.2.1", 1)).isXor());
        assertEquals(new AddressErrorCode(2, 440, "Address Family not Supported"),
                new AddressErrorCode(2, ErrorCode.ADDRESS_FAMILY_NOT_SUPPORTED));
    }
}
