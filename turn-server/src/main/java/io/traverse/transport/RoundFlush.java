package io.traverse.transport;

import io.netty.channel.Channel;

/**
 * Flushes one channel once per event-loop round instead of once per caller. A UDP listener socket carries what
 * every relay socket of its loop receives for its clients: each relay socket's read batch used to flush the
 * listener at once, one {@code sendto} per datagram; deferred to a task, the flush runs after the loop has
 * handled every socket that was ready in this round (Netty runs tasks after the I/O of a round), and the
 * datagrams queued meanwhile leave in one {@code sendmmsg}. The delay is the rest of the round, microseconds.
 *
 * <p>What waits for the round's end must not look like backpressure: the relay drops a datagram when the client's
 * channel is not writable (above Netty's high water mark, 64 KiB by default). So a request flushes at once when
 * fewer than {@link #FLUSH_NOW_BELOW} bytes are left before that mark, room for one more relay socket's read batch.
 *
 * <p>One per listener channel, used on its loop only: not thread-safe.
 */
final class RoundFlush implements Runnable {
    /** A relay socket's read batch at most: 16 datagrams (Netty's messages per read) of up to 2 KiB. */
    static final int FLUSH_NOW_BELOW = 32 * 1024;

    private final Channel channel;
    private boolean scheduled;

    RoundFlush(Channel channel) {
        this.channel = channel;
    }

    /** Asks for a flush of the channel after the current round; many requests in a round make one flush. */
    void request() {
        if (channel.bytesBeforeUnwritable() < FLUSH_NOW_BELOW) {
            channel.flush();
        } else if (!scheduled) {
            scheduled = true;
            channel.eventLoop().execute(this);
        }
    }

    @Override
    public void run() {
        scheduled = false;
        channel.flush();
    }
}
