package io.traverse.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.traverse.client.AllocateResult;
import io.traverse.client.Transport;
import io.traverse.client.TurnClient;
import io.traverse.client.TurnCredentials;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Behind 1:1 NAT (clouds) the relay socket is bound to a private address while clients must be told the public
 * one: XOR-RELAYED-ADDRESS carries the advertised address with the bound port.
 */
class AdvertisedRelayAddressTest {
    @TempDir
    Path dir;

    @Test
    void xorRelayedAddressShowsTheAdvertisedAddress() throws Exception {
        try (TestServer server = TurnFixture.start(dir, Map.of(
                "relay.addresses", "127.0.0.1=203.0.113.7",
                "relay.port-range.min", "62000", "relay.port-range.max", "62100"));
             TurnClient client = TurnClient.connect(Transport.UDP, server.udp4())) {
            AllocateResult result = client.allocate(TurnCredentials.password(TurnFixture.USER, TurnFixture.PASSWORD));
            assertEquals(InetAddress.getByName("203.0.113.7"), result.relayedAddresses().get(0).getAddress());
            int port = result.relayedAddresses().get(0).getPort();
            assertEquals(true, port >= 62000 && port <= 62100, "port from the configured range: " + port);
            // and the socket really is bound on the private side, at that port
            assertEquals(1, server.server().allocations().allocations().stream()
                    .filter(a -> a.relayAddresses().get(0).getPort() == port
                            && a.relayAddresses().get(0).getAddress().isLoopbackAddress())
                    .count());
        }
    }
}
