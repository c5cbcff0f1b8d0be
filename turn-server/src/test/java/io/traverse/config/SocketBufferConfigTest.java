package io.traverse.config;

import static io.traverse.config.ConfigAssertions.assertProblem;
import static io.traverse.config.ConfigAssertions.fails;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code relay.socket-buffer} and {@code listeners[].socket-buffer}: sizes, defaults and refusals. */
class SocketBufferConfigTest {

    @ParameterizedTest
    @CsvSource({"8m, 8388608", "8MiB, 8388608", "512k, 524288", "4KiB, 4096", "65536, 65536", "'7340032', 7340032"})
    void relaySocketBufferAcceptsBytesAndBinaryUnits(String text, int bytes) throws ConfigException {
        TraverseConfig c = ConfigLoader.parse("relay: {socket-buffer: " + text + "}", Map.of());
        assertEquals(bytes, c.relay().socketBuffer());
    }

    @Test
    void defaultsHoldFiftyMillisecondsAtOneGigabit() throws ConfigException {
        TraverseConfig c = ConfigLoader.parse("", Map.of());
        assertEquals(8 * 1024 * 1024, c.relay().socketBuffer());
        assertEquals(true, c.relay().socketBuffer() >= 1_000_000_000 / 8 / 20);
        assertEquals(0, c.listeners().get(0).socketBuffer(), "listeners default to relay.socket-buffer");
    }

    @Test
    void listenerMappingTakesItsOwnSize() throws ConfigException {
        TraverseConfig c = ConfigLoader.parse(
                "listeners: [{protocol: udp, address: 127.0.0.1, port: 3478, socket-buffer: 16m}]", Map.of());
        assertEquals(16 * 1024 * 1024, c.listeners().get(0).socketBuffer());
    }

    @Test
    void refusalsNameTheKey() {
        assertProblem(fails("relay: {socket-buffer: 8g}"), "relay.socket-buffer: must be a size such as 8m");
        assertProblem(fails("relay: {socket-buffer: 100}"), "relay.socket-buffer: must be between 4096 and");
        assertProblem(fails("relay: {socket-buffer: 4096m}"), "relay.socket-buffer: must be less than 2 GiB");
        assertProblem(fails("listeners: [{protocol: tcp, address: 127.0.0.1, socket-buffer: 1m}]"),
                "listeners[0].socket-buffer: applies to udp and dtls listeners only, got tcp");
    }
}
