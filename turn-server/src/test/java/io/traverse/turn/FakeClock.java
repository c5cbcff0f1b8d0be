package io.traverse.turn;

import java.time.Duration;

/** A hand-driven {@link TurnClock} for tests. */
final class FakeClock implements TurnClock {
    private long now;

    FakeClock(long start) {
        this.now = start;
    }

    @Override
    public long nanos() {
        return now;
    }

    void advance(Duration d) {
        now += d.toNanos();
    }

    void advanceNanos(long n) {
        now += n;
    }
}
