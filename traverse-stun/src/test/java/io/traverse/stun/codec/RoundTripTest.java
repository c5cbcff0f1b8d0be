package io.traverse.stun.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.traverse.stun.MessageClass;
import io.traverse.stun.MessageType;
import io.traverse.stun.Method;
import io.traverse.stun.StunAttribute;
import io.traverse.stun.StunMessage;
import io.traverse.stun.TransactionId;
import io.traverse.stun.attr.AddressAttribute;
import io.traverse.stun.attr.Data;
import io.traverse.stun.attr.Fingerprint;
import io.traverse.stun.attr.MessageIntegrity;
import io.traverse.stun.attr.MessageIntegritySha256;
import io.traverse.stun.attr.Software;
import io.traverse.stun.attr.UnknownAttribute;
import java.net.Inet6Address;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** encode → decode gives back the same message, for every attribute kind. */
class RoundTripTest {
    private static final TransactionId TID = TransactionId.of(Hex.bytes("0102030405060708090a0b0c"));

    static Stream<StunAttribute> samples() {
        return AttributeSamples.all().stream();
    }

    private static StunMessage single(StunAttribute a) {
        return StunMessage.builder(MessageType.indication(Method.DATA), TID).add(a).build();
    }

    @ParameterizedTest
    @MethodSource("samples")
    void everyAttributeRoundTrips(StunAttribute a) throws Exception {
        byte[] wire = StunEncoder.encode(single(a));
        assertEquals(0, wire.length % 4);
        assertEquals(wire.length - 20, ((wire[2] & 0xFF) << 8) | (wire[3] & 0xFF));
        StunMessage back = StunDecoder.decode(wire).message();
        assertEquals(List.of(a), back.attributes());
        // and the bytes are canonical: encoding again gives the same bytes
        assertArrayEquals(wire, StunEncoder.encode(back));
    }

    @Test
    void addressFamilyIsPreservedForIpv4MappedIpv6() throws Exception {
        for (StunAttribute a : AttributeSamples.all()) {
            if (a instanceof AddressAttribute aa && aa.address().getAddress() instanceof Inet6Address) {
                StunAttribute back = StunDecoder.decode(StunEncoder.encode(single(a))).message().attributes().get(0);
                assertInstanceOf(Inet6Address.class, ((AddressAttribute) back).address().getAddress());
            }
        }
    }

    @Test
    void samplesCoverEveryRecordTheCodecKnows() {
        Set<Class<?>> sampled = new HashSet<>();
        for (StunAttribute a : AttributeSamples.all()) {
            sampled.add(a.getClass());
        }
        // The encoder computes these three; IntegrityTest covers them.
        sampled.add(MessageIntegrity.class);
        sampled.add(MessageIntegritySha256.class);
        sampled.add(Fingerprint.class);
        assertEquals(AttributeCodecs.encodableClasses(), sampled);
        // every typed record has a decoder under its own type code
        for (StunAttribute a : AttributeSamples.all()) {
            if (!(a instanceof UnknownAttribute)) {
                assertTrue(AttributeCodecs.decoder(a.type().code()) != null, a.type().name());
            }
        }
    }

    @Test
    void allAttributesInOneMessageWithEachIntegrityKind() throws Exception {
        StunMessage m = StunMessage.builder(MessageType.request(Method.ALLOCATE), TID)
                .addAll(AttributeSamples.all()).build();
        byte[] key = "key".getBytes();
        for (Integrity integrity : List.of(Integrity.none(), Integrity.sha1(key), Integrity.sha256(key),
                Integrity.sha256(key, 16))) {
            for (boolean fp : new boolean[] {false, true}) {
                DecodedMessage d = StunDecoder.decode(StunEncoder.encode(m, integrity, fp));
                List<StunAttribute> attrs = d.message().attributes();
                int extra = (integrity.kind() == Integrity.Kind.NONE ? 0 : 1) + (fp ? 1 : 0);
                assertEquals(m.attributes(), attrs.subList(0, attrs.size() - extra));
                assertEquals(integrity.kind() == Integrity.Kind.SHA1, d.verifyMessageIntegrity(key));
                assertEquals(integrity.kind() == Integrity.Kind.SHA256, d.verifyMessageIntegritySha256(key));
                assertEquals(fp, d.fingerprintValid());
            }
        }
    }

    @Test
    void unknownMethodsAndClassesRoundTrip() throws Exception {
        for (MessageClass c : MessageClass.values()) {
            StunMessage m = StunMessage.builder(new MessageType(Method.valueOf(0xABC), c), TID).build();
            assertEquals(m, StunDecoder.decode(StunEncoder.encode(m)).message());
        }
    }

    @Test
    void encodesAtTheWriterIndexOfHeapAndDirectBuffers() throws Exception {
        StunMessage m = single(new Software("x"));
        byte[] expected = StunEncoder.encode(m);
        for (ByteBuf out : List.of(Unpooled.buffer(), Unpooled.directBuffer())) {
            try {
                out.writeBytes(new byte[] {9, 9, 9});
                StunEncoder.encode(m, Integrity.none(), false, out);
                assertEquals(3 + expected.length, out.readableBytes());
                out.skipBytes(3);
                assertEquals(m, StunDecoder.decode(out).message());
                assertEquals(3, out.readerIndex(), "decode must not move the reader index");
                byte[] got = new byte[expected.length];
                out.getBytes(3, got);
                assertArrayEquals(expected, got);
            } finally {
                out.release();
            }
        }
    }

    @Test
    void integrityOverDirectBufferMatchesHeap() throws Exception {
        StunMessage m = single(new Software("direct"));
        byte[] key = {1, 2, 3};
        ByteBuf direct = Unpooled.directBuffer();
        try {
            StunEncoder.encode(m, Integrity.sha256(key), true, direct);
            assertArrayEquals(StunEncoder.encode(m, Integrity.sha256(key), true), io.netty.buffer.ByteBufUtil.getBytes(direct));
        } finally {
            direct.release();
        }
    }

    @Test
    void tooLargeMessageIsRefusedAndLeavesTheBufferAsItWas() {
        StunMessage m = StunMessage.builder(MessageType.indication(Method.SEND), TID)
                .add(new Data(new byte[40_000])).add(new Data(new byte[40_000])).build();
        ByteBuf out = Unpooled.buffer();
        out.writeByte(7);
        assertThrows(IllegalArgumentException.class, () -> StunEncoder.encode(m, Integrity.none(), false, out));
        assertEquals(1, out.writerIndex());
        // the largest DATA fits exactly
        StunMessage max = single(new Data(new byte[Data.MAX_LENGTH]));
        assertEquals(20 + 4 + Data.MAX_LENGTH, StunEncoder.encode(max).length);
        assertThrows(IllegalArgumentException.class, () -> StunEncoder.encode(max, Integrity.sha1(new byte[1]), false));
    }

    @Test
    void integrityAndFingerprintInTheModelAreNotCopied() throws Exception {
        StunMessage m = StunMessage.builder(MessageType.request(Method.BINDING), TID)
                .add(new MessageIntegrity(new byte[20]))
                .add(new Software("s"))
                .add(new MessageIntegritySha256(new byte[32]))
                .add(new Fingerprint(42))
                .add(new UnknownAttribute(0x8028, new byte[4]))
                .build();
        DecodedMessage d = StunDecoder.decode(StunEncoder.encode(m));
        assertEquals(List.of(new Software("s")), d.message().attributes());
        assertFalse(d.hasMessageIntegrity());
        assertFalse(d.hasFingerprint());
    }

    @Test
    void dataIndicationShortcutMatchesTheGenericEncoder() throws Exception {
        for (java.net.InetSocketAddress peer : AttributeSamples.addresses()) {
            for (int n : new int[] {0, 1, 3, 4, 5, 1200}) {
                byte[] payload = new byte[n];
                new java.util.Random(n).nextBytes(payload);
                StunMessage m = StunMessage.builder(MessageType.indication(Method.DATA), TID)
                        .add(new io.traverse.stun.attr.XorPeerAddress(peer)).add(new Data(payload)).build();
                ByteBuf src = Unpooled.wrappedBuffer(new byte[] {7}, payload).skipBytes(1);
                ByteBuf out = Unpooled.buffer();
                StunEncoder.encodeDataIndication(TID, peer, src, out);
                assertArrayEquals(StunEncoder.encode(m), io.netty.buffer.ByteBufUtil.getBytes(out));
                assertEquals(1, src.readerIndex());
                ByteBuf fromBytes = Unpooled.buffer();
                StunEncoder.encodeDataIndication(TID.toBytes(), peer, src, fromBytes);
                assertEquals(out, fromBytes, "the byte[] form encodes the same message");
                assertEquals(m, StunDecoder.decode(out).message());
            }
        }
    }

    @Test
    void paddingIsZero() {
        byte[] wire = StunEncoder.encode(single(new UnknownAttribute(0x7ABC, new byte[] {-1})));
        assertArrayEquals(Hex.bytes("7abc0001ff000000"), java.util.Arrays.copyOfRange(wire, 20, 28));
    }
}
