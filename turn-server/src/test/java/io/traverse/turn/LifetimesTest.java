package io.traverse.turn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LifetimesTest {

    private final Lifetimes lt = Lifetimes.defaults();

    @Test
    void defaultsMatchTheRfc() {
        assertEquals(Duration.ofSeconds(600), lt.allocationDefault());
        assertEquals(Duration.ofSeconds(3600), lt.allocationMax());
        assertEquals(Duration.ofSeconds(300), lt.permission());
        assertEquals(Duration.ofSeconds(600), lt.channel());
        assertEquals(Duration.ofMinutes(5), Lifetimes.CHANNEL_REUSE_DELAY);
    }

    /** RFC 8656 §7.2: min(requested, max), but never below the default. */
    @ParameterizedTest
    @CsvSource({"0, 600", "1, 600", "599, 600", "600, 600", "601, 601", "1800, 1800", "3600, 3600", "3601, 3600",
        "4294967295, 3600"})
    void allocateLifetime(long requested, long granted) {
        assertEquals(granted, lt.allocateLifetimeSeconds(OptionalLong.of(requested)));
    }

    @Test
    void allocateWithoutLifetimeGetsDefault() {
        assertEquals(600, lt.allocateLifetimeSeconds(OptionalLong.empty()));
        assertEquals(600, lt.refreshLifetimeSeconds(OptionalLong.empty()));
    }

    /** RFC 8656 §8.2: zero deletes, anything else as for Allocate. */
    @ParameterizedTest
    @CsvSource({"0, 0", "1, 600", "600, 600", "601, 601", "3600, 3600", "99999, 3600"})
    void refreshLifetime(long requested, long desired) {
        assertEquals(desired, lt.refreshLifetimeSeconds(OptionalLong.of(requested)));
    }

    @Test
    void rejectsValuesOutsideTheAttribute() {
        assertThrows(IllegalArgumentException.class, () -> lt.allocateLifetimeSeconds(OptionalLong.of(-1)));
        assertThrows(IllegalArgumentException.class, () -> lt.refreshLifetimeSeconds(OptionalLong.of(1L << 32)));
    }

    @Test
    void customMaximumBelowDefaultIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> new Lifetimes(Duration.ofSeconds(600),
                Duration.ofSeconds(599), Duration.ofSeconds(300), Duration.ofSeconds(600)));
        assertThrows(IllegalArgumentException.class, () -> new Lifetimes(Duration.ZERO,
                Duration.ofSeconds(599), Duration.ofSeconds(300), Duration.ofSeconds(600)));
        assertThrows(IllegalArgumentException.class, () -> new Lifetimes(Duration.ofMillis(1500),
                Duration.ofSeconds(599), Duration.ofSeconds(300), Duration.ofSeconds(600)));
        assertThrows(NullPointerException.class, () -> new Lifetimes(null,
                Duration.ofSeconds(599), Duration.ofSeconds(300), Duration.ofSeconds(600)));
    }

    @Test
    void smallMaximumClampsEverythingToIt() {
        Lifetimes strict = new Lifetimes(Duration.ofSeconds(600), Duration.ofSeconds(600), Duration.ofSeconds(300),
                Duration.ofSeconds(600));
        assertEquals(600, strict.allocateLifetimeSeconds(OptionalLong.of(3600)));
        assertEquals(600, strict.allocateLifetimeSeconds(OptionalLong.of(10)));
    }
}
