package io.traverse.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code bandwidth} section (coturn's {@code max-bps} and {@code bps-capacity}): each allocation may relay at
 * most {@code maxBps} bytes per second in each direction, with a small burst; packets over it are dropped and
 * counted. The server hands out at most {@code bpsCapacity} bytes per second in all: an Allocate that would exceed
 * it is refused with 508 (Insufficient Capacity).
 *
 * @param maxBps      bytes per second per allocation and direction, 0 = no limit
 * @param bpsCapacity bytes per second for all allocations together, 0 = no limit; needs {@code max-bps}
 * @param users       per-user limits ({@code user=bytes-per-second}, the user part of a TURN REST name) that
 *                    replace {@code max-bps}
 */
public record BandwidthConfig(int maxBps, int bpsCapacity, List<UserLimit> users) {

    /** {@code user=bytes-per-second}. */
    public record UserLimit(String user, int bytesPerSecond) {
        /** Parses {@code user=bytes-per-second}. */
        public static UserLimit parse(String text) {
            int eq = text.lastIndexOf('=');
            if (eq <= 0 || eq == text.length() - 1) {
                throw new IllegalArgumentException("expected user=bytes-per-second, got \"" + text + "\"");
            }
            int rate;
            try {
                rate = Integer.parseInt(text.substring(eq + 1).strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("expected user=bytes-per-second, got \"" + text + "\"");
            }
            if (rate < 1) {
                throw new IllegalArgumentException("the rate must be at least 1 byte per second, got " + rate);
            }
            return new UserLimit(text.substring(0, eq).strip(), rate);
        }
    }

    public BandwidthConfig {
        Validator v = new Validator();
        v.atLeast("max-bps", maxBps, 0);
        v.atLeast("bps-capacity", bpsCapacity, 0);
        if (bpsCapacity > 0 && maxBps == 0) {
            v.add("bps-capacity", "needs max-bps: the capacity is shared out as each allocation's max-bps");
        }
        if (v.list("users", users)) {
            java.util.Set<String> seen = new java.util.HashSet<>();
            for (UserLimit u : users) {
                if (!seen.add(u.user())) {
                    v.add("users", "user " + u.user() + " is listed more than once");
                }
            }
        }
        v.done();
        users = List.copyOf(users);
    }

    /** No limits. */
    public static BandwidthConfig defaults() {
        return new BandwidthConfig(0, 0, List.of());
    }

    /** The per-user limits by user. */
    public Map<String, Integer> userLimits() {
        Map<String, Integer> map = new LinkedHashMap<>();
        for (UserLimit u : users) {
            map.put(u.user(), u.bytesPerSecond());
        }
        return map;
    }
}
