package io.traverse.stun.auth;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.stream.Collectors;

/** Reads the STUN message fixtures in src/test/resources/auth and finds an attribute in them. */
public final class StunVectors {
    /** RFC 5769 §2.4 / RFC 8489 B.1 username: katakana "matorikkusu". */
    public static final String USERNAME = "\u30DE\u30C8\u30EA\u30C3\u30AF\u30B9";

    private StunVectors() {}

    public static byte[] load(String name) {
        try (InputStream in = StunVectors.class.getResourceAsStream("/auth/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing fixture " + name);
            }
            String hex = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
                    .filter(l -> !l.startsWith("#"))
                    .collect(Collectors.joining())
                    .replaceAll("\\s+", "");
            return HexFormat.of().parseHex(hex);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Offset of the header of the first attribute of {@code type}, or -1. */
    public static int attributeOffset(byte[] msg, int type) {
        int off = 20;
        while (off + 4 <= msg.length) {
            int t = ((msg[off] & 0xFF) << 8) | (msg[off + 1] & 0xFF);
            int len = ((msg[off + 2] & 0xFF) << 8) | (msg[off + 3] & 0xFF);
            if (t == type) {
                return off;
            }
            off += 4 + ((len + 3) & ~3);
        }
        return -1;
    }

    public static byte[] attributeValue(byte[] msg, int type) {
        int off = attributeOffset(msg, type);
        int len = ((msg[off + 2] & 0xFF) << 8) | (msg[off + 3] & 0xFF);
        return Arrays.copyOfRange(msg, off + 4, off + 4 + len);
    }
}
