package io.traverse.stun.codec;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.traverse.stun.AttributeType;
import io.traverse.stun.MessageClass;
import io.traverse.stun.MessageType;
import io.traverse.stun.Method;
import io.traverse.stun.StunAttribute;
import io.traverse.stun.StunMessage;
import io.traverse.stun.TransactionId;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Mutation fuzzing of the decoder, encoder and framing helpers.
 *
 * <p>Builds a corpus of valid messages holding every attribute kind (plus the RFC vectors), then mutates
 * them: bit flips, byte overwrites, truncation, extension, retyping an attribute as another known type,
 * corrupting attribute lengths, inserting random attributes, and plain random bytes; about half the time
 * the header length is then fixed up so the attribute parser sees the damage. Properties: decode returns a
 * message or throws {@link StunParseException} (never another Throwable, never {@code INTERNAL_ERROR}),
 * leaves the reader index alone, and every decoded message re-encodes and decodes back to the same
 * message; integrity and fingerprint checks never throw.
 *
 * <p>Iterations: system property {@code traverse.fuzz.iterations} (default 2,000,000, a few seconds on one
 * core); seed: {@code traverse.fuzz.seed} (default fixed), printed in every failure message.
 */
class FuzzTest {
    private static final int ITERATIONS = Integer.getInteger("traverse.fuzz.iterations", 2_000_000);
    private static final long SEED = Long.getLong("traverse.fuzz.seed", 0x7EA7_E25EL);
    private static final byte[] KEY = "fuzz-key".getBytes();
    private static final int[] KNOWN_TYPES = AttributeType.knownTypes().stream().mapToInt(AttributeType::code).toArray();
    private static final int[] INTERESTING = {0x00, 0x01, 0x02, 0x03, 0x04, 0x7f, 0x80, 0xfe, 0xff, 0x20, 0x40, 0x41};

    @Test
    void decoderSurvivesMutatedMessages() {
        SplittableRandom rnd = new SplittableRandom(SEED);
        List<byte[]> corpus = corpus(rnd);
        long decoded = 0;
        long start = System.nanoTime();
        for (int i = 0; i < ITERATIONS; i++) {
            byte[] base = corpus.get(rnd.nextInt(corpus.size()));
            byte[] input = mutate(base, rnd);
            if (check(input, rnd.nextInt(4) == 0 ? 3 : 0, i)) {
                decoded++;
            }
        }
        long ms = (System.nanoTime() - start) / 1_000_000;
        System.out.printf("FuzzTest: %d iterations, %d decoded, %d ms, seed 0x%x%n", ITERATIONS, decoded, ms, SEED);
        // The corpus is valid and half the mutations keep lengths consistent: some must decode.
        assertTrue(ITERATIONS < 1000 || decoded > ITERATIONS / 20, "only " + decoded + " decoded; seed 0x"
                + Long.toHexString(SEED));
    }

    @Test
    void framingAndChannelDataSurviveRandomBuffers() {
        SplittableRandom rnd = new SplittableRandom(SEED ^ 0xF4A3);
        int n = Math.max(1, ITERATIONS / 4);
        for (int i = 0; i < n; i++) {
            byte[] b = new byte[rnd.nextInt(41)];
            rnd.nextBytes(b);
            if (b.length > 0 && rnd.nextBoolean()) {
                b[0] = (byte) INTERESTING[rnd.nextInt(INTERESTING.length)];
            }
            if (b.length >= 8 && rnd.nextBoolean()) {
                b[4] = 0x21;
                b[5] = 0x12;
                b[6] = (byte) 0xa4;
                b[7] = 0x42;
            }
            try {
                checkFraming(b);
            } catch (Throwable t) {
                throw new AssertionError(String.format("framing iteration %d, seed 0x%x, input %s", i, SEED, Hex.of(b)), t);
            }
        }
    }

    private static void checkFraming(byte[] b) {
        ByteBuf buf = Unpooled.wrappedBuffer(b);
        int readable = b.length;
        int first = readable > 0 ? b[0] & 0xFF : -1;
        Framing.Kind kind = Framing.detect(buf);
        Framing.Kind streamKind = Framing.detectStream(buf);
        int frame = Framing.streamFrameLength(buf);
        int channel = ChannelData.channelNumber(buf);
        int length = ChannelData.dataLength(buf);
        boolean valid = ChannelData.isValid(buf);
        if (buf.readerIndex() != 0 || buf.writerIndex() != readable) {
            throw new AssertionError("indices moved");
        }
        if (kind == Framing.Kind.CHANNEL_DATA != (first >= 64 && first <= 127)) {
            throw new AssertionError("detect CHANNEL_DATA mismatch: " + kind);
        }
        if (kind == Framing.Kind.STUN && first > 3) {
            throw new AssertionError("detect STUN with first byte " + first);
        }
        if (streamKind == Framing.Kind.TLS && first != 22) {
            throw new AssertionError("detectStream TLS with first byte " + first);
        }
        if ((frame == Framing.NEED_MORE) != (readable < 4)) {
            throw new AssertionError("NEED_MORE mismatch: " + frame);
        }
        if (frame != Framing.NEED_MORE && frame != Framing.INVALID) {
            if (first >= 64 && first <= 127) {
                if (frame != ChannelData.streamFrameLength(length) || frame % 4 != 0) {
                    throw new AssertionError("ChannelData frame " + frame + " for length " + length);
                }
            } else if (first <= 3) {
                if (frame != 20 + length) {
                    throw new AssertionError("STUN frame " + frame + " for length " + length);
                }
            } else {
                throw new AssertionError("frame " + frame + " for first byte " + first);
            }
        }
        if (valid && (!ChannelData.isChannelNumber(channel) || length > readable - 4)) {
            throw new AssertionError("isValid accepted channel " + channel + " length " + length);
        }
        if ((channel == -1) != (readable < 2) || (length == -1) != (readable < 4)) {
            throw new AssertionError("short-buffer results wrong: " + channel + " " + length);
        }
    }

    /** @return true when it decoded */
    private static boolean check(byte[] input, int offset, int iteration) {
        ByteBuf buf;
        if (offset == 0) {
            buf = Unpooled.wrappedBuffer(input); // capacity == length: any over-read throws
        } else {
            byte[] framed = new byte[input.length + offset];
            System.arraycopy(input, 0, framed, offset, input.length);
            buf = Unpooled.wrappedBuffer(framed).skipBytes(offset);
        }
        try {
            DecodedMessage d;
            try {
                d = StunDecoder.decode(buf);
            } catch (StunParseException e) {
                if (e.reason() == StunParseException.Reason.INTERNAL_ERROR) {
                    throw new AssertionError("decoder bug: " + e.getMessage(), e.getCause());
                }
                return false;
            }
            if (buf.readerIndex() != offset) {
                throw new AssertionError("reader index moved to " + buf.readerIndex());
            }
            d.verifyMessageIntegrity(KEY);
            d.verifyMessageIntegritySha256(KEY);
            d.fingerprintValid();
            StunMessage m = d.message();
            byte[] again = StunEncoder.encode(m, Integrity.none(), false);
            StunMessage back = StunDecoder.decode(again).message();
            if (!back.equals(withoutTrailer(m))) {
                throw new AssertionError("re-encoded message differs:\n" + m + "\n" + back);
            }
            return true;
        } catch (Throwable t) {
            throw new AssertionError(String.format("iteration %d, seed 0x%x (-Dtraverse.fuzz.seed), offset %d, input %s",
                    iteration, SEED, offset, Hex.of(input)), t);
        }
    }

    private static StunMessage withoutTrailer(StunMessage m) {
        StunMessage.Builder b = StunMessage.builder(m.type(), m.transactionId());
        for (StunAttribute a : m.attributes()) {
            int t = a.type().code();
            if (t != 0x0008 && t != 0x001C && t != 0x8028) {
                b.add(a);
            }
        }
        return b.build();
    }

    // ---- corpus ----

    private static List<byte[]> corpus(SplittableRandom rnd) {
        List<byte[]> out = new ArrayList<>();
        out.add(Rfc5769VectorsTest.REQUEST);
        out.add(Rfc5769VectorsTest.IPV4_RESPONSE);
        out.add(Rfc5769VectorsTest.IPV6_RESPONSE);
        out.add(Rfc5769VectorsTest.LONG_TERM_REQUEST);
        out.add(Rfc8489VectorTest.B1);
        List<StunAttribute> samples = AttributeSamples.all();
        for (StunAttribute a : samples) {
            out.add(encode(List.of(a), rnd));
        }
        for (int k = 0; k < 300; k++) {
            List<StunAttribute> pick = new ArrayList<>();
            int n = 1 + rnd.nextInt(6);
            for (int j = 0; j < n; j++) {
                pick.add(samples.get(rnd.nextInt(samples.size())));
            }
            out.add(encode(pick, rnd));
        }
        out.removeIf(b -> b.length > 4000); // keep iterations cheap
        return out;
    }

    private static byte[] encode(List<StunAttribute> attrs, SplittableRandom rnd) {
        byte[] tid = new byte[12];
        rnd.nextBytes(tid);
        Method method = Method.valueOf(rnd.nextInt(16));
        MessageClass cls = MessageClass.values()[rnd.nextInt(4)];
        StunMessage m = StunMessage.builder(new MessageType(method, cls), TransactionId.of(tid)).addAll(attrs).build();
        Integrity integrity = switch (rnd.nextInt(4)) {
            case 0 -> Integrity.none();
            case 1 -> Integrity.sha1(KEY);
            case 2 -> Integrity.sha256(KEY);
            default -> Integrity.sha256(KEY, 16 + 4 * rnd.nextInt(4));
        };
        return StunEncoder.encode(m, integrity, rnd.nextBoolean());
    }

    // ---- mutations ----

    private static byte[] mutate(byte[] base, SplittableRandom rnd) {
        byte[] b = base.clone();
        int rounds = 1 + rnd.nextInt(3);
        for (int r = 0; r < rounds; r++) {
            b = mutateOnce(b, rnd);
        }
        if (b.length >= 20 && rnd.nextBoolean()) {
            int length = b.length - 20;
            b[2] = (byte) (length >> 8);
            b[3] = (byte) length;
        }
        return b;
    }

    private static byte[] mutateOnce(byte[] b, SplittableRandom rnd) {
        switch (rnd.nextInt(9)) {
            case 0: { // flip bits
                if (b.length == 0) {
                    return b;
                }
                int flips = 1 + rnd.nextInt(4);
                for (int k = 0; k < flips; k++) {
                    b[rnd.nextInt(b.length)] ^= (byte) (1 << rnd.nextInt(8));
                }
                return b;
            }
            case 1: { // overwrite a byte (past the header, mostly)
                if (b.length == 0) {
                    return b;
                }
                int at = b.length > 20 && rnd.nextInt(4) != 0 ? 20 + rnd.nextInt(b.length - 20) : rnd.nextInt(b.length);
                b[at] = (byte) (rnd.nextBoolean() ? INTERESTING[rnd.nextInt(INTERESTING.length)] : rnd.nextInt(256));
                return b;
            }
            case 2: // truncate
                return java.util.Arrays.copyOf(b, b.length == 0 ? 0 : rnd.nextInt(b.length));
            case 3: { // extend with random bytes
                int extra = rnd.nextInt(1, 24);
                byte[] out = java.util.Arrays.copyOf(b, b.length + extra);
                for (int k = b.length; k < out.length; k++) {
                    out[k] = (byte) rnd.nextInt(256);
                }
                return out;
            }
            case 4: { // retype an attribute as some known type, so typed decoders see foreign values
                int at = randomAttributeOffset(b, rnd);
                if (at >= 0) {
                    int t = KNOWN_TYPES[rnd.nextInt(KNOWN_TYPES.length)];
                    b[at] = (byte) (t >> 8);
                    b[at + 1] = (byte) t;
                }
                return b;
            }
            case 5: { // corrupt an attribute length
                int at = randomAttributeOffset(b, rnd);
                if (at >= 0) {
                    int old = ((b[at + 2] & 0xFF) << 8) | (b[at + 3] & 0xFF);
                    int len = rnd.nextBoolean() ? Math.max(0, old + rnd.nextInt(-4, 5)) : rnd.nextInt(65536);
                    b[at + 2] = (byte) (len >> 8);
                    b[at + 3] = (byte) len;
                }
                return b;
            }
            case 6: { // insert a random attribute of a known type at an attribute boundary
                int at = randomAttributeOffset(b, rnd);
                if (at < 0) {
                    at = Math.min(20, b.length);
                }
                int len = rnd.nextInt(41);
                int padded = (len + 3) & ~3;
                byte[] attr = new byte[4 + padded];
                int t = KNOWN_TYPES[rnd.nextInt(KNOWN_TYPES.length)];
                attr[0] = (byte) (t >> 8);
                attr[1] = (byte) t;
                attr[2] = (byte) (len >> 8);
                attr[3] = (byte) len;
                for (int k = 4; k < 4 + len; k++) {
                    attr[k] = (byte) (rnd.nextInt(3) == 0 ? INTERESTING[rnd.nextInt(INTERESTING.length)] : rnd.nextInt(256));
                }
                byte[] out = new byte[b.length + attr.length];
                System.arraycopy(b, 0, out, 0, at);
                System.arraycopy(attr, 0, out, at, attr.length);
                System.arraycopy(b, at, out, at + attr.length, b.length - at);
                return out;
            }
            case 7: { // random body behind a plausible header
                byte[] out = new byte[20 + 4 * rnd.nextInt(12)];
                rnd.nextBytes(out);
                System.arraycopy(b, 0, out, 0, Math.min(20, b.length));
                return out;
            }
            default: { // plain random bytes
                byte[] out = new byte[rnd.nextInt(64)];
                rnd.nextBytes(out);
                return out;
            }
        }
    }

    /** Offset of a random attribute header found by walking the TLVs as they are, or -1. */
    private static int randomAttributeOffset(byte[] b, SplittableRandom rnd) {
        int[] offsets = new int[64];
        int n = 0;
        int pos = 20;
        while (pos + 4 <= b.length && n < offsets.length) {
            offsets[n++] = pos;
            int len = ((b[pos + 2] & 0xFF) << 8) | (b[pos + 3] & 0xFF);
            pos += 4 + ((len + 3) & ~3);
        }
        return n == 0 ? -1 : offsets[rnd.nextInt(n)];
    }
}
