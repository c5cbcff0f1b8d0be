package io.traverse.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {

    @ParameterizedTest
    @CsvSource({
        "600, PT10M",
        "600s, PT10M",
        "10m, PT10M",
        "12h, PT12H",
        "1d, PT24H",
        "500ms, PT0.5S",
        "0, PT0S",
        "0ms, PT0S",
    })
    void parses(String text, String iso) {
        assertEquals(Duration.parse(iso), Durations.parse(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "s", "-1s", "1.5h", "10 m", "10min", "1h30m", "PT10M", "10S", "1w", "1000000000000000000000s"})
    void rejects(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Durations.parse(text));
        assertTrue(e.getMessage().startsWith("must be a duration") || e.getMessage().startsWith("is too large"),
                e.getMessage());
    }

    @Test
    void rejectsOverflow() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Durations.parse("999999999999999999d"));
        assertTrue(e.getMessage().startsWith("is too large"), e.getMessage());
    }

    @ParameterizedTest
    @CsvSource({
        "PT0S, 0s",
        "PT0.5S, 500ms",
        "PT1.5S, 1500ms",
        "PT45S, 45s",
        "PT10M, 10m",
        "PT90M, 90m",
        "PT2H, 2h",
        "PT48H, 2d",
        "PT0.000001S, PT0.000001S",
    })
    void formats(String iso, String text) {
        assertEquals(text, Durations.format(Duration.parse(iso)));
    }
}
