package io.traverse.util;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Counts of something a remote party holds (connections, associations, handshakes) per source: one IPv4 address, or
 * one IPv6 /64 (a single host usually controls a whole /64, so counting per IPv6 address would not limit it).
 * Thread-safe; a source whose count drops to zero leaves the map, so the map holds only sources with live entries.
 */
public final class SourceCounts {
    private final ConcurrentHashMap<Object, Integer> counts = new ConcurrentHashMap<>();
    private final int max;

    /** At most {@code max} per source. */
    public SourceCounts(int max) {
        this.max = max;
    }

    /** The key {@code address} is counted under: the IPv4 address, or the first 64 bits of an IPv6 address. */
    public static Object key(InetAddress address) {
        byte[] b = address.getAddress();
        if (address instanceof Inet6Address) {
            long prefix = 0;
            for (int i = 0; i < 8; i++) {
                prefix = (prefix << 8) | (b[i] & 0xff);
            }
            return prefix;
        }
        return ((b[0] & 0xff) << 24) | ((b[1] & 0xff) << 16) | ((b[2] & 0xff) << 8) | (b[3] & 0xff);
    }

    /** Counts one more for {@code address}'s source; false (nothing counted) when it already holds the maximum. */
    public boolean tryAcquire(InetAddress address) {
        boolean[] acquired = {false};
        counts.compute(key(address), (k, n) -> {
            int c = n == null ? 0 : n;
            if (c >= max) {
                return n;
            }
            acquired[0] = true;
            return c + 1;
        });
        return acquired[0];
    }

    /** Counts one less for {@code address}'s source (after a successful {@link #tryAcquire}). */
    public void release(InetAddress address) {
        counts.computeIfPresent(key(address), (k, n) -> n <= 1 ? null : n - 1);
    }

    /** The count of {@code address}'s source now. */
    public int count(InetAddress address) {
        return counts.getOrDefault(key(address), 0);
    }
}
