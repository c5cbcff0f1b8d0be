package io.traverse.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.DefaultSelectStrategyFactory;
import io.netty.channel.SelectStrategy;
import io.netty.util.IntSupplier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** {@code server.spin-micros}: how a loop waits when it runs out of work. */
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

    @Test
    void aSocketThatBecomesReadyWhileSpinningIsHandledWithoutBlocking() throws Exception {
        SelectStrategy strategy = SpinThenWait.factory(TimeUnit.SECONDS.toNanos(10)).newSelectStrategy();
        Polls later = new Polls(5, 3);
        assertEquals(3, strategy.calculateStrategy(later, false), "the ready count, so the loop handles them");
        assertEquals(6, later.calls.get());
    }

    @Test
    void nothingWithinTheSpinTimeMeansBlock() throws Exception {
        SelectStrategy strategy = SpinThenWait.factory(SPIN).newSelectStrategy();
        Polls nothing = new Polls(Integer.MAX_VALUE, 0);
        long start = System.nanoTime();
        assertEquals(SelectStrategy.SELECT, strategy.calculateStrategy(nothing, false));
        assertTrue(System.nanoTime() - start >= SPIN, "it polled for the whole spin time before blocking");
        assertTrue(nothing.calls.get() > 1, "it polled again while spinning");
    }
}
