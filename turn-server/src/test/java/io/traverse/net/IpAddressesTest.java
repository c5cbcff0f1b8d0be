package io.traverse.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class IpAddressesTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "0.0.0.0            | 0.0.0.0",
        "255.255.255.255    | 255.255.255.255",
        "192.0.2.1          | 192.0.2.1",
        "::                 | ::",
        "[::]               | ::",
        "::1                | ::1",
        "1::                | 1::",
        "2001:DB8::1        | 2001:db8::1",
        "2001:0db8::0001    | 2001:db8::1",
        "2001:db8:0:0:1:0:0:1 | 2001:db8::1:0:0:1",
        "2001:db8:0:1:1:1:1:1 | 2001:db8:0:1:1:1:1:1",
        "1:0:0:2:0:0:0:3    | 1:0:0:2::3",
        "1:2:3:4:5:6:7:8    | 1:2:3:4:5:6:7:8",
        "1:2:3:4:5:6:7::    | 1:2:3:4:5:6:7:0",
        "::2:3:4:5:6:7:8    | 0:2:3:4:5:6:7:8",
        "64:ff9b::192.0.2.33 | 64:ff9b::c000:221",
        "::192.0.2.33       | ::c000:221",
        "fe80::1            | fe80::1",
    })
    void parsesAndFormatsCanonically(String text, String canonical) {
        InetAddress a = IpAddresses.parse(text);
        assertEquals(canonical, IpAddresses.format(a));
        assertEquals(a, IpAddresses.parse(canonical));
        Class<? extends InetAddress> family = text.contains(":") ? Inet6Address.class : Inet4Address.class;
        assertEquals(family, a.getClass());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "localhost          | host names are not resolved",
        "turn.example.org   | host names are not resolved",
        "''                 | host names are not resolved",
        "1.2.3              | not a valid IPv4 address",
        "1.2.3.4.5          | not a valid IPv4 address",
        "256.0.0.1          | not a valid IPv4 address",
        "010.0.0.1          | not a valid IPv4 address",
        "1..2.3             | not a valid IPv4 address",
        "1.2.3.4.           | not a valid IPv4 address",
        "1:2:3:4:5:6:7      | not a valid IPv6 address",
        "1:2:3:4:5:6:7:8:9  | not a valid IPv6 address",
        "1:2:3:4:5:6:7:8::  | not a valid IPv6 address",
        "1::2::3            | not a valid IPv6 address",
        ":1:2:3:4:5:6:7     | not a valid IPv6 address",
        "12345::            | not a valid IPv6 address",
        "g::                | not a valid IPv6 address",
        "::1.2.3            | not a valid IPv6 address",
        "1.2.3.4::          | not a valid IPv6 address",
        "fe80::1%eth0       | zone ids",
        "[1.2.3.4]          | brackets are only for IPv6",
        "::ffff:192.0.2.1   | IPv4-mapped IPv6 address; write the IPv4 address 192.0.2.1 instead",
    })
    void rejects(String text, String expected) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> IpAddresses.parse(text));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    @Test
    void rejectsNonAsciiDigits() {
        assertThrows(IllegalArgumentException.class, () -> IpAddresses.parse("\uFF11::"));
        assertThrows(IllegalArgumentException.class, () -> IpAddresses.parse("\u0661.2.3.4"));
    }

    @Test
    void formatsForUris() {
        assertEquals("[2001:db8::1]", IpAddresses.formatForUri(IpAddresses.parse("2001:db8::1")));
        assertEquals("192.0.2.1", IpAddresses.formatForUri(IpAddresses.parse("192.0.2.1")));
    }
}
