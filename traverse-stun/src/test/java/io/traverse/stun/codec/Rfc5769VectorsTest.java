package io.traverse.stun.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.traverse.stun.AttributeType;
import io.traverse.stun.MessageType;
import io.traverse.stun.Method;
import io.traverse.stun.StunMessage;
import io.traverse.stun.TransactionId;
import io.traverse.stun.attr.MessageIntegrity;
import io.traverse.stun.attr.Nonce;
import io.traverse.stun.attr.Realm;
import io.traverse.stun.attr.Software;
import io.traverse.stun.attr.UnknownAttribute;
import io.traverse.stun.attr.Username;
import io.traverse.stun.attr.XorMappedAddress;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The four test vectors of RFC 5769 §2, byte for byte as printed there (checked against the RFC text:
 * each HMAC and CRC below is recomputed by the code under test, so a mistyped byte fails the test).
 */
class Rfc5769VectorsTest {
    private static final byte[] SHORT_TERM_KEY = "VOkJxbRl1RmTxUk/WvJxBt".getBytes(StandardCharsets.UTF_8);
    private static final TransactionId TID = TransactionId.of(Hex.bytes("b7e7a701bc34d686fa87dfae"));

    /** §2.1 Sample Request: SOFTWARE, PRIORITY, ICE-CONTROLLED, USERNAME (padded with spaces), MI, FINGERPRINT. */
    static final byte[] REQUEST = Hex.bytes("""
            00 01 00 58 21 12 a4 42 b7 e7 a7 01 bc 34 d6 86 fa 87 df ae
            80 22 00 10 53 54 55 4e 20 74 65 73 74 20 63 6c 69 65 6e 74
            00 24 00 04 6e 00 01 ff
            80 29 00 08 93 2f f9 b1 51 26 3b 36
            00 06 00 09 65 76 74 6a 3a 68 36 76 59 20 20 20
            00 08 00 14 9a ea a7 0c bf d8 cb 56 78 1e f2 b5 b2 d3 f2 49 c1 b5 71 a2
            80 28 00 04 e5 7a 3b cf""");

    /** §2.2 Sample IPv4 Response: SOFTWARE (padded with a space), XOR-MAPPED-ADDRESS, MI, FINGERPRINT. */
    static final byte[] IPV4_RESPONSE = Hex.bytes("""
            01 01 00 3c 21 12 a4 42 b7 e7 a7 01 bc 34 d6 86 fa 87 df ae
            80 22 00 0b 74 65 73 74 20 76 65 63 74 6f 72 20
            00 20 00 08 00 01 a1 47 e1 12 a6 43
            00 08 00 14 2b 91 f5 99 fd 9e 90 c3 8c 74 89 f9 2a f9 ba 53 f0 6b e7 d7
            80 28 00 04 c0 7d 4c 96""");

    /** §2.3 Sample IPv6 Response. */
    static final byte[] IPV6_RESPONSE = Hex.bytes("""
            01 01 00 48 21 12 a4 42 b7 e7 a7 01 bc 34 d6 86 fa 87 df ae
            80 22 00 0b 74 65 73 74 20 76 65 63 74 6f 72 20
            00 20 00 14 00 02 a1 47 01 13 a9 fa a5 d3 f1 79 bc 25 f4 b5 be d2 b9 d9
            00 08 00 14 a3 82 95 4e 4b e6 7b f1 17 84 c9 7c 82 92 c2 75 bf e3 ed 41
            80 28 00 04 c8 fb 0b 4c""");

    /** §2.4 Sample Request with Long-Term Authentication: USERNAME, NONCE, REALM, MI (no FINGERPRINT). */
    static final byte[] LONG_TERM_REQUEST = Hex.bytes("""
            00 01 00 60 21 12 a4 42 78 ad 34 33 c6 ad 72 c0 29 da 41 2e
            00 06 00 12 e3 83 9e e3 83 88 e3 83 aa e3 83 83 e3 82 af e3 82 b9 00 00
            00 15 00 1c 66 2f 2f 34 39 39 6b 39 35 34 64 36 4f 4c 33 34 6f 4c 39 46 53 54 76 79 36 34 73 41
            00 14 00 0b 65 78 61 6d 70 6c 65 2e 6f 72 67 00
            00 08 00 14 f6 70 24 65 6d d6 4a 3e 02 b8 e0 71 2e 85 c9 a2 8c a8 96 66""");

    /** The user name of §2.4 (and RFC 8489 B.1): "マトリックス". */
    static final String MATRIX_USER = "\u30DE\u30C8\u30EA\u30C3\u30AF\u30B9";

    @Test
    void sampleRequestDecodesAndVerifies() throws Exception {
        DecodedMessage d = StunDecoder.decode(REQUEST);
        StunMessage m = d.message();
        assertEquals(MessageType.request(Method.BINDING), m.type());
        assertEquals(TID, m.transactionId());
        assertEquals(new Software("STUN test client"), m.attribute(Software.class).orElseThrow());
        // Padding content (spaces) is ignored: the value is the 9 bytes "evtj:h6vY".
        assertEquals(new Username("evtj:h6vY"), m.attribute(Username.class).orElseThrow());
        // ICE attributes are not ours: kept raw.
        assertEquals(new UnknownAttribute(0x0024, Hex.bytes("6e0001ff")), m.attribute(AttributeType.PRIORITY).orElseThrow());
        assertEquals(new UnknownAttribute(0x8029, Hex.bytes("932ff9b151263b36")),
                m.attribute(AttributeType.ICE_CONTROLLED).orElseThrow());

        assertTrue(d.hasMessageIntegrity());
        assertFalse(d.hasMessageIntegritySha256());
        assertTrue(d.verifyMessageIntegrity(SHORT_TERM_KEY));
        assertFalse(d.verifyMessageIntegrity("VOkJxbRl1RmTxUk/WvJxBT".getBytes(StandardCharsets.UTF_8)));
        assertFalse(d.verifyMessageIntegritySha256(SHORT_TERM_KEY));
        assertTrue(d.hasFingerprint());
        assertTrue(d.fingerprintValid());
    }

    @Test
    void sampleRequestReEncodesEqualExceptForPaddingBytesAndTheValuesTheyCover() throws Exception {
        DecodedMessage d = StunDecoder.decode(REQUEST);
        byte[] again = StunEncoder.encode(d.message(), Integrity.sha1(SHORT_TERM_KEY), true);
        assertEquals(REQUEST.length, again.length);
        // Our padding is zeros where the RFC's is spaces (USERNAME value 64..72, padding 73..75); MI and
        // FINGERPRINT cover those bytes, so only the part before MI (offset 76) can match.
        byte[] expected = REQUEST.clone();
        expected[73] = 0;
        expected[74] = 0;
        expected[75] = 0;
        assertArrayEquals(java.util.Arrays.copyOf(expected, 76), java.util.Arrays.copyOf(again, 76));
        DecodedMessage d2 = StunDecoder.decode(again);
        assertEquals(d.message(), withoutTrailer(d2.message(), d.message()));
        assertTrue(d2.verifyMessageIntegrity(SHORT_TERM_KEY));
        assertTrue(d2.fingerprintValid());
    }

    @Test
    void ipv4ResponseDecodesXorMappedAddress() throws Exception {
        DecodedMessage d = StunDecoder.decode(IPV4_RESPONSE);
        StunMessage m = d.message();
        assertEquals(MessageType.successResponse(Method.BINDING), m.type());
        assertEquals(new Software("test vector"), m.attribute(Software.class).orElseThrow());
        assertEquals(new InetSocketAddress(InetAddress.getByName("192.0.2.1"), 32853),
                m.attribute(XorMappedAddress.class).orElseThrow().address());
        assertTrue(d.verifyMessageIntegrity(SHORT_TERM_KEY));
        assertTrue(d.fingerprintValid());

        // Re-encoding writes zero padding after SOFTWARE (the RFC pads with a space, offset 35); the
        // XOR-MAPPED-ADDRESS bytes must come out identical.
        byte[] again = StunEncoder.encode(m, Integrity.sha1(SHORT_TERM_KEY), true);
        byte[] expected = IPV4_RESPONSE.clone();
        expected[35] = 0;
        assertArrayEquals(java.util.Arrays.copyOf(expected, 48), java.util.Arrays.copyOf(again, 48));
        DecodedMessage d2 = StunDecoder.decode(again);
        assertTrue(d2.verifyMessageIntegrity(SHORT_TERM_KEY));
        assertTrue(d2.fingerprintValid());
    }

    @Test
    void ipv6ResponseDecodesXorMappedAddress() throws Exception {
        DecodedMessage d = StunDecoder.decode(IPV6_RESPONSE);
        InetSocketAddress expected = new InetSocketAddress(
                InetAddress.getByName("2001:db8:1234:5678:11:2233:4455:6677"), 32853);
        assertEquals(expected, d.message().attribute(XorMappedAddress.class).orElseThrow().address());
        assertTrue(d.verifyMessageIntegrity(SHORT_TERM_KEY));
        assertTrue(d.fingerprintValid());

        byte[] again = StunEncoder.encode(d.message(), Integrity.sha1(SHORT_TERM_KEY), true);
        byte[] expectedBytes = IPV6_RESPONSE.clone();
        expectedBytes[35] = 0;
        assertArrayEquals(java.util.Arrays.copyOf(expectedBytes, 60), java.util.Arrays.copyOf(again, 60));
    }

    @Test
    void xorMappedAddressEncodesToTheVectorBytes() {
        StunMessage m = StunMessage.builder(MessageType.successResponse(Method.BINDING), TID)
                .add(new XorMappedAddress(new InetSocketAddress("192.0.2.1", 32853)))
                .build();
        byte[] wire = StunEncoder.encode(m);
        assertEquals("0020000800 01a147e112a643".replace(" ", ""), Hex.of(java.util.Arrays.copyOfRange(wire, 20, 32)));
    }

    @Test
    void longTermRequestVerifiesWithMd5KeyAndReEncodesByteForByte() throws Exception {
        DecodedMessage d = StunDecoder.decode(LONG_TERM_REQUEST);
        StunMessage m = d.message();
        assertEquals(new Username(MATRIX_USER), m.attribute(Username.class).orElseThrow());
        assertEquals(new Nonce("f//499k954d6OL34oL9FSTvy64sA"), m.attribute(Nonce.class).orElseThrow());
        assertEquals(new Realm("example.org"), m.attribute(Realm.class).orElseThrow());
        assertTrue(m.attribute(MessageIntegrity.class).isPresent());
        assertFalse(d.hasFingerprint());
        assertFalse(d.fingerprintValid());

        // Long-term key, RFC 8489 §9.2.2: MD5(username ":" realm ":" OpaqueString(password)). The password
        // "The<U+00AD>M<U+00AA>tr<U+2168>" is "TheMatrIX" after SASLprep/OpaqueString (RFC 5769 §2.4).
        byte[] key = MessageDigest.getInstance("MD5")
                .digest((MATRIX_USER + ":example.org:TheMatrIX").getBytes(StandardCharsets.UTF_8));
        assertTrue(d.verifyMessageIntegrity(key));
        assertFalse(d.verifyMessageIntegrity(SHORT_TERM_KEY));

        // All padding in this vector is zero, so the encoder must reproduce it exactly.
        assertArrayEquals(LONG_TERM_REQUEST, StunEncoder.encode(m, Integrity.sha1(key), false));
    }

    /** The attributes of {@code decoded} in the order of {@code reference}'s (MI/FP values differ). */
    private static StunMessage withoutTrailer(StunMessage decoded, StunMessage reference) {
        List<io.traverse.stun.StunAttribute> attrs = new java.util.ArrayList<>(decoded.attributes());
        List<io.traverse.stun.StunAttribute> refAttrs = reference.attributes();
        for (int k = 0; k < attrs.size(); k++) {
            AttributeType t = attrs.get(k).type();
            if (t.equals(AttributeType.MESSAGE_INTEGRITY) || t.equals(AttributeType.FINGERPRINT)) {
                attrs.set(k, refAttrs.get(k));
            }
        }
        return StunMessage.builder(decoded.type(), decoded.transactionId()).addAll(attrs).build();
    }
}
