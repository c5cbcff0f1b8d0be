package io.traverse.transport;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import io.traverse.turn.Allocation;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The allocations of one event loop, swept together by one periodic timer: expired ones end, stale permissions and
 * channels go. One timer per loop instead of one per allocation saves a scheduled task and its lambda (~90 B) per
 * allocation, and a wake-up of the loop per allocation and period: with thousands of idle allocations those wake-ups
 * were most of an idle server's CPU. Used on its loop only.
 */
public final class LoopSweep {
    private final EventExecutor loop;
    private final long periodNanos;
    private final Consumer<Allocation> sweep;
    private RelaySession[] sessions = new RelaySession[16];
    private int size;
    private ScheduledFuture<?> timer;

    /** {@code sweep} is run for each allocation every {@code periodNanos}, on {@code loop}. */
    public LoopSweep(EventExecutor loop, long periodNanos, Consumer<Allocation> sweep) {
        this.loop = loop;
        this.periodNanos = periodNanos;
        this.sweep = sweep;
    }

    /** Sweeps {@code session}'s allocation from now on, until the session closes. */
    public void add(RelaySession session) {
        assert loop.inEventLoop();
        if (session.sweepSlot >= 0) {
            return;
        }
        if (size == sessions.length) {
            sessions = Arrays.copyOf(sessions, size * 2);
        }
        session.sweepSlot = size;
        session.sweeper = this;
        sessions[size++] = session;
        if (timer == null) {
            timer = loop.scheduleAtFixedRate(this::run, periodNanos, periodNanos, TimeUnit.NANOSECONDS);
        }
    }

    /** Stops sweeping {@code session} (it closed); the last session's slot takes its place. */
    void remove(RelaySession session) {
        int slot = session.sweepSlot;
        if (slot < 0 || slot >= size || sessions[slot] != session) {
            return;
        }
        RelaySession last = sessions[--size];
        sessions[slot] = last;
        last.sweepSlot = slot;
        sessions[size] = null;
        session.sweepSlot = -1;
        if (size == 0 && sessions.length > 16) {
            sessions = new RelaySession[16];
        } else if (size > 16 && size < sessions.length / 4) {
            sessions = Arrays.copyOf(sessions, sessions.length / 2);
        }
    }

    /** Allocations being swept. */
    public int size() {
        return size;
    }

    /** One pass over the loop's allocations (the timer's task). */
    void run() {
        // Downwards: a sweep that ends an allocation removes it, and the last one (already swept) takes its slot.
        for (int i = size - 1; i >= 0; i--) {
            if (i >= size) {
                continue;
            }
            Allocation allocation = sessions[i].allocation();
            if (allocation != null && !allocation.isClosed()) {
                sweep.accept(allocation);
            }
        }
    }
}
