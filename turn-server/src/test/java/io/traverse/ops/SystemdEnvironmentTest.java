package io.traverse.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SystemdEnvironmentTest {
    private static final long PID = 1234;

    private static Map<String, String> env(String... keyValues) {
        Map<String, String> env = new HashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            env.put(keyValues[i], keyValues[i + 1]);
        }
        return env;
    }

    @Test
    void pathSocketIsUsedAsIs() {
        assertEquals(Optional.of("/run/systemd/notify"),
                SystemdEnvironment.notifySocket(env("NOTIFY_SOCKET", "/run/systemd/notify")));
    }

    @Test
    void abstractSocketStartsWithNul() {
        assertEquals(Optional.of("\0/org/freedesktop/systemd1/notify/42"),
                SystemdEnvironment.notifySocket(env("NOTIFY_SOCKET", "@/org/freedesktop/systemd1/notify/42")));
    }

    @Test
    void unsetOrEmptySocketMeansNone() {
        assertEquals(Optional.empty(), SystemdEnvironment.notifySocket(env()));
        assertEquals(Optional.empty(), SystemdEnvironment.notifySocket(env("NOTIFY_SOCKET", "")));
    }

    @Test
    void socketPathLengthLimits() {
        String longestPath = "/" + "p".repeat(106); // 107 bytes + NUL = sun_path
        assertEquals(Optional.of(longestPath), SystemdEnvironment.notifySocket(env("NOTIFY_SOCKET", longestPath)));
        assertThrows(IllegalArgumentException.class,
                () -> SystemdEnvironment.notifySocket(env("NOTIFY_SOCKET", longestPath + "p")));
        String longestAbstract = "@" + "a".repeat(107); // NUL + 107 bytes = sun_path
        assertTrue(SystemdEnvironment.notifySocket(env("NOTIFY_SOCKET", longestAbstract)).isPresent());
        assertThrows(IllegalArgumentException.class,
                () -> SystemdEnvironment.notifySocket(env("NOTIFY_SOCKET", longestAbstract + "a")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"run/notify", "vsock:2:4000", "@", "/run/a\0b"})
    void unusableSocketsAreRejectedWithTheirName(String value) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SystemdEnvironment.notifySocket(env("NOTIFY_SOCKET", value)));
        assertTrue(e.getMessage().startsWith("NOTIFY_SOCKET"), e.getMessage());
    }

    @ParameterizedTest
    @CsvSource({"30000000, PT30S", "1, PT0.000001S", "500000, PT0.5S"})
    void watchdogUsecIsMicroseconds(String usec, String expected) {
        assertEquals(Optional.of(Duration.parse(expected)),
                SystemdEnvironment.watchdogTimeout(env("WATCHDOG_USEC", usec), PID));
    }

    @Test
    void watchdogUnsetMeansOff() {
        assertEquals(Optional.empty(), SystemdEnvironment.watchdogTimeout(env(), PID));
        assertEquals(Optional.empty(), SystemdEnvironment.watchdogTimeout(env("WATCHDOG_USEC", ""), PID));
    }

    @Test
    void watchdogPidMustBeOurs() {
        assertEquals(Optional.of(Duration.ofSeconds(10)),
                SystemdEnvironment.watchdogTimeout(env("WATCHDOG_USEC", "10000000", "WATCHDOG_PID", "1234"), PID));
        assertEquals(Optional.empty(),
                SystemdEnvironment.watchdogTimeout(env("WATCHDOG_USEC", "10000000", "WATCHDOG_PID", "1"), PID));
        assertEquals(Optional.of(Duration.ofSeconds(10)),
                SystemdEnvironment.watchdogTimeout(env("WATCHDOG_USEC", "10000000", "WATCHDOG_PID", ""), PID));
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "-5", "+5", "abc", "1.5", " 5", "99999999999999999999", "9223372036854776"})
    void malformedWatchdogUsecIsRejectedWithItsName(String usec) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SystemdEnvironment.watchdogTimeout(env("WATCHDOG_USEC", usec), PID));
        assertTrue(e.getMessage().startsWith("WATCHDOG_USEC"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "self", "-1"})
    void malformedWatchdogPidIsRejectedWithItsName(String pid) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SystemdEnvironment.watchdogTimeout(env("WATCHDOG_USEC", "1000", "WATCHDOG_PID", pid), PID));
        assertTrue(e.getMessage().startsWith("WATCHDOG_PID"), e.getMessage());
    }
}
