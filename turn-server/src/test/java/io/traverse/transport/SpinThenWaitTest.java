package io.traverse.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.DefaultSelectStrategyFactory;
import io.netty.channel.SelectStrategy;
import io.netty.util.IntSupplier;
import io.netty.util.concurrent.FastThreadLocalThread;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * {@code server.spin-micros}: how a loop waits when it runs out of work. Each test runs the strategy on a thread of
 * its own, as a loop does: a STUN request handled on that thread arms it.
 */
class SpinThenWaitTest {
    private static final long SPIN = TimeUnit.MILLISECONDS.toNanos(2);

    /** A selectNow that finds nothing {@code empty} times, then {@code ready} sockets. */
    private static final class Polls implements IntSupplier {
        final AtomicInteger calls = new AtomicInteger();
        private final int empty;
        private final int ready;

        Polls(int empty, int ready) {
            this.empty = empty;
            this.ready = ready;
        }

        @Override
        public int get() {
            return calls.incrementAndGet() > empty ? ready : 0;
        }
    }

    @Test
    void zeroIsNettysOwnStrategyAndNegativeIsRefused() {
        assertSame(DefaultSelectStrategyFactory.INSTANCE, SpinThenWait.factory(0));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SpinThenWait.factory(-1));
        assertTrue(e.getMessage().contains("spinNanos"), e.getMessage());
    }

    @Test
    void withTasksPendingItLooksOnceWithoutSpinning() throws Exception {
        SelectStrategy strategy = SpinThenWait.factory(SPIN).newSelectStrategy();
        Polls nothing = new Polls(Integer.MAX_VALUE, 0);
        assertEquals(0, strategy.calculateStrategy(nothing, true), "tasks run now; the sockets had nothing");
        assertEquals(1, nothing.calls.get());
    }

    /** Runs {@code body} on a loop-like thread (Netty's FastThreadLocalThread) and rethrows what it threw. */
    private static void onLoopThread(ThrowingRunnable body) throws Exception {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread t = new FastThreadLocalThread(() -> {
            try {
                body.run();
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        t.start();
        t.join(TimeUnit.SECONDS.toMillis(30));
        if (failure.get() instanceof Exception e) {
            throw e;
        }
        if (failure.get() instanceof Error e) {
            throw e;
        }
    }

    private interface ThrowingRunnable {
        void run() throws Exception;
    }

    /** The loop's first wait (it registers the strategy with its thread); nothing is ready. */
    private static void firstWait(SelectStrategy strategy) throws Exception {
        assertEquals(SelectStrategy.SELECT, strategy.calculateStrategy(new Polls(Integer.MAX_VALUE, 0), false));
    }

    @Test
    void withoutAStunRequestTheLoopBlocksAtOnce() throws Exception {
        onLoopThread(() -> {
            SelectStrategy strategy = SpinThenWait.factory(TimeUnit.SECONDS.toNanos(10)).newSelectStrategy();
            Polls later = new Polls(1, 3);
            assertEquals(SelectStrategy.SELECT, strategy.calculateStrategy(later, false), "relayed traffic only");
            assertEquals(1, later.calls.get(), "one look, no polling");
        });
    }

    @Test
    void aSocketThatBecomesReadyWhileSpinningIsHandledWithoutBlocking() throws Exception {
        onLoopThread(() -> {
            SelectStrategy strategy = SpinThenWait.factory(TimeUnit.SECONDS.toNanos(10)).newSelectStrategy();
            firstWait(strategy);
            SpinThenWait.stunRequestHandled();
            Polls later = new Polls(5, 3);
            assertEquals(3, strategy.calculateStrategy(later, false), "the ready count, so the loop handles them");
            assertEquals(6, later.calls.get());
            Polls afterwards = new Polls(1, 3);
            assertEquals(SelectStrategy.SELECT, strategy.calculateStrategy(afterwards, false),
                    "one STUN request, one poll");
        });
    }

    @Test
    void nothingWithinTheSpinTimeMeansBlock() throws Exception {
        onLoopThread(() -> {
            SelectStrategy strategy = SpinThenWait.factory(SPIN).newSelectStrategy();
            firstWait(strategy);
            SpinThenWait.stunRequestHandled();
            Polls nothing = new Polls(Integer.MAX_VALUE, 0);
            long start = System.nanoTime();
            assertEquals(SelectStrategy.SELECT, strategy.calculateStrategy(nothing, false));
            assertTrue(System.nanoTime() - start >= SPIN, "it polled for the whole spin time before blocking");
            assertTrue(nothing.calls.get() > 1, "it polled again while spinning");
        });
    }

    @Test
    void pollsThatFindNothingPausePolling() throws Exception {
        onLoopThread(() -> {
            SelectStrategy strategy = SpinThenWait.factory(TimeUnit.MICROSECONDS.toNanos(50)).newSelectStrategy();
            firstWait(strategy);
            for (int i = 0; i < SpinThenWait.MISSES_BEFORE_PAUSE; i++) {
                SpinThenWait.stunRequestHandled();
                Polls nothing = new Polls(Integer.MAX_VALUE, 0);
                assertEquals(SelectStrategy.SELECT, strategy.calculateStrategy(nothing, false));
                assertTrue(nothing.calls.get() > 1, "miss " + i + " polled");
            }
            for (int i = 0; i < SpinThenWait.PAUSE_REQUESTS; i++) {
                SpinThenWait.stunRequestHandled();
                Polls later = new Polls(1, 3);
                assertEquals(SelectStrategy.SELECT, strategy.calculateStrategy(later, false), "paused");
                assertEquals(1, later.calls.get(), "request " + i + " of the pause: one look, no polling");
            }
            SpinThenWait.stunRequestHandled();
            Polls later = new Polls(1, 3);
            assertEquals(3, strategy.calculateStrategy(later, false), "after the pause it polls again");
        });
    }

    @Test
    void aStunRequestOnAnotherThreadDoesNotArmThisLoop() throws Exception {
        onLoopThread(() -> {
            SelectStrategy strategy = SpinThenWait.factory(TimeUnit.SECONDS.toNanos(10)).newSelectStrategy();
            firstWait(strategy);
            onLoopThread(SpinThenWait::stunRequestHandled);
            Polls later = new Polls(1, 3);
            assertEquals(SelectStrategy.SELECT, strategy.calculateStrategy(later, false));
            assertEquals(1, later.calls.get());
        });
    }
}
