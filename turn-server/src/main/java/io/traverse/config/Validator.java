package io.traverse.config;

import io.traverse.net.IpAddresses;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Collects the problems found by one record's compact constructor and throws them together. Keys are
 * relative to the record (the YAML spelling, e.g. {@code event-loops}).
 */
final class Validator {
    private final List<ConfigProblem> problems = new ArrayList<>();

    void add(String key, String message) {
        problems.add(new ConfigProblem(key, message));
    }

    boolean hasProblem(String key) {
        for (ConfigProblem p : problems) {
            if (Keys.related(p.key(), key)) {
                return true;
            }
        }
        return false;
    }

    boolean notNull(String key, Object value) {
        if (value == null) {
            add(key, "must not be null");
            return false;
        }
        return true;
    }

    void range(String key, long value, long min, long max) {
        if (value < min || value > max) {
            add(key, "must be between " + min + " and " + max + ", got " + value);
        }
    }

    void atLeast(String key, long value, long min) {
        if (value < min) {
            add(key, "must be at least " + min + ", got " + value);
        }
    }

    /** Non-null and at least {@code min}. */
    boolean duration(String key, Duration value, Duration min) {
        if (!notNull(key, value)) {
            return false;
        }
        if (value.compareTo(min) < 0) {
            add(key, "must be at least " + Durations.format(min) + ", got " + Durations.format(value));
            return false;
        }
        return true;
    }

    /** Non-null, at least one second and a whole number of seconds (it goes into a 32-bit seconds field). */
    boolean wholeSeconds(String key, Duration value) {
        if (!duration(key, value, Duration.ofSeconds(1))) {
            return false;
        }
        if (value.getNano() != 0) {
            add(key, "must be a whole number of seconds, got " + Durations.format(value));
            return false;
        }
        if (value.getSeconds() > 0xFFFF_FFFFL) {
            add(key, "must be at most 4294967295s, got " + Durations.format(value));
            return false;
        }
        return true;
    }

    /** Non-null and not a multicast address (one cannot bind to or relay from a multicast address). */
    boolean unicast(String key, InetAddress address) {
        if (!notNull(key, address)) {
            return false;
        }
        if (address.isMulticastAddress()) {
            add(key, "must not be a multicast address, got " + IpAddresses.format(address));
            return false;
        }
        return true;
    }

    /**
     * A non-null list without null elements. Returns false (and reports) otherwise.
     */
    boolean list(String key, List<?> list) {
        if (!notNull(key, list)) {
            return false;
        }
        boolean ok = true;
        for (int i = 0; i < list.size(); i++) {
            if (list.get(i) == null) {
                add(Keys.index(key, i), "must not be null");
                ok = false;
            }
        }
        return ok;
    }

    /**
     * Text for a STUN REALM or SOFTWARE attribute (RFC 8489 §14.9, §14.14): fewer than 128 characters
     * (which bounds the UTF-8 encoding to 508 bytes, inside the RFC's 763-byte limit) and no control
     * characters.
     */
    void attributeText(String key, String text) {
        int codePoints = text.codePointCount(0, text.length());
        if (codePoints >= 128) {
            add(key, "must be fewer than 128 characters (RFC 8489), got " + codePoints);
        }
        if (text.codePoints().anyMatch(Character::isISOControl)) {
            add(key, "must not contain control characters");
        }
    }

    /** Throws all problems collected, if any. */
    void done() {
        if (!problems.isEmpty()) {
            throw new InvalidConfigException(problems);
        }
    }
}
