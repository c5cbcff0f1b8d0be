package io.traverse.transport;

import io.netty.channel.DefaultSelectStrategyFactory;
import io.netty.channel.SelectStrategy;
import io.netty.channel.SelectStrategyFactory;
import io.netty.util.IntSupplier;

/**
 * How an event loop waits for work ({@code server.spin-micros}): when its sockets and tasks run dry it keeps asking
 * the kernel for ready sockets without blocking ({@code epoll_wait} with a zero timeout) for up to
 * {@code spinNanos}, and only then blocks. A datagram that arrives within that time is handled without the loop
 * going to sleep and being woken again: on the virtual machines TURN servers usually run on, a sleep and its
 * wake-up cost tens of microseconds of CPU and latency, more than the work of a STUN request. The price is at most
 * {@code spinNanos} of polling per time the loop runs out of work (docs/benchmarks.md, session 8).
 */
final class SpinThenWait implements SelectStrategy {
    private final long spinNanos;

    private SpinThenWait(long spinNanos) {
        this.spinNanos = spinNanos;
    }

    /** Netty's own strategy (block at once) for 0, else one that polls for {@code spinNanos} first. */
    static SelectStrategyFactory factory(long spinNanos) {
        if (spinNanos < 0) {
            throw new IllegalArgumentException("spinNanos must be >= 0, got " + spinNanos);
        }
        if (spinNanos == 0) {
            return DefaultSelectStrategyFactory.INSTANCE;
        }
        return () -> new SpinThenWait(spinNanos);
    }

    /**
     * Tasks pending: look at the sockets without blocking, as Netty's own strategy does. Otherwise poll until a
     * socket is ready (their count: handle them) or the spin time is over ({@link #SELECT}: block).
     */
    @Override
    public int calculateStrategy(IntSupplier selectNow, boolean hasTasks) throws Exception {
        int ready = selectNow.get();
        if (ready != 0 || hasTasks) {
            return ready;
        }
        long deadline = System.nanoTime() + spinNanos;
        do {
            ready = selectNow.get();
            if (ready != 0) {
                return ready;
            }
        } while (System.nanoTime() - deadline < 0);
        return SELECT;
    }
}
