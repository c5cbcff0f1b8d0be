package io.traverse.client;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.traverse.it.TestServer;
import java.net.InetSocketAddress;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link TurnClient#binding()} against the real server on loopback: the reflexive address is the client's own. */
class TurnClientBindingTest {
    private static TestServer server;

    @BeforeAll
    static void start() throws Exception {
        server = TestServer.start("", Map.of());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static InetSocketAddress address(String which) {
        switch (which) {
            case "udp4": return server.udp4();
            case "udp6": return server.udp6();
            case "tcp4": return server.tcp4();
            case "tcp6": return server.tcp6();
            default: throw new IllegalArgumentException(which);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"udp4", "udp6", "tcp4", "tcp6"})
    void reflexiveAddressIsTheLocalAddress(String which) throws Exception {
        Transport transport = which.startsWith("udp") ? Transport.UDP : Transport.TCP;
        try (TurnClient client = TurnClient.connect(transport, address(which), TurnClientAuthTest.fast())) {
            InetSocketAddress reflexive = client.binding();
            assertEquals(client.localAddress(), reflexive);
            assertEquals(reflexive, client.binding(), "a second transaction on the same client");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"udp4", "tcp4"})
    void bindingWithFingerprintAndSoftware(String which) throws Exception {
        Transport transport = which.startsWith("udp") ? Transport.UDP : Transport.TCP;
        TurnClientOptions options = TurnClientOptions.builder().fingerprint(true).software("turn-client-test").build();
        try (TurnClient client = TurnClient.connect(transport, address(which), options)) {
            assertEquals(client.localAddress(), client.binding());
        }
    }
}
