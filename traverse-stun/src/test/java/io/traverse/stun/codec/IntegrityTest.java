package io.traverse.stun.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.traverse.stun.MessageType;
import io.traverse.stun.Method;
import io.traverse.stun.StunAttribute;
import io.traverse.stun.StunMessage;
import io.traverse.stun.TransactionId;
import io.traverse.stun.attr.Fingerprint;
import io.traverse.stun.attr.MessageIntegrity;
import io.traverse.stun.attr.MessageIntegritySha256;
import io.traverse.stun.attr.Realm;
import io.traverse.stun.attr.Software;
import io.traverse.stun.attr.Username;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** MESSAGE-INTEGRITY, MESSAGE-INTEGRITY-SHA256, FINGERPRINT and the "ignore what follows" rules (RFC 8489 §14.5–§14.7). */
class IntegrityTest {
    private static final byte[] KEY = "a long-term key".getBytes();
    private static final TransactionId TID = TransactionId.of(Hex.bytes("aabbccddeeff001122334455"));

    private static StunMessage request() {
        return StunMessage.builder(MessageType.request(Method.REFRESH), TID)
                .add(new Username("alice")).add(new Realm("example.org")).build();
    }

    /** Appends raw attribute bytes and fixes the header length. */
    private static byte[] append(byte[] msg, String attributesHex) {
        byte[] extra = Hex.bytes(attributesHex);
        byte[] out = Arrays.copyOf(msg, msg.length + extra.length);
        System.arraycopy(extra, 0, out, msg.length, extra.length);
        int length = out.length - 20;
        out[2] = (byte) (length >> 8);
        out[3] = (byte) length;
        return out;
    }

    /** Appends FINGERPRINT computed independently with java.util.zip.CRC32. */
    private static byte[] appendFingerprint(byte[] msg) {
        byte[] withHeader = append(msg, "80280004 00000000");
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(withHeader, 0, withHeader.length - 8);
        int value = (int) crc.getValue() ^ 0x5354554e;
        ByteBuffer.wrap(withHeader).putInt(withHeader.length - 4, value);
        return withHeader;
    }

    /** Appends MESSAGE-INTEGRITY-SHA256 of {@code length} bytes computed independently with javax.crypto. */
    private static byte[] appendSha256(byte[] msg, byte[] key, int length) throws Exception {
        byte[] withHeader = append(msg, String.format("001c%04x", length) + "00".repeat(length));
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        mac.update(withHeader, 0, withHeader.length - length - 4);
        System.arraycopy(mac.doFinal(), 0, withHeader, withHeader.length - length, length);
        return withHeader;
    }

    @ParameterizedTest
    @ValueSource(ints = {16, 20, 24, 28, 32})
    void truncatedSha256VerifiesOnPrefix(int length) throws Exception {
        byte[] ours = StunEncoder.encode(request(), Integrity.sha256(KEY, length), false);
        byte[] theirs = appendSha256(StunEncoder.encode(request()), KEY, length);
        assertEquals(Hex.of(theirs), Hex.of(ours));
        DecodedMessage d = StunDecoder.decode(ours);
        assertEquals(length, d.message().attribute(MessageIntegritySha256.class).orElseThrow().length());
        assertTrue(d.verifyMessageIntegritySha256(KEY));
        assertFalse(d.verifyMessageIntegritySha256("other".getBytes()));
        ours[25] ^= 1;
        assertFalse(StunDecoder.decode(ours).verifyMessageIntegritySha256(KEY));
    }

    @Test
    void attributesAfterMessageIntegrityAreIgnoredButMiStillVerifies() throws Exception {
        byte[] msg = StunEncoder.encode(request(), Integrity.sha1(KEY), false);
        byte[] extended = append(msg, MalformedInputTest.text(0x8022, "after") + MalformedInputTest.text(0x0006, "bob"));
        DecodedMessage d = StunDecoder.decode(extended);
        assertEquals(List.of(new Username("alice"), new Realm("example.org")),
                d.message().attributes().subList(0, 2));
        assertEquals(3, d.message().attributes().size());
        assertTrue(d.message().attribute(Software.class).isEmpty());
        assertTrue(d.verifyMessageIntegrity(KEY));
    }

    @Test
    void sha256AndFingerprintAfterMessageIntegrityCount() throws Exception {
        byte[] msg = StunEncoder.encode(request(), Integrity.sha1(KEY), false);
        byte[] both = appendFingerprint(appendSha256(
                append(msg, MalformedInputTest.text(0x8022, "ignored")), KEY, 32));
        DecodedMessage d = StunDecoder.decode(both);
        List<Class<?>> kinds = d.message().attributes().stream().<Class<?>>map(StunAttribute::getClass).toList();
        assertEquals(List.of(Username.class, Realm.class, MessageIntegrity.class, MessageIntegritySha256.class,
                Fingerprint.class), kinds);
        assertTrue(d.verifyMessageIntegrity(KEY));
        assertTrue(d.verifyMessageIntegritySha256(KEY));
        assertTrue(d.fingerprintValid());
    }

    @Test
    void afterSha256OnlyFingerprintCounts() throws Exception {
        byte[] msg = StunEncoder.encode(request(), Integrity.sha256(KEY), false);
        byte[] more = appendFingerprint(append(msg, MalformedInputTest.attr(0x0008, new byte[20])
                + MalformedInputTest.text(0x8022, "x")));
        DecodedMessage d = StunDecoder.decode(more);
        assertFalse(d.hasMessageIntegrity());
        assertTrue(d.verifyMessageIntegritySha256(KEY));
        assertTrue(d.hasFingerprint());
        assertTrue(d.fingerprintValid());
        assertEquals(4, d.message().attributes().size());
    }

    @Test
    void nothingAfterFingerprintCounts() throws Exception {
        byte[] msg = StunEncoder.encode(request(), Integrity.none(), true);
        byte[] more = append(msg, MalformedInputTest.attr(0x0008, new byte[20]) + MalformedInputTest.attr(0x8028, new byte[4]));
        DecodedMessage d = StunDecoder.decode(more);
        assertFalse(d.hasMessageIntegrity());
        assertEquals(3, d.message().attributes().size());
        // the CRC covers the message up to FINGERPRINT with the length field ending there
        assertTrue(d.fingerprintValid());
    }

    @Test
    void tamperingBreaksIntegrityAndFingerprint() throws Exception {
        byte[] msg = StunEncoder.encode(request(), Integrity.sha1(KEY), true);
        assertTrue(StunDecoder.decode(msg).verifyMessageIntegrity(KEY));
        assertTrue(StunDecoder.decode(msg).fingerprintValid());
        for (int i : new int[] {0, 1, 8, 19, 25, msg.length - 30, msg.length - 1}) {
            byte[] bad = msg.clone();
            bad[i] ^= 0x01;
            try {
                DecodedMessage d = StunDecoder.decode(bad);
                assertFalse(d.verifyMessageIntegrity(KEY) && d.fingerprintValid(), "byte " + i);
            } catch (StunParseException e) {
                // a flipped header bit may make it unparseable, which is fine
            }
        }
    }

    @Test
    void missingAttributesVerifyFalse() throws Exception {
        DecodedMessage d = StunDecoder.decode(StunEncoder.encode(request()));
        assertFalse(d.hasMessageIntegrity());
        assertFalse(d.hasMessageIntegritySha256());
        assertFalse(d.hasFingerprint());
        assertFalse(d.verifyMessageIntegrity(KEY));
        assertFalse(d.verifyMessageIntegritySha256(KEY));
        assertFalse(d.fingerprintValid());
    }

    @Test
    void emptyKeyIsHmacWithEmptyKey() throws Exception {
        // RFC 2202-style known answer: HMAC-SHA1 with empty key over empty data.
        assertEquals("fbdb1d1b18aa6c08324b7d64b71fb76370690e1d", Hex.of(Hmac.sha1(new byte[0]).doFinal()));
        byte[] msg = StunEncoder.encode(request(), Integrity.sha1(new byte[0]), false);
        assertTrue(StunDecoder.decode(msg).verifyMessageIntegrity(new byte[0]));
    }

    @Test
    void integrityCopiesTheKeyAndNeverPrintsIt() throws Exception {
        byte[] key = "secret-key-123".getBytes();
        Integrity integrity = Integrity.sha1(key);
        Arrays.fill(key, (byte) 0);
        byte[] msg = StunEncoder.encode(request(), integrity, false);
        assertTrue(StunDecoder.decode(msg).verifyMessageIntegrity("secret-key-123".getBytes()));
        String s = integrity + " " + Integrity.sha256("secret-key-123".getBytes());
        assertFalse(s.contains("secret"), s);
        assertFalse(s.contains(Hex.of("secret".getBytes())), s);
        assertEquals("Integrity[NONE]", Integrity.none().toString());
        assertThrows(IllegalArgumentException.class, () -> Integrity.sha256(KEY, 18));
        assertThrows(IllegalArgumentException.class, () -> Integrity.sha256(KEY, 12));
    }

    @Test
    void fingerprintHelperMatchesCrc32() {
        byte[] data = "hello".getBytes();
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(data);
        int expected = (int) crc.getValue() ^ 0x5354554e;
        assertEquals(expected, FingerprintCrc.compute(data, 0, data.length));
        assertEquals(expected, FingerprintCrc.compute(io.netty.buffer.Unpooled.wrappedBuffer(data), 0, data.length));
    }
}
