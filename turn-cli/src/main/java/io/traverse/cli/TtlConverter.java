package io.traverse.cli;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Parses durations written as a number of seconds or a number with a unit: {@code 3600}, {@code 90s},
 * {@code 30m}, {@code 12h}, {@code 1d}. At least one second, at most 3650 days.
 */
final class TtlConverter implements ITypeConverter<Duration> {
    private static final Pattern SYNTAX = Pattern.compile("([0-9]{1,9})\\s*(s|m|h|d)?");
    static final Duration MAX = Duration.ofDays(3650);

    @Override
    public Duration convert(String value) {
        return parse(value);
    }

    static Duration parse(String value) {
        Matcher m = SYNTAX.matcher(value.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new TypeConversionException("'" + value + "' is not a duration; use seconds or a number with "
                    + "s, m, h or d, e.g. 3600, 30m, 12h, 1d");
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        Duration d;
        switch (unit) {
            case "m": d = Duration.ofMinutes(n); break;
            case "h": d = Duration.ofHours(n); break;
            case "d": d = Duration.ofDays(n); break;
            default: d = Duration.ofSeconds(n); break;
        }
        if (d.isZero()) {
            throw new TypeConversionException("duration must be at least 1 second, got '" + value + "'");
        }
        if (d.compareTo(MAX) > 0) {
            throw new TypeConversionException("duration must be at most 3650d, got '" + value + "'");
        }
        return d;
    }

    /** {@code 1d}, {@code 12h}, {@code 30m} or {@code 90s}: the largest unit that divides the duration. */
    static String format(Duration d) {
        long s = d.getSeconds();
        if (s % 86_400 == 0) {
            return s / 86_400 + "d";
        }
        if (s % 3_600 == 0) {
            return s / 3_600 + "h";
        }
        if (s % 60 == 0) {
            return s / 60 + "m";
        }
        return s + "s";
    }
}
