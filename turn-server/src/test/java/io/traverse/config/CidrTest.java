package io.traverse.config;

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
        InetAddress a = IpLiterals.parse(address);
        byte[] raw = a.getAddress();
        assertEquals(expected, c.contains(a), cidr + " contains " + address);
        assertEquals(expected, c.contains(raw));
        if (raw.length == 4) {
            int v = ((raw[0] & 0xFF) << 24) | ((raw[1] & 0xFF) << 16) | ((raw[2] & 0xFF) << 8) | (raw[3] & 0xFF);
            assertEquals(expected, c.containsIpv4(v));
        } else {
            long hi = 0;
            long lo = 0;
            for (int i = 0; i < 8; i++) {
                hi = (hi << 8) | (raw[i] & 0xFF);
                lo = (lo << 8) | (raw[8 + i] & 0xFF);
            }
            assertEquals(expected, c.containsIpv6(hi, lo));
        }
    }

    @Test
    void anIpv4PrefixNeverMatchesIpv6AndViceVersa() {
        Cidr allV4 = Cidr.parse("0.0.0.0/0");
        Cidr allV6 = Cidr.parse("::/0");
        byte[] mapped = new byte[16];
        mapped[10] = (byte) 0xFF;
        mapped[11] = (byte) 0xFF;
        mapped[15] = 1;
        assertFalse(allV4.contains(mapped), "IPv4-mapped bytes are IPv6 here; canonicalising is the caller's job");
        assertTrue(allV6.contains(mapped));
        assertFalse(allV4.containsIpv6(0, 0));
        assertFalse(allV4.containsIpv6(-1, -1));
        assertFalse(allV6.containsIpv4(0));
        assertFalse(allV6.containsIpv4(-1));
        assertFalse(allV6.contains(IpLiterals.parse("1.2.3.4")));
        assertFalse(allV4.contains(IpLiterals.parse("::")));
    }

    @Test
    void otherLengthsAreNeverContained() {
        assertFalse(Cidr.parse("0.0.0.0/0").contains(new byte[0]));
        assertFalse(Cidr.parse("::/0").contains(new byte[5]));
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
        assertEquals(IpLiterals.parse("2001:db8::"), c.network());
        assertFalse(c.isIpv4());
        assertTrue(Cidr.parse("10.0.0.0/8").isIpv4());
    }

    @Test
    void equalityIsByFamilyNetworkAndLength() {
        assertEquals(Cidr.parse("10.0.0.0/8"), Cidr.of(IpLiterals.parse("10.0.0.0"), 8));
        assertEquals(Cidr.parse("10.0.0.0/8").hashCode(), Cidr.of(IpLiterals.parse("10.0.0.0"), 8).hashCode());
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
        byte[] a4 = IpLiterals.parse("10.1.2.3").getAddress();
        byte[] a6 = IpLiterals.parse("2001:db8::1").getAddress();
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

    private static int loop(Cidr v4, Cidr v6, byte[] a4, byte[] a6) {
        int hits = 0;
        for (int i = 0; i < 200_000; i++) {
            hits += v4.contains(a4) ? 1 : 0;
            hits += v6.contains(a6) ? 1 : 0;
            hits += v4.containsIpv4(0x0A000001 + (i & 0xFF)) ? 1 : 0;
            hits += v6.containsIpv6(0x20010DB800000000L, i) ? 1 : 0;
            hits += v4.contains(a6) ? 0 : 1;
            hits += v6.containsIpv4(i) ? 0 : 1;
        }
        return hits;
    }
}
