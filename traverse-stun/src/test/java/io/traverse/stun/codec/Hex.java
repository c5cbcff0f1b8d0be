package io.traverse.stun.codec;

import java.util.HexFormat;

/** Hex fixtures as the RFCs print them: whitespace and line breaks are ignored. */
final class Hex {
    private Hex() {
    }

    static byte[] bytes(String hex) {
        return HexFormat.of().parseHex(hex.replaceAll("\\s+", ""));
    }

    static String of(byte[] b) {
        return HexFormat.of().formatHex(b);
    }
}
