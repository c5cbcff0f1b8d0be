package io.traverse.turn;

/**
 * What one allocation relayed, each way: bytes and packets passed, packets dropped over its bandwidth limit,
 * and the bit rate of the last complete one-second window; plus the optional per-direction rate limit (coturn's
 * {@code max-bps}). Plain longs, no allocation: updated and read on the allocation's event loop only.
 *
 * <p>The relay calls {@link #admitToPeer} or {@link #admitToClient} once per packet; a false answer means drop
 * (over the limit) and the drop is already counted here.
 */
public final class RelayTraffic {
    /** The rate window. */
    static final long WINDOW_NANOS = 1_000_000_000L;

    private final Direction toPeer = new Direction();
    private long limitBytesPerSecond;
    private final Direction toClient = new Direction();

    /** One direction's counters and limit. */
    private static final class Direction {
        long bytes;
        long packets;
        long dropped;
        long windowStart;
        long windowBytes;
        long lastRateBps;
        boolean started;
        ByteBucket limit;

        boolean admit(int length, long now) {
            if (limit != null && !limit.tryTake(length, now)) {
                dropped++;
                return false;
            }
            bytes += length;
            packets++;
            if (!started) {
                started = true;
                windowStart = now;
            } else if (now - windowStart >= WINDOW_NANOS) {
                roll(now);
            }
            windowBytes += length;
            return true;
        }

        private void roll(long now) {
            long elapsed = now - windowStart;
            // a window with no packet after it reads as zero: the rate is of the last full window only
            lastRateBps = elapsed >= 2 * WINDOW_NANOS ? 0 : windowBytes * 8L * 1_000_000_000L / elapsed;
            windowStart = now;
            windowBytes = 0;
        }

        long rateBps(long now) {
            if (!started) {
                return 0;
            }
            long elapsed = now - windowStart;
            if (elapsed >= 2 * WINDOW_NANOS) {
                return 0;
            }
            if (elapsed >= WINDOW_NANOS) {
                return windowBytes * 8L * 1_000_000_000L / elapsed;
            }
            return lastRateBps;
        }
    }

    /** A packet of {@code length} bytes from the client to a peer: true to relay it, false to drop it. */
    public boolean admitToPeer(int length, long nowNanos) {
        return toPeer.admit(length, nowNanos);
    }

    /** A packet of {@code length} bytes from a peer to the client: true to relay it, false to drop it. */
    public boolean admitToClient(int length, long nowNanos) {
        return toClient.admit(length, nowNanos);
    }

    /**
     * Limits each direction to {@code bytesPerSecond} with a burst of {@code burstBytes}; {@code 0} lifts the
     * limit. Call on the allocation's loop.
     */
    public void limit(long bytesPerSecond, long burstBytes, long nowNanos) {
        limitBytesPerSecond = Math.max(0, bytesPerSecond);
        toPeer.limit = bytesPerSecond <= 0 ? null : new ByteBucket(bytesPerSecond, burstBytes, nowNanos);
        toClient.limit = bytesPerSecond <= 0 ? null : new ByteBucket(bytesPerSecond, burstBytes, nowNanos);
    }

    /** The limit in bytes per second and direction, 0 for none. */
    public long limitBytesPerSecond() {
        return limitBytesPerSecond;
    }

    /** Whether a rate limit applies. */
    public boolean isLimited() {
        return toPeer.limit != null;
    }

    /** A copy of the counters, for the admin API. */
    public Snapshot snapshot(long nowNanos) {
        return new Snapshot(toPeer.bytes, toPeer.packets, toPeer.dropped, toPeer.rateBps(nowNanos),
                toClient.bytes, toClient.packets, toClient.dropped, toClient.rateBps(nowNanos));
    }

    /** The counters at one moment; rates in bits per second over the last one-second window. */
    public record Snapshot(long bytesToPeer, long packetsToPeer, long droppedToPeer, long bitsPerSecondToPeer,
            long bytesToClient, long packetsToClient, long droppedToClient, long bitsPerSecondToClient) {
        /** Nothing relayed yet. */
        public static final Snapshot NONE = new Snapshot(0, 0, 0, 0, 0, 0, 0, 0);
    }
}
