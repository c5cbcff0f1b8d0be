package io.traverse.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.traverse.net.IpAddresses;
import io.traverse.turn.TransportProtocol;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The string forms of listeners and relay addresses. */
class ValueParsingTest {

    @ParameterizedTest
    @CsvSource({
        "udp://0.0.0.0:3478, UDP, 0.0.0.0, 3478",
        "UDP://0.0.0.0:3478, UDP, 0.0.0.0, 3478",
        "tcp://[::]:3478, TCP, ::, 3478",
        "tls://192.0.2.1, TLS, 192.0.2.1, 5349",
        "dtls://[2001:db8::1], DTLS, 2001:db8::1, 5349",
        "udp://127.0.0.1:0, UDP, 127.0.0.1, 0",
        "tcp://0.0.0.0, TCP, 0.0.0.0, 3478",
    })
    void parsesListeners(String uri, TransportProtocol protocol, String address, int port) {
        ListenerConfig l = ListenerConfig.parse(uri);
        assertEquals(new ListenerConfig(protocol, IpAddresses.parse(address), port), l);
        assertEquals(l, ListenerConfig.parse(l.uri()));
        assertEquals(l.uri(), l.toString());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "0.0.0.0:3478            | must be a listener such as",
        "://0.0.0.0              | must be a listener such as",
        "sctp://0.0.0.0:1        | unknown protocol \"sctp\"",
        "udp://[::1              | missing ]",
        "udp://[::1]3478         | expected :port after ]",
        "udp://::1:3478          | IPv6 addresses must be in brackets",
        "udp://0.0.0.0:          | port must be a number between 0 and 65535",
        "udp://0.0.0.0:123456    | port must be a number between 0 and 65535",
        "udp://0.0.0.0:-1        | port must be a number between 0 and 65535",
        "udp://0.0.0.0:65536     | must be between 0 and 65535, got 65536",
        "udp://example.org:3478  | host names are not resolved",
        "udp://224.0.0.1:3478    | must not be a multicast address",
        "udp://224.0.0.1:70000   | address must not be a multicast address, got 224.0.0.1; port must be between 0 and 65535",
    })
    void rejectsListeners(String uri, String expected) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ListenerConfig.parse(uri));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    @Test
    void protocolsKnowTheirDefaultsAndNature() {
        assertEquals(3478, TransportProtocol.UDP.defaultPort());
        assertEquals(5349, TransportProtocol.DTLS.defaultPort());
        assertTrue(TransportProtocol.TLS.isStream() && TransportProtocol.TLS.isSecure());
        assertTrue(!TransportProtocol.UDP.isStream() && !TransportProtocol.UDP.isSecure());
    }

    @Test
    void parsesRelayAddresses() {
        RelayAddress plain = RelayAddress.parse("0.0.0.0");
        assertNull(plain.advertised());
        assertEquals(IpAddresses.parse("0.0.0.0"), plain.bind());
        assertTrue(plain.isIpv4());
        RelayAddress natted = RelayAddress.parse("10.0.0.5=203.0.113.7");
        assertEquals(IpAddresses.parse("10.0.0.5"), natted.bind());
        assertEquals(IpAddresses.parse("203.0.113.7"), natted.advertised());
        assertEquals("10.0.0.5=203.0.113.7", natted.toString());
        RelayAddress v6 = RelayAddress.parse("[2001:db8::5]=[2001:db8::7]");
        assertEquals("2001:db8::5=2001:db8::7", v6.toString());
        assertEquals(v6, RelayAddress.parse(v6.toString()));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "relay.example          | host names are not resolved",
        "10.0.0.5=              | host names are not resolved",
        "10.0.0.5=0.0.0.0       | advertised must be a specific address, not the wildcard 0.0.0.0",
        "10.0.0.5=::1           | advertised must be of the same address family as bind (IPv4)",
        "::=203.0.113.7         | advertised must be of the same address family as bind (IPv6)",
        "239.1.1.1              | bind must not be a multicast address",
    })
    void rejectsRelayAddresses(String text, String expected) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RelayAddress.parse(text));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
