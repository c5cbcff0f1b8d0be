package io.traverse.util;

/**
 * Makes client-supplied text (usernames, realms) safe to put in a log line: control characters (which could
 * forge log lines or terminal escapes), non-ASCII characters and the backslash are written as {@code \\uXXXX}
 * escapes, and the result is cut at {@value #MAX_CHARS} characters. Plain printable ASCII passes unchanged.
 */
public final class LogText {
    /** Longest text kept (a USERNAME is at most 508 bytes). */
    public static final int MAX_CHARS = 512;

    private LogText() {}

    /** The escaped form of {@code text}; {@code "null"} for null. */
    public static String escape(String text) {
        if (text == null) {
            return "null";
        }
        int n = Math.min(text.length(), MAX_CHARS);
        boolean plain = n == text.length();
        for (int i = 0; plain && i < n; i++) {
            char c = text.charAt(i);
            plain = c >= 0x20 && c < 0x7F && c != '\\';
        }
        if (plain) {
            return text;
        }
        StringBuilder out = new StringBuilder(n + 16);
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            if (c >= 0x20 && c < 0x7F && c != '\\') {
                out.append(c);
            } else {
                out.append(String.format("\\u%04x", (int) c));
            }
        }
        if (n < text.length()) {
            out.append("...");
        }
        return out.toString();
    }
}
