package io.traverse.transport;

import io.netty.channel.DefaultSelectStrategyFactory;
import io.netty.channel.SelectStrategy;
import io.netty.channel.SelectStrategyFactory;
import io.netty.util.IntSupplier;
import io.netty.util.concurrent.FastThreadLocal;

/**
 * How an event loop waits for work ({@code server.spin-micros}). A client's STUN transactions come in chains, each
 * sent when the last one's response arrives: 401 then Allocate, CreatePermission, ChannelBind, Refresh. So after a
 * loop has handled a STUN request and its work runs out, it keeps asking the kernel for ready sockets without
 * blocking ({@code epoll_wait} with a zero timeout) for up to {@code spinNanos} before it blocks: a request that
 * arrives meanwhile is handled without the loop going to sleep and being woken again, which on the virtual machines
 * TURN servers usually run on costs tens of microseconds of CPU and latency, more than the work of a STUN request.
 *
 * <p>Relayed traffic alone never makes a loop poll: under relay load the loop's next datagram comes from another
 * client at a random time, and polling for it cost more CPU per relayed message than the sleep it saved
 * (docs/benchmarks.md, session 8). And polling stops paying when clients are far away (a next request takes a
 * network round trip): after {@link #MISSES_BEFORE_PAUSE} polls in a row that found nothing, the loop lets
 * {@link #PAUSE_REQUESTS} STUN requests go without polling before it tries again. The worst case, clients that
 * never answer within the spin time, costs {@code spinNanos} of polling for 4 of every 68 STUN requests.
 */
final class SpinThenWait implements SelectStrategy {
    /** Polls in a row that found nothing before the loop pauses polling. */
    static final int MISSES_BEFORE_PAUSE = 4;
    /** STUN requests that go without a poll after it stopped paying. */
    static final int PAUSE_REQUESTS = 64;

    /** The strategy of the loop running on this thread, once it has waited once. */
    private static final FastThreadLocal<SpinThenWait> CURRENT = new FastThreadLocal<>();

    private final long spinNanos;
    /** A STUN request was handled since the loop last waited. */
    private boolean armed;
    private int misses;
    private int paused;

    private SpinThenWait(long spinNanos) {
        this.spinNanos = spinNanos;
    }

    /** Netty's own strategy (block at once) for 0, else one that polls for {@code spinNanos} after STUN first. */
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
     * A STUN request was handled on this thread: when its loop runs out of work it polls for the client's next
     * request first. Nothing happens on a thread that is not such a loop.
     */
    static void stunRequestHandled() {
        SpinThenWait loop = CURRENT.getIfExists();
        if (loop != null) {
            loop.armed = true;
        }
    }

    /**
     * Tasks pending: look at the sockets without blocking, as Netty's own strategy does. Otherwise, after a STUN
     * request, poll until a socket is ready (their count: handle them) or the spin time is over ({@link #SELECT}:
     * block); without one, block at once.
     */
    @Override
    public int calculateStrategy(IntSupplier selectNow, boolean hasTasks) throws Exception {
        int ready = selectNow.get();
        if (ready != 0 || hasTasks) {
            return ready;
        }
        if (!armed) {
            if (CURRENT.getIfExists() != this) {
                CURRENT.set(this); // the loop's first wait: the strategy is created on another thread
            }
            return SELECT;
        }
        armed = false;
        if (paused > 0) {
            paused--;
            return SELECT;
        }
        long deadline = System.nanoTime() + spinNanos;
        do {
            ready = selectNow.get();
            if (ready != 0) {
                misses = 0;
                return ready;
            }
        } while (System.nanoTime() - deadline < 0);
        if (++misses >= MISSES_BEFORE_PAUSE) {
            misses = 0;
            paused = PAUSE_REQUESTS;
        }
        return SELECT;
    }
}
