package io.traverse.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.embedded.EmbeddedChannel;
import io.traverse.metrics.TraverseMetrics;
import io.traverse.metrics.TraverseMetrics.Limit;
import org.junit.jupiter.api.Test;

/** {@link StreamBackpressure} on an {@link EmbeddedChannel}: reading stops above the high mark, the hard cap closes. */
class StreamBackpressureTest {
    private final TraverseMetrics metrics = TraverseMetrics.inMemory();

    private EmbeddedChannel channel() {
        EmbeddedChannel ch = new EmbeddedChannel(new StreamBackpressure(4096, metrics));
        ch.config().setWriteBufferWaterMark(new WriteBufferWaterMark(1024, 2048));
        return ch;
    }

    @Test
    void readingStopsAboveHighMarkAndResumesWhenDrained() {
        EmbeddedChannel ch = channel();
        ch.write(Unpooled.wrappedBuffer(new byte[1500]));
        assertTrue(ch.config().isAutoRead(), "below the high mark");
        ch.write(Unpooled.wrappedBuffer(new byte[1500]));
        assertFalse(ch.isWritable());
        assertFalse(ch.config().isAutoRead(), "above the high mark the client is no longer read");
        ch.flush();
        assertTrue(ch.isWritable());
        assertTrue(ch.config().isAutoRead(), "below the low mark reading resumes");
        assertTrue(ch.isOpen());
        ch.finishAndReleaseAll();
    }

    @Test
    void closedPastMaxPendingBytesAndCounted() {
        EmbeddedChannel ch = channel();
        for (int i = 0; i < 2; i++) {
            ch.write(Unpooled.wrappedBuffer(new byte[1900]));
        }
        // Netty counts 96 bytes of overhead per queued write: 2 x 1996 bytes are under the cap, one more is over.
        assertTrue(ch.isOpen(), "3992 bytes queued: under the cap");
        ch.write(Unpooled.wrappedBuffer(new byte[200]));
        assertFalse(ch.isOpen(), "4288 bytes queued: over the 4096-byte cap");
        assertEquals(1, metrics.refusedCount(Limit.STREAM_PENDING_BYTES));
        ch.finishAndReleaseAll();
    }
}
