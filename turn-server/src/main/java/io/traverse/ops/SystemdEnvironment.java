package io.traverse.ops;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * Reads the environment variables systemd passes to a service for the notification protocol
 * ({@code sd_notify(3)}, {@code sd_watchdog_enabled(3)}): {@code NOTIFY_SOCKET}, {@code WATCHDOG_USEC}
 * and {@code WATCHDOG_PID}. Pure functions of the map they are given, so tests need no real environment.
 */
final class SystemdEnvironment {
    /** Name of the variable holding the notification socket address. */
    static final String NOTIFY_SOCKET = "NOTIFY_SOCKET";
    /** Name of the variable holding the watchdog timeout in microseconds. */
    static final String WATCHDOG_USEC = "WATCHDOG_USEC";
    /** Name of the variable naming the process the watchdog settings are meant for. */
    static final String WATCHDOG_PID = "WATCHDOG_PID";

    /** Size of {@code sun_path} in Linux's {@code struct sockaddr_un}. */
    static final int SUN_PATH_SIZE = 108;

    private SystemdEnvironment() {}

    /**
     * The notification socket named by {@code $NOTIFY_SOCKET}, as the string Netty's
     * {@code DomainSocketAddress} expects: an absolute path as is, or for a name starting with {@code '@'}
     * (Linux abstract namespace) the name with its {@code '@'} replaced by a NUL byte.
     *
     * @return empty when the variable is unset or empty
     * @throws IllegalArgumentException when it is set to something this implementation cannot use (a
     *     relative path, a {@code vsock:} address, or a name too long for {@code sun_path}); the message
     *     names the problem
     */
    static Optional<String> notifySocket(Map<String, String> env) {
        String value = env.get(NOTIFY_SOCKET);
        if (value == null || value.isEmpty()) {
            return Optional.empty();
        }
        String address;
        int limit;
        if (value.charAt(0) == '/') {
            address = value;
            limit = SUN_PATH_SIZE - 1; // room for the terminating NUL
        } else if (value.charAt(0) == '@' && value.length() > 1) {
            address = "\0" + value.substring(1);
            limit = SUN_PATH_SIZE; // abstract names are length-delimited, not NUL-terminated
        } else {
            throw new IllegalArgumentException(NOTIFY_SOCKET + " must be an absolute path or an abstract"
                    + " socket name starting with '@' (vsock: addresses are not supported): '" + value + "'");
        }
        if (address.indexOf('\0', 1) >= 0) {
            throw new IllegalArgumentException(NOTIFY_SOCKET + " contains a NUL character");
        }
        int length = address.getBytes(StandardCharsets.UTF_8).length;
        if (length > limit) {
            throw new IllegalArgumentException(NOTIFY_SOCKET + " is " + length + " bytes long; at most " + limit
                    + " fit in a Unix socket address: '" + value + "'");
        }
        return Optional.of(address);
    }

    /**
     * The watchdog timeout systemd expects pings within, following {@code sd_watchdog_enabled(3)}:
     * {@code $WATCHDOG_USEC} must be a positive decimal number of microseconds, and when
     * {@code $WATCHDOG_PID} is set it must equal {@code pid} (otherwise the settings belong to another
     * process, e.g. a parent shell, and the watchdog is off for this one).
     *
     * @return empty when the watchdog is not enabled for {@code pid}
     * @throws IllegalArgumentException when a variable is set but malformed; the message names it
     */
    static Optional<Duration> watchdogTimeout(Map<String, String> env, long pid) {
        String usec = env.get(WATCHDOG_USEC);
        if (usec == null || usec.isEmpty()) {
            return Optional.empty();
        }
        String watchdogPid = env.get(WATCHDOG_PID);
        if (watchdogPid != null && !watchdogPid.isEmpty()) {
            long expected = parsePositive(WATCHDOG_PID, watchdogPid);
            if (expected != pid) {
                return Optional.empty();
            }
        }
        return Optional.of(Duration.ofNanos(Math.multiplyExact(parsePositive(WATCHDOG_USEC, usec), 1000L)));
    }

    private static long parsePositive(String name, String value) {
        long parsed;
        try {
            parsed = Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " is not a decimal number: '" + value + "'", e);
        }
        if (parsed <= 0 || value.charAt(0) == '+') {
            throw new IllegalArgumentException(name + " must be a positive number: '" + value + "'");
        }
        if (parsed > Long.MAX_VALUE / 1000L) {
            throw new IllegalArgumentException(name + " is too large: '" + value + "'");
        }
        return parsed;
    }
}
