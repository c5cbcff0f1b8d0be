package io.traverse.config;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Duration syntax of the configuration file: a non-negative integer number of seconds, or an integer
 * with one unit suffix: {@code ms}, {@code s}, {@code m}, {@code h}, {@code d} ({@code 500ms}, {@code 600s},
 * {@code 10m}, {@code 12h}, {@code 1d}).
 */
final class Durations {
    private static final Pattern SYNTAX = Pattern.compile("([0-9]{1,18})(ms|s|m|h|d)?");

    static final String EXPECTED = "a duration such as 600s, 10m, 12h, 1d, 500ms or a number of seconds";

    private Durations() {}

    /**
     * Parses {@code text}.
     *
     * @throws IllegalArgumentException with a message saying what is expected
     */
    static Duration parse(String text) {
        Matcher m = SYNTAX.matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("must be " + EXPECTED + ", got \"" + text + "\"");
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        try {
            switch (unit) {
                case "ms":
                    return Duration.ofMillis(n);
                case "s":
                    return Duration.ofSeconds(n);
                case "m":
                    return Duration.ofSeconds(Math.multiplyExact(n, 60L));
                case "h":
                    return Duration.ofSeconds(Math.multiplyExact(n, 3600L));
                default:
                    return Duration.ofSeconds(Math.multiplyExact(n, 86400L));
            }
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("is too large, got \"" + text + "\"");
        }
    }

    /** Formats in the largest unit that represents {@code d} exactly, e.g. {@code 10m}, {@code 500ms}. */
    static String format(Duration d) {
        if (d.isNegative()) {
            return d.toString();
        }
        if (d.getNano() % 1_000_000 != 0) {
            return d.toString();
        }
        if (d.getNano() != 0) {
            try {
                return d.toMillis() + "ms";
            } catch (ArithmeticException e) {
                return d.toString();
            }
        }
        long s = d.getSeconds();
        if (s != 0 && s % 86400 == 0) {
            return s / 86400 + "d";
        }
        if (s != 0 && s % 3600 == 0) {
            return s / 3600 + "h";
        }
        if (s != 0 && s % 60 == 0) {
            return s / 60 + "m";
        }
        return s + "s";
    }
}
