package io.traverse.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.traverse.client.Transport;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** RFC 7064/7065 URLs as the probe and credentials commands read them; plus address formatting. */
class TurnUrlTest {
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "turn:turn.example.org                     | turn  | turn.example.org | 3478 | UDP | turn:turn.example.org:3478?transport=udp",
        "turn:turn.example.org:3479?transport=udp  | turn  | turn.example.org | 3479 | UDP | turn:turn.example.org:3479?transport=udp",
        "turn:192.0.2.1?transport=tcp              | turn  | 192.0.2.1        | 3478 | TCP | turn:192.0.2.1:3478?transport=tcp",
        "TURN:[2001:db8::1]:443?TRANSPORT=TCP      | turn  | 2001:db8::1      | 443  | TCP | turn:[2001:db8::1]:443?transport=tcp",
        "turns:turn.example.org                    | turns | turn.example.org | 5349 | TLS | turns:turn.example.org:5349?transport=tcp",
        "turns:turn.example.org:443?transport=tcp  | turns | turn.example.org | 443  | TLS | turns:turn.example.org:443?transport=tcp",
        "stun:stun.example.org                     | stun  | stun.example.org | 3478 | UDP | stun:stun.example.org:3478",
        "stun:[::1]:3478?transport=tcp             | stun  | ::1              | 3478 | TCP | stun:[::1]:3478?transport=tcp",
        "stuns:stun.example.org                    | stuns | stun.example.org | 5349 | TLS | stuns:stun.example.org:5349",
    })
    void parses(String text, String scheme, String host, int port, Transport transport, String canonical) {
        TurnUrl url = TurnUrl.parse(text);
        assertEquals(scheme, url.scheme());
        assertEquals(host, url.host());
        assertEquals(port, url.port());
        assertEquals(transport, url.transport());
        assertEquals(canonical, url.toString());
        assertEquals(url, TurnUrl.parse(url.toString()), "canonical form round-trips");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "turn", "http://x", "turn://host", "turn:", "turn:host:0", "turn:host:65536",
        "turn:host:x", "turn:2001:db8::1", "turn:[::1", "turn:[::1]x", "turns:host?transport=udp",
        "turn:host?transport=sctp", "turn:ho st", "turn:user@host"})
    void rejects(String text) {
        assertThrows(IllegalArgumentException.class, () -> TurnUrl.parse(text));
    }

    @Test
    void addressFormatting() {
        assertEquals("192.0.2.1:3478", Addresses.format(new InetSocketAddress("192.0.2.1", 3478)));
        assertEquals("[2001:db8::1]:3478", Addresses.format(new InetSocketAddress("2001:db8:0:0:0:0:0:1", 3478)));
        assertEquals("[::1]:1", Addresses.format(new InetSocketAddress("::1", 1)));
        assertEquals("[2001:db8:0:1:1:1:1:1]:1", Addresses.format(new InetSocketAddress("2001:db8:0:1:1:1:1:1", 1)),
                "a single zero group stays (RFC 5952 §4.2.2)");
        assertEquals("[2001:0:0:1::1]:1", Addresses.format(new InetSocketAddress("2001:0:0:1:0:0:0:1", 1)),
                "the longest run is compressed");
    }
}
