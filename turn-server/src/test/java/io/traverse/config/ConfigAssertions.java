package io.traverse.config;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

/** Shared helpers for configuration tests. */
final class ConfigAssertions {
    private ConfigAssertions() {}

    /** Parses {@code yaml} expecting failure; returns the exception. */
    static ConfigException fails(String yaml) {
        return fails(yaml, Map.of());
    }

    static ConfigException fails(String yaml, Map<String, String> overrides) {
        return assertThrows(ConfigException.class, () -> ConfigLoader.parse(yaml, overrides));
    }

    /** Asserts that some problem, printed as {@code key: message (origin)}, contains {@code expected}. */
    static void assertProblem(ConfigException e, String expected) {
        assertTrue(e.problems().stream().anyMatch(p -> p.toString().contains(expected)),
                () -> "expected a problem containing <" + expected + "> but got:\n" + e.getMessage());
    }
}
