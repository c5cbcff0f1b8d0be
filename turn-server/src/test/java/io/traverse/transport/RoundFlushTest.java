package io.traverse.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

/**
 * The UDP listener's flush waits for the end of the loop's round (the loop's tasks run after its I/O), so what
 * several relay sockets read in one round leaves in one flush; it does not wait when waiting would make the channel
 * look backlogged to the relay.
 */
class RoundFlushTest {
    private final RelayFixture.FlushCounter flushes = new RelayFixture.FlushCounter();
    private final EmbeddedChannel listener = new EmbeddedChannel(flushes);
    private final RoundFlush roundFlush = new RoundFlush(listener);

    @Test
    void requestsOfOneRoundMakeOneFlushAfterTheRound() {
        // (an EmbeddedChannel runs its pending tasks on every write: both writes come first)
        listener.write(Unpooled.wrappedBuffer(new byte[100]));
        listener.write(Unpooled.wrappedBuffer(new byte[100]));
        roundFlush.request(); // the first relay socket's batch ends
        roundFlush.request(); // the second one's
        assertEquals(0, flushes.flushes, "nothing flushed before the round ends");

        listener.runPendingTasks(); // the loop's tasks, after its I/O
        assertEquals(1, flushes.flushes, "one flush for both relay sockets' batches");
        assertEquals(2, RelayFixture.drain(listener).size());

        roundFlush.request();
        listener.runPendingTasks();
        assertEquals(2, flushes.flushes, "the next round flushes again");
    }

    @Test
    void flushesAtOnceWhenWaitingWouldMakeTheListenerLookBacklogged() {
        int high = listener.config().getWriteBufferHighWaterMark();
        listener.write(Unpooled.wrappedBuffer(new byte[high - RoundFlush.FLUSH_NOW_BELOW + 1]));
        roundFlush.request();
        assertEquals(1, flushes.flushes, "less than a read batch of room before the high water mark: flushed now");
        assertEquals(true, listener.isWritable());
        RelayFixture.release(RelayFixture.drain(listener));
        listener.runPendingTasks();
    }
}
