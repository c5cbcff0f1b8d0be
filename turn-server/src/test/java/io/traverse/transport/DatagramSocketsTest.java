package io.traverse.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The start-up warning when {@code net.core.rmem_max} / {@code wmem_max} cap the configured socket buffers. */
class DatagramSocketsTest {
    private static final int EIGHT_MIB = 8 * 1024 * 1024;

    @Test
    void noWarningWhenTheKernelAllowsTheSize() {
        assertEquals(Optional.empty(), DatagramSockets.kernelCapWarning(EIGHT_MIB, EIGHT_MIB, 16 * 1024 * 1024));
    }

    @Test
    void noWarningWhenTheLimitsAreUnknown() {
        assertEquals(Optional.empty(), DatagramSockets.kernelCapWarning(EIGHT_MIB, -1, -1));
    }

    @Test
    void warningNamesEachSysctlToRaiseAndItsValueNow() {
        String w = DatagramSockets.kernelCapWarning(EIGHT_MIB, 212992, EIGHT_MIB).orElseThrow();
        assertTrue(w.contains("net.core.rmem_max is 212992"), w);
        assertTrue(w.contains("sysctl -w net.core.rmem_max=8388608`"), w);
        assertTrue(!w.contains("wmem_max"), w);

        String both = DatagramSockets.kernelCapWarning(EIGHT_MIB, 212992, 212992).orElseThrow();
        assertTrue(both.contains("sysctl -w net.core.rmem_max=8388608 net.core.wmem_max=8388608`"), both);
    }
}
