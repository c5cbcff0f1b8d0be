package io.traverse.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CidrTest {

    @ParameterizedTest
    @CsvSource({
        "10.0.0.0/8, 10.0.0.0, true",
        "10.0.0.0/8, 10.255.255.255, true",
        "10.0.0.0/8, 11.0.0.0, false",
        "10.0.0.0/8, 9.255.255.255, false",
        "100.64.0.0/10, 100.127.255.255, true",
        "100.64.0.0/10, 100.128.0.0, false",
        "192.0.2.7/32, 192.0.2.7, true",
        "192.0.2.7/32, 192.0.2.6, false",
        "0.0.0.0/0, 1.2.3.4, true",
        "0.0.0.0/0, 255.255.255.255, true",
        "0.0.0.0/0, ::, false",
        "128.0.0.0/1, 128.0.0.0, true",
        "128.0.0.0/1, 127.255.255.255, false",
        "2001:db8::/32, 2001:db8::1, true",
        "2001:db8::/32, 2001:db8:ffff:ffff:ffff:ffff:ffff:ffff, true",
        "2001:db8::/32, 2001:db9::, false",
        "2001:db8::/32, 32.1.13.184, false",
        "::/0, 1.2.3.4, false",
        "::/0, ffff::, true",
        "::1/128, ::1, true",
        "::1/128, ::2, false",
        "fe80::/10, febf:ffff::1, true",
        "fe80::/10, fec0::, false",
        "2001:db8:0:0:8000::/65, 2001:db8::8000:0:0:1, true",
        "2001:db8:0:0:8000::/65, 2001:db8::7fff:0:0:1, false",
        "2001:db8::1:0/112, 2001:db8::1:ffff, true",
        "2001:db8::1:0/112, 2001:db8::2:0, false",
        "2001:db8::/64, 2001:db8:0:1::, false",
    })
    void contains(String cidr, String address, boolean expected) {
        Cidr c = Cidr.parse(cidr);
        InetAddress a = IpAddresses.parse(address);
        assertEquals(expected, c.contains(a), cidr + " contains " + address);
        assertEquals(expected, c.contains(Ip128.hi(a), Ip128.lo(a)), cidr + " contains the 128-bit form of " + address);
    }

    @Test
    void anIpv4PrefixNeverMatchesIpv6AndViceVersa() {
        Cidr allV4 = Cidr.parse("0.0.0.0/0");
        Cidr allV6 = Cidr.parse("::/0");
        long mappedLo = Ip128.mappedLo(0x01020304);
        // In the 128-bit form an IPv4 address is ::ffff:a.b.c.d; ::/0 covers those bits but means "IPv6 only".
        assertTrue(allV4.contains(0, mappedLo));
        assertFalse(allV6.contains(0, mappedLo));
        assertFalse(Cidr.parse("::/80").contains(0, mappedLo));
        assertFalse(allV4.contains(0, 0));
        assertFalse(allV4.contains(-1, -1));
        assertTrue(allV6.contains(0, 0));
        assertFalse(allV6.contains(IpAddresses.parse("1.2.3.4")));
        assertFalse(allV4.contains(IpAddresses.parse("::")));
    }

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
        "64:ff9b::/96, 64:ff9b::/96",
        "64:ff9b::192.0.2.33, 64:ff9b::c000:221/128",
        "[2001:db8::1], 2001:db8::1/128",
        " 192.168.0.0/16 , 192.168.0.0/16",
    })
    void parsesAndPrintsCanonically(String in, String expected) {
        assertEquals(expected, Cidr.parse(in).toString());
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {
        "", "10.0.0/8", "10.0.0.0.0/8", "256.0.0.0/8", "010.0.0.0/8", "1.2.3.-4", "10.0.0.0/33", "10.0.0.0/",
        "10.0.0.0/-1", "10.0.0.0/8/8", "::/129", "1::2::3", "fe80::1%eth0", "example.com", "localhost",
        "1:2:3:4:5:6:7:8:9", "12345::", "::g", "1:2:3:4:5:6:7::8", ":1::", "1::2:", "::1.2.3", "1.2.3.4::",
        "10.1.0.0/8", "2001:db8::1/32", "1.2.3.4/0x8", "::ffff:10.0.0.0/104",
    })
    void rejectsBadText(String bad) {
        assertThrows(IllegalArgumentException.class, () -> Cidr.parse(bad));
    }

    @Test
    void hostAndOfAgreeWithParse() throws Exception {
        assertEquals(Cidr.parse("2001:db8::1"), Cidr.host(InetAddress.getByName("2001:db8::1")));
        assertEquals(Cidr.parse("10.0.0.7/32"), Cidr.host(InetAddress.getByName("10.0.0.7")));
        assertThrows(IllegalArgumentException.class, () -> Cidr.of(InetAddress.getByName("::"), -1));
        assertEquals(InetAddress.getByName("2001:db8::"), Cidr.parse("2001:db8::/32").network());
        assertEquals(InetAddress.getByName("10.0.0.0"), Cidr.parse("10.0.0.0/8").network());
    }

    @Test
    void bareAddressIsAHostPrefix() {
        assertEquals(Cidr.parse("192.0.2.1/32"), Cidr.parse("192.0.2.1"));
        assertEquals(Cidr.parse("2001:db8::1/128"), Cidr.parse("2001:db8::1"));
    }

    @Test
    void componentsAndCanonicalToString() {
        Cidr c = Cidr.parse("2001:0DB8:0000::/32");
        assertEquals("2001:db8::/32", c.toString());
        assertEquals(32, c.prefixLength());
        assertEquals(IpAddresses.parse("2001:db8::"), c.network());
        assertFalse(c.isIpv4());
        assertTrue(Cidr.parse("10.0.0.0/8").isIpv4());
    }

    @Test
    void equalityIsByFamilyNetworkAndLength() {
        assertEquals(Cidr.parse("10.0.0.0/8"), Cidr.of(IpAddresses.parse("10.0.0.0"), 8));
        assertEquals(Cidr.parse("10.0.0.0/8").hashCode(), Cidr.of(IpAddresses.parse("10.0.0.0"), 8).hashCode());
        assertNotEquals(Cidr.parse("10.0.0.0/8"), Cidr.parse("10.0.0.0/9"));
        assertNotEquals(Cidr.parse("0.0.0.0/0"), Cidr.parse("::/0"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "10.1.0.0/8        | 10.1.0.0/8 has host bits set; did you mean 10.0.0.0/8?",
        "192.168.1.1/16    | did you mean 192.168.0.0/16?",
        "10.0.0.0/33       | prefix length must be between 0 and 32 for IPv4, got 33",
        "::/129            | prefix length must be between 0 and 128 for IPv6, got 129",
        "2001:db8::1/64    | did you mean 2001:db8::/64?",
        "10.0.0.0/-1       | must be a CIDR prefix",
        "10.0.0.0/         | must be a CIDR prefix",
        "10.0.0.0/x        | must be a CIDR prefix",
        "10.0.0.0/0008     | must be a CIDR prefix",
        "corp.example/8    | host names are not resolved",
        "::ffff:0:0/96     | IPv4-mapped",
    })
    void rejects(String text, String expected) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Cidr.parse(text));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    @Test
    void containsAllocatesNothing() {
        java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        assumeTrue(bean instanceof com.sun.management.ThreadMXBean);
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) bean;
        assumeTrue(mx.isThreadAllocatedMemorySupported() && mx.isThreadAllocatedMemoryEnabled());
        Cidr v4 = Cidr.parse("10.0.0.0/8");
        Cidr v6 = Cidr.parse("2001:db8::/32");
        InetAddress a4 = IpAddresses.parse("10.1.2.3");
        InetAddress a6 = IpAddresses.parse("2001:db8::1");
        int hits = 0;
        for (int warm = 0; warm < 3; warm++) {
            hits += loop(v4, v6, a4, a6);
        }
        long tid = Thread.currentThread().getId();
        long before = mx.getThreadAllocatedBytes(tid);
        hits += loop(v4, v6, a4, a6);
        long allocated = mx.getThreadAllocatedBytes(tid) - before;
        assertEquals(4 * 6 * 200_000, hits);
        // 200k iterations of 6 calls; anything per call would be megabytes. Allow a little for the JIT/timers.
        assertTrue(allocated < 64 * 1024, "allocated " + allocated + " bytes");
    }

    private static int loop(Cidr v4, Cidr v6, InetAddress a4, InetAddress a6) {
        // An IPv6 InetAddress hands out a copy of its bytes; callers on a hot path hold the 128-bit form.
        long a6Hi = Ip128.hi(a6);
        long a6Lo = Ip128.lo(a6);
        int hits = 0;
        for (int i = 0; i < 200_000; i++) {
            hits += v4.contains(a4) ? 1 : 0;
            hits += v6.contains(a6Hi, a6Lo) ? 1 : 0;
            hits += v4.contains(0, Ip128.mappedLo(0x0A000001 + (i & 0xFF))) ? 1 : 0;
            hits += v6.contains(0x20010DB800000000L, i) ? 1 : 0;
            hits += v4.contains(a6Hi, a6Lo) ? 0 : 1;
            hits += v6.contains(0, Ip128.mappedLo(i)) ? 0 : 1;
        }
        return hits;
    }
}
