package io.traverse.stun.attr;

/** Hex formatting for the toString of byte-holding records. */
final class Bytes {
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private Bytes() {
    }

    /** Lower-case hex, cut to the first 32 bytes with an ellipsis and total length after that. */
    static String hex(byte[] b) {
        int shown = Math.min(b.length, 32);
        StringBuilder sb = new StringBuilder(shown * 2 + 16);
        for (int i = 0; i < shown; i++) {
            sb.append(HEX[(b[i] >> 4) & 0xF]).append(HEX[b[i] & 0xF]);
        }
        if (shown < b.length) {
            sb.append("...(").append(b.length).append(" bytes)");
        }
        return sb.toString();
    }

    static int requireU8(String what, int v) {
        if (v < 0 || v > 0xFF) {
            throw new IllegalArgumentException(what + " must be 0..255: " + v);
        }
        return v;
    }

    static int requireU16(String what, int v) {
        if (v < 0 || v > 0xFFFF) {
            throw new IllegalArgumentException(what + " must be 0..65535: " + v);
        }
        return v;
    }
}
