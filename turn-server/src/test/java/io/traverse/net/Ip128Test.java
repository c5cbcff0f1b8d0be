package io.traverse.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.Random;
import org.junit.jupiter.api.Test;

class Ip128Test {
    @Test
    void fastIpv4ConversionMatchesTheBytes() throws Exception {
        Random rnd = new Random(3);
        for (int i = 0; i < 10_000; i++) {
            byte[] b = new byte[4];
            rnd.nextBytes(b);
            Inet4Address a = (Inet4Address) InetAddress.getByAddress(b);
            assertEquals(Ip128.toInt(b, 0), Ip128.v4(a));
            assertEquals(0, Ip128.hi(a));
            assertEquals(Ip128.mappedLo(Ip128.toInt(b, 0)), Ip128.lo(a));
            assertTrue(Ip128.isV4Mapped(Ip128.hi(a), Ip128.lo(a)));
        }
    }

    @Test
    void roundTripsThroughInetAddressAndFormats() throws Exception {
        InetAddress v6 = InetAddress.getByName("2001:db8::c000:221");
        assertEquals(v6, Ip128.toInetAddress(Ip128.hi(v6), Ip128.lo(v6)));
        assertFalse(Ip128.isV4Mapped(Ip128.hi(v6), Ip128.lo(v6)));
        assertEquals("2001:db8::c000:221", Ip128.format(Ip128.hi(v6), Ip128.lo(v6)));
        InetAddress v4 = InetAddress.getByName("192.0.2.33");
        assertEquals(v4, Ip128.toInetAddress(Ip128.hi(v4), Ip128.lo(v4)));
        assertEquals("192.0.2.33", Ip128.format(Ip128.hi(v4), Ip128.lo(v4)));
    }
}
