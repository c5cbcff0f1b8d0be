package io.traverse.config;

import java.util.Objects;

/**
 * One problem found in a configuration: the full dotted key it concerns, what is wrong, and where the
 * value came from.
 *
 * <p>Keys use the YAML spelling with list indexes in brackets, e.g. {@code relay.port-range.min} or
 * {@code listeners[1].address}. A problem that concerns the document as a whole (a YAML syntax error, an
 * unreadable file) has the empty key. Messages never contain secret values.
 *
 * @param key     full dotted key, or {@code ""} for a problem with the whole document
 * @param message what is wrong, e.g. {@code must be between 1 and 65535, got 70000}
 * @param origin  where the value came from ({@code line 12}, {@code override}), or {@code null} if unknown
 */
public record ConfigProblem(String key, String message, String origin) {

    public ConfigProblem {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(message, "message");
    }

    /** A problem without origin information. */
    public ConfigProblem(String key, String message) {
        this(key, message, null);
    }

    /** This problem with {@code prefix} prepended to its key (used to nest a record's problems). */
    ConfigProblem under(String prefix) {
        return new ConfigProblem(Keys.join(prefix, key), message, origin);
    }

    /** {@code key: message (origin)}: the form printed by {@code turn-cli config check}, one per line. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        if (!key.isEmpty()) {
            sb.append(key).append(": ");
        }
        sb.append(message);
        if (origin != null) {
            sb.append(" (").append(origin).append(')');
        }
        return sb.toString();
    }
}
