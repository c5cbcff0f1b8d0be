package io.traverse.config;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Byte-size syntax of the configuration file: a number of bytes, or an integer with a binary unit suffix
 * {@code k}/{@code KiB} (1024) or {@code m}/{@code MiB} (1024²): {@code 8m}, {@code 8MiB}, {@code 512k}.
 */
final class ByteSizes {
    private static final Pattern SYNTAX = Pattern.compile("([0-9]{1,10})\\s*(k|K|KiB|m|M|MiB)?");

    static final String EXPECTED = "a size such as 8m, 8MiB, 512k or a number of bytes";

    private ByteSizes() {}

    /**
     * Parses {@code text}.
     *
     * @throws IllegalArgumentException with a message saying what is expected, or that the size exceeds 2 GiB
     */
    static int parse(String text) {
        Matcher m = SYNTAX.matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("must be " + EXPECTED + ", got \"" + text + "\"");
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "" : m.group(2);
        long factor = unit.isEmpty() ? 1 : unit.startsWith("k") || unit.startsWith("K") ? 1024 : 1024 * 1024;
        long bytes = n * factor;
        if (bytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("must be less than 2 GiB, got \"" + text + "\"");
        }
        return (int) bytes;
    }
}
