package io.traverse.turn;

/**
 * Monotonic time source in nanoseconds, injected everywhere time matters so lifetimes, permissions,
 * channels and reservations are testable without sleeping.
 *
 * <p>Values follow {@link System#nanoTime()} rules: only differences are meaningful and two readings
 * must be compared by subtraction ({@code a - b < 0}), never with {@code <}, so that wrap-around is
 * harmless.
 */
@FunctionalInterface
public interface TurnClock {

    /** The current time in nanoseconds on an arbitrary but fixed origin. */
    long nanos();

    /** The system monotonic clock ({@link System#nanoTime()}). */
    static TurnClock system() {
        return System::nanoTime;
    }
}
