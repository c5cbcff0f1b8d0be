package io.traverse.turn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class IpRangeTest {

    @ParameterizedTest
    @CsvSource({
        "10.0.0.0/8, 10.0.0.0/8",
        "10.1.2.3, 10.1.2.3/32",
        "0.0.0.0/0, 0.0.0.0/0",
        "2001:DB8::/32, 2001:db8::/32",
        "2001:db8:0:0:1:0:0:1, 2001:db8::1:0:0:1/128",
        "::/128, ::/128",
        "::1, ::1/128",
        "1::, 1::/128",
        "fe80::/10, fe80::/10",
        "2001:db8:0:1:1:1:1:1, 2001:db8:0:1:1:1:1:1/128",
        "::ffff:10.0.0.0/104, 10.0.0.0/8",
        "::ffff:0:0/96, 0.0.0.0/0",
        "64:ff9b::/96, 64:ff9b::/96",
        "64:ff9b::192.0.2.33, 64:ff9b::c000:221/128",
        " 192.168.0.0/16 , 192.168.0.0/16",
    })
    void parsesAndPrintsCanonically(String in, String expected) {
        assertEquals(expected, IpRange.parse(in).toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "", "10.0.0/8", "10.0.0.0.0/8", "256.0.0.0/8", "010.0.0.0/8", "1.2.3.-4", "10.0.0.0/33", "10.0.0.0/",
        "10.0.0.0/-1", "10.0.0.0/8/8", "::/129", "1::2::3", "fe80::1%eth0", "[::1]", "example.com", "localhost",
        "1:2:3:4:5:6:7:8:9", "12345::", "::g", "1:2:3:4:5:6:7::8", ":1::", "1::2:", "::1.2.3", "1.2.3.4::",
        "10.1.0.0/8", "2001:db8::1/32", "1.2.3.4/0x8",
    })
    void rejectsBadText(String bad) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> IpRange.parse(bad));
        assertTrue(e.getMessage().contains("'") || e.getMessage().contains("bits"), e.getMessage());
    }

    @Test
    void hostBitsErrorSuggestsTheNetwork() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> IpRange.parse("10.1.0.0/8"));
        assertTrue(e.getMessage().contains("did you mean 10.0.0.0/8"), e.getMessage());
    }

    @Test
    void containsRespectsBoundaries() throws Exception {
        IpRange r = IpRange.parse("172.16.0.0/12");
        assertFalse(r.contains(InetAddress.getByName("172.15.255.255")));
        assertTrue(r.contains(InetAddress.getByName("172.16.0.0")));
        assertTrue(r.contains(InetAddress.getByName("172.31.255.255")));
        assertFalse(r.contains(InetAddress.getByName("172.32.0.0")));
        IpRange v6 = IpRange.parse("fe80::/10");
        assertTrue(v6.contains(InetAddress.getByName("febf:ffff::1")));
        assertFalse(v6.contains(InetAddress.getByName("fec0::")));
        assertFalse(v6.contains(InetAddress.getByName("10.0.0.1")));
        assertTrue(IpRange.parse("0.0.0.0/0").contains(InetAddress.getByName("255.255.255.255")));
        assertFalse(IpRange.parse("0.0.0.0/0").contains(InetAddress.getByName("::1")));
        assertTrue(IpRange.parse("::/0").contains(InetAddress.getByName("1.2.3.4")));
    }

    @Test
    void ofAndHostAgreeWithParse() throws Exception {
        assertEquals(IpRange.parse("10.0.0.0/8"), IpRange.of(InetAddress.getByName("10.0.0.0"), 8));
        assertEquals(IpRange.parse("2001:db8::1"), IpRange.host(InetAddress.getByName("2001:db8::1")));
        assertEquals(IpRange.parse("10.0.0.0/8").hashCode(), IpRange.of(InetAddress.getByName("10.0.0.0"), 8).hashCode());
        assertNotEquals(IpRange.parse("10.0.0.0/8"), IpRange.parse("10.0.0.0/9"));
        assertThrows(IllegalArgumentException.class, () -> IpRange.of(InetAddress.getByName("10.0.0.0"), 33));
        assertThrows(IllegalArgumentException.class, () -> IpRange.of(InetAddress.getByName("::"), -1));
        assertTrue(IpRange.parse("10.0.0.0/8").isIpv4());
        assertFalse(IpRange.parse("::/0").isIpv4());
        assertEquals(8, IpRange.parse("10.0.0.0/8").prefixLength());
        assertEquals(InetAddress.getByName("2001:db8::"), IpRange.parse("2001:db8::/32").network());
    }

    @Test
    void fastIpv4ConversionMatchesTheBytes() throws Exception {
        java.util.Random rnd = new java.util.Random(3);
        for (int i = 0; i < 10_000; i++) {
            byte[] b = new byte[4];
            rnd.nextBytes(b);
            java.net.Inet4Address a = (java.net.Inet4Address) InetAddress.getByAddress(b);
            assertEquals(Ip128.toInt(b, 0), Ip128.v4(a));
            assertEquals(Ip128.mappedLo(Ip128.toInt(b, 0)), Ip128.lo(a));
        }
    }
}
