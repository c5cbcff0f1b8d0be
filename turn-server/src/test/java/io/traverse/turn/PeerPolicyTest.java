package io.traverse.turn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.traverse.net.Cidr;
import io.traverse.net.Ip128;
import io.traverse.net.IpAddresses;
import io.traverse.turn.PeerPolicy.Decision;
import io.traverse.turn.PeerPolicy.Reason;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class PeerPolicyTest {

    /** The ways one IPv4 address can be written as an IPv6 address. */
    enum Form {
        IPV4, IPV4_MAPPED, IPV4_TRANSLATED, IPV4_COMPATIBLE, NAT64, SIX_TO_FOUR;

        long hi(int v4) {
            return switch (this) {
                case NAT64 -> 0x0064_FF9B_0000_0000L;
                case SIX_TO_FOUR -> (0x2002L << 48) | ((v4 & 0xFFFF_FFFFL) << 16) | 0x00AB;
                default -> 0;
            };
        }

        long lo(int v4) {
            long u = v4 & 0xFFFF_FFFFL;
            return switch (this) {
                case IPV4, IPV4_MAPPED -> 0x0000_FFFF_0000_0000L | u;
                case IPV4_TRANSLATED -> 0xFFFF_0000_0000_0000L | u;
                case IPV4_COMPATIBLE, NAT64 -> u;
                case SIX_TO_FOUR -> 0x0000_0000_0000_0001L;
            };
        }

        /** The address as Java sees it (IPv4-mapped comes back as an Inet4Address). */
        InetAddress inet(int v4) {
            byte[] b = new byte[16];
            long h = hi(v4);
            long l = lo(v4);
            for (int i = 0; i < 8; i++) {
                b[i] = (byte) (h >>> (56 - 8 * i));
                b[8 + i] = (byte) (l >>> (56 - 8 * i));
            }
            try {
                return InetAddress.getByAddress(b);
            } catch (UnknownHostException e) {
                throw new AssertionError(e);
            }
        }
    }

    private static int v4(String dotted) {
        return Ip128.toInt(IpAddresses.parse(dotted).getAddress(), 0);
    }

    private static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal); // an IP literal (IPv4-embedded forms included): no DNS lookup
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    /** Start, middle and end of every default IPv4 range, in every form. */
    static Stream<Arguments> deniedIpv4Matrix() {
        List<Arguments> out = new ArrayList<>();
        for (String cidr : PeerPolicy.DEFAULT_DENIED_RANGES) {
            if (cidr.indexOf(':') >= 0) {
                continue;
            }
            int slash = cidr.indexOf('/');
            int net = v4(cidr.substring(0, slash));
            int prefix = Integer.parseInt(cidr.substring(slash + 1));
            long size = 1L << (32 - prefix);
            int[] samples = {net, (int) (net + size / 2), (int) (net + size - 1)};
            for (int s : samples) {
                for (Form f : Form.values()) {
                    out.add(Arguments.of(cidr, Ip128.formatV4(s), f));
                }
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0}: {1} as {2}")
    @MethodSource("deniedIpv4Matrix")
    void everyDefaultIpv4RangeIsDeniedInEveryForm(String cidr, String sample, Form form) {
        PeerPolicy p = PeerPolicy.defaults();
        int v = v4(sample);
        Decision raw = p.checkIpv6(form.hi(v), form.lo(v));
        Decision viaInet = p.check(form.inet(v));
        assertFalse(raw.allowed(), () -> sample + " as " + form + " allowed: " + raw);
        assertFalse(viaInet.allowed(), () -> form.inet(v) + " allowed: " + viaInet);
        assertFalse(p.isAllowed(form.inet(v)));
        assertEquals(raw, viaInet);
        if (form == Form.IPV4_COMPATIBLE && (v == 0 || v == 1)) {
            return; // ::0.0.0.0 is :: and ::0.0.0.1 is ::1, both IPv6 host-local
        }
        boolean hostLocal = cidr.equals("0.0.0.0/8") || cidr.equals("127.0.0.0/8");
        assertEquals(hostLocal ? Reason.DENIED_HOST_LOCAL : Reason.DENIED_DEFAULT_RANGE, raw.reason(), raw::toString);
        if (!hostLocal) {
            // the reported rule is a default range containing the address (255.255.255.255 is also in 240/4)
            assertTrue(PeerPolicy.DEFAULT_DENIED_RANGES.contains(raw.rule()), raw::toString);
            assertTrue(Cidr.parse(raw.rule()).contains(Form.IPV4.inet(v)), raw::toString);
        }
    }

    static Stream<Arguments> deniedIpv6Samples() {
        return Stream.of(
                Arguments.of("::/128", "::"),
                Arguments.of("::1/128", "::1"),
                Arguments.of("100::/64", "100::"),
                Arguments.of("100::/64", "100::8000:0:0:0"),
                Arguments.of("100::/64", "100::ffff:ffff:ffff:ffff"),
                Arguments.of("2001::/32", "2001::"),
                Arguments.of("2001::/32", "2001:0:8000::"),
                Arguments.of("2001::/32", "2001:0:ffff:ffff:ffff:ffff:ffff:ffff"),
                Arguments.of("2001:db8::/32", "2001:db8::"),
                Arguments.of("2001:db8::/32", "2001:db8:8000::1"),
                Arguments.of("2001:db8::/32", "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff"),
                Arguments.of("fc00::/7", "fc00::"),
                Arguments.of("fc00::/7", "fd12:3456::1"),
                Arguments.of("fc00::/7", "fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"),
                Arguments.of("fe80::/10", "fe80::"),
                Arguments.of("fe80::/10", "fea0::1"),
                Arguments.of("fe80::/10", "febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff"),
                Arguments.of("fec0::/10", "fec0::"),
                Arguments.of("fec0::/10", "fee0::1"),
                Arguments.of("fec0::/10", "feff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"),
                Arguments.of("ff00::/8", "ff00::"),
                Arguments.of("ff00::/8", "ff02::1"),
                Arguments.of("ff00::/8", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("deniedIpv6Samples")
    void everyDefaultIpv6RangeIsDenied(String cidr, String sample) {
        Decision d = PeerPolicy.defaults().check(ip(sample));
        assertFalse(d.allowed(), d::toString);
        if (cidr.equals("2001::/32")) {
            assertEquals(Reason.DENIED_TEREDO, d.reason());
        } else if (cidr.equals("::/128") || cidr.equals("::1/128")) {
            assertEquals(Reason.DENIED_HOST_LOCAL, d.reason());
        } else {
            assertEquals(new Decision(Reason.DENIED_DEFAULT_RANGE, cidr), d);
        }
    }

    static Stream<Arguments> publicIpv4InEveryForm() {
        String[] publicV4 = {"8.8.8.8", "1.1.1.1", "9.9.9.9", "1.0.0.0", "9.255.255.255", "11.0.0.0",
            "100.63.255.255", "100.128.0.0", "126.255.255.255", "128.0.0.0", "169.253.255.255", "169.255.0.0",
            "172.15.255.255", "172.32.0.0", "191.255.255.255", "192.0.1.0", "192.0.3.0", "192.88.98.255",
            "192.88.100.0", "192.167.255.255", "192.169.0.0", "198.17.255.255", "198.20.0.0", "198.51.99.255",
            "198.51.101.0", "203.0.112.255", "203.0.114.0", "223.255.255.255"};
        List<Arguments> out = new ArrayList<>();
        for (String a : publicV4) {
            for (Form f : Form.values()) {
                out.add(Arguments.of(a, f));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} as {1}")
    @MethodSource("publicIpv4InEveryForm")
    void publicIpv4IsAllowedInEveryForm(String address, Form form) {
        PeerPolicy p = PeerPolicy.defaults();
        int v = v4(address);
        assertSame(Reason.ALLOWED, p.checkIpv6(form.hi(v), form.lo(v)).reason());
        assertTrue(p.isAllowed(form.inet(v)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"2a00:1450::1", "2606:4700:4700::1111", "2001:4860:4860::8888", "2001:1::1",
        "2001:db7:ffff:ffff:ffff:ffff:ffff:ffff", "2001:db9::", "100:0:0:1::", "fbff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
        "fe00::", "fe7f:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "64:ff9b:1::1", "2003::1", "::2:0:0:1", "::1:0:0:0:1"})
    void publicIpv6IsAllowed(String address) {
        Decision d = PeerPolicy.defaults().check(ip(address));
        assertEquals(Reason.ALLOWED, d.reason(), () -> address + " -> " + d);
    }

    @Test
    void teredoIsDeniedEvenWhenAllowed() {
        PeerPolicy p = PeerPolicy.builder().allow("2001::/32").allow("0.0.0.0/0").build();
        Decision d = p.check(ip("2001:0:4136:e378:8000:63bf:3fff:fdd2"));
        assertEquals(Reason.DENIED_TEREDO, d.reason());
        assertEquals("2001::/32", d.rule());
    }

    @Test
    void randomIpv4AddressesGetTheSameAnswerInEveryForm() {
        PeerPolicy p = PeerPolicy.builder().deny("8.8.0.0/16").allow("10.1.0.0/16").build();
        Random rnd = new Random(42);
        for (int i = 0; i < 200_000; i++) {
            int v = i < 100_000 ? rnd.nextInt() : (rnd.nextInt(1 << 24) | (rnd.nextInt(256) << 24)) & 0xFFFF_FFFF;
            Decision plain = p.checkIpv4(v);
            for (Form f : Form.values()) {
                if (f == Form.IPV4_COMPATIBLE && (v == 0 || v == 1)) {
                    continue;
                }
                Decision other = p.checkIpv6(f.hi(v), f.lo(v));
                if (plain.allowed() != other.allowed()) {
                    throw new AssertionError(Ip128.formatV4(v) + " plain " + plain + " vs " + f + " " + other);
                }
            }
        }
    }

    // ------------------------------------------------------------------ precedence

    @Test
    void allowOverridesDefaultRangesInEveryForm() {
        PeerPolicy p = PeerPolicy.builder().allow("10.1.0.0/16").build();
        int inside = v4("10.1.2.3");
        for (Form f : Form.values()) {
            Decision d = p.checkIpv6(f.hi(inside), f.lo(inside));
            assertEquals(new Decision(Reason.ALLOWED_BY_ALLOW_LIST, "10.1.0.0/16"), d, f::toString);
        }
        assertEquals(new Decision(Reason.DENIED_DEFAULT_RANGE, "10.0.0.0/8"), p.check(ip("10.2.0.1")));
    }

    @Test
    void denyWinsOverAllow() {
        PeerPolicy p = PeerPolicy.builder().allow("10.0.0.0/8").deny("10.1.0.0/16").build();
        assertEquals(new Decision(Reason.DENIED_BY_DENY_LIST, "10.1.0.0/16"), p.check(ip("10.1.255.255")));
        assertEquals(Reason.ALLOWED_BY_ALLOW_LIST, p.check(ip("10.2.0.0")).reason());
    }

    @Test
    void denyMatchesPublicAddressesInEveryForm() {
        PeerPolicy p = PeerPolicy.builder().deny("8.8.8.0/24").build();
        int v = v4("8.8.8.8");
        for (Form f : Form.values()) {
            assertEquals(Reason.DENIED_BY_DENY_LIST, p.checkIpv6(f.hi(v), f.lo(v)).reason(), f::toString);
        }
        assertTrue(p.isAllowed(ip("8.8.4.4")));
    }

    @Test
    void denyOfAnEmbeddingPrefixMatchesTheAddressAsWritten() {
        PeerPolicy p = PeerPolicy.builder().deny("64:ff9b::/96").deny("2002::/16").build();
        assertEquals(new Decision(Reason.DENIED_BY_DENY_LIST, "64:ff9b::/96"), p.check(ip("64:ff9b::8.8.8.8")));
        assertEquals(new Decision(Reason.DENIED_BY_DENY_LIST, "2002::/16"), p.check(ip("2002:808:808::1")));
        assertTrue(p.isAllowed(ip("8.8.8.8")));
    }

    @Test
    void allowDoesNotMatchTheEmbeddingPrefixItself() {
        // allowing "all of 6to4" must not open 6to4 addresses that embed private IPv4 space
        PeerPolicy p = PeerPolicy.builder().allow("2002::/16").allow("64:ff9b::/96").build();
        assertEquals(new Decision(Reason.DENIED_DEFAULT_RANGE, "10.0.0.0/8"), p.check(ip("2002:a00:1::1")));
        assertEquals(new Decision(Reason.DENIED_DEFAULT_RANGE, "192.168.0.0/16"), p.check(ip("64:ff9b::192.168.1.1")));
    }

    @Test
    void allowNeverOpensLoopbackOrUnspecified() {
        PeerPolicy p = PeerPolicy.builder().allow("127.0.0.0/8").allow("0.0.0.0/8").allow("::1/128").allow("::/128").build();
        for (String a : List.of("127.0.0.1", "127.1.2.3", "0.0.0.0", "0.1.2.3", "::1", "::", "64:ff9b::127.0.0.1",
                "2002:7f00:1::1")) {
            assertEquals(Reason.DENIED_HOST_LOCAL, p.check(ip(a)).reason(), a);
        }
        int lo = v4("127.0.0.1");
        assertEquals(Reason.DENIED_HOST_LOCAL, p.checkIpv6(Form.IPV4_MAPPED.hi(lo), Form.IPV4_MAPPED.lo(lo)).reason());
    }

    @Test
    void serverAddressesAreDeniedInEveryFormAndAllowCannotOpenThem() throws Exception {
        PeerPolicy p = PeerPolicy.builder()
                .serverAddresses(List.of(ip("8.8.4.4"), ip("2a00:1450::5"), ip("10.9.9.9")))
                .allow("10.0.0.0/8").allow("8.8.4.0/24")
                .build();
        int own = v4("8.8.4.4");
        for (Form f : Form.values()) {
            assertEquals(new Decision(Reason.DENIED_SERVER_ADDRESS, "8.8.4.4"), p.checkIpv6(f.hi(own), f.lo(own)), f::toString);
        }
        assertEquals(new Decision(Reason.DENIED_SERVER_ADDRESS, "2a00:1450::5"), p.check(ip("2a00:1450::5")));
        assertEquals(Reason.DENIED_SERVER_ADDRESS, p.check(ip("10.9.9.9")).reason());
        assertEquals(Reason.ALLOWED, p.check(ip("2a00:1450::6")).reason());
        assertEquals(Reason.ALLOWED_BY_ALLOW_LIST, p.check(ip("8.8.4.5")).reason());
        assertEquals(Reason.ALLOWED_BY_ALLOW_LIST, p.check(ip("10.9.9.8")).reason());
        assertEquals(Set.of(ip("8.8.4.4"), ip("2a00:1450::5"), ip("10.9.9.9")), p.serverAddresses());
    }

    @Test
    void serverAddressWrittenAs6to4AlsoCoversItsIpv4() {
        PeerPolicy p = PeerPolicy.builder().serverAddresses(List.of(ip("2002:808:404::1"))).build();
        assertEquals(Reason.DENIED_SERVER_ADDRESS, p.check(ip("2002:808:404::1")).reason());
        assertEquals(Reason.DENIED_SERVER_ADDRESS, p.check(ip("8.8.4.4")).reason());
        // the whole 6to4 site prefix of the server's IPv4 address tunnels to the server itself
        assertEquals(Reason.DENIED_SERVER_ADDRESS, p.check(ip("2002:808:404:ffff::2")).reason());
        assertEquals(Reason.ALLOWED, p.check(ip("2002:808:405::1")).reason());
    }

    @Test
    void wildcardServerAddressIsRejected() {
        assertThrows(IllegalArgumentException.class,
                () -> PeerPolicy.builder().serverAddresses(List.of(ip("0.0.0.0"))));
        assertThrows(IllegalArgumentException.class,
                () -> PeerPolicy.builder().serverAddresses(List.of(ip("::"))));
    }

    // ------------------------------------------------------------------ loopback test switch

    @Test
    void loopbackSwitchOpensLoopbackInEveryFormEvenAsServerAddress() {
        PeerPolicy p = PeerPolicy.builder()
                .serverAddresses(List.of(ip("127.0.0.1"), ip("::1")))
                .allowLoopbackInsecureTestOnly(true)
                .build();
        assertTrue(p.allowLoopbackInsecureTestOnly());
        for (String a : List.of("127.0.0.1", "127.0.0.0", "127.255.255.255", "::1", "64:ff9b::127.0.0.1",
                "2002:7f00:1::1", "::127.0.0.1")) {
            assertEquals(Reason.ALLOWED_LOOPBACK_INSECURE_TEST_ONLY, p.check(ip(a)).reason(), a);
        }
        int lo = v4("127.0.0.1");
        assertTrue(p.checkIpv6(Form.IPV4_MAPPED.hi(lo), Form.IPV4_MAPPED.lo(lo)).allowed());
        // only loopback: unspecified and everything else keep their rules
        assertEquals(Reason.DENIED_HOST_LOCAL, p.check(ip("0.0.0.0")).reason());
        assertEquals(Reason.DENIED_HOST_LOCAL, p.check(ip("::")).reason());
        assertEquals(Reason.DENIED_DEFAULT_RANGE, p.check(ip("10.0.0.1")).reason());
    }

    @Test
    void loopbackIsDeniedWithoutTheSwitch() {
        PeerPolicy p = PeerPolicy.defaults();
        assertFalse(p.allowLoopbackInsecureTestOnly());
        assertEquals(Reason.DENIED_HOST_LOCAL, p.check(ip("127.0.0.1")).reason());
        assertEquals(Reason.DENIED_HOST_LOCAL, p.check(ip("::1")).reason());
    }

    @Test
    void explicitDenyWinsOverTheLoopbackSwitch() {
        PeerPolicy p = PeerPolicy.builder().allowLoopbackInsecureTestOnly(true).deny("127.0.0.53/32").build();
        assertEquals(Reason.DENIED_BY_DENY_LIST, p.check(ip("127.0.0.53")).reason());
        assertTrue(p.isAllowed(ip("127.0.0.1")));
    }

    // ------------------------------------------------------------------ misc

    @Test
    void decisionsAreSharedNotAllocated() {
        PeerPolicy p = PeerPolicy.defaults();
        assertSame(p.check(ip("10.0.0.1")), p.check(ip("10.200.0.1")));
        assertSame(p.check(ip("8.8.8.8")), p.check(ip("1.1.1.1")));
    }

    @Test
    void embeddedIpv4Extraction() {
        assertEquals(v4("192.0.2.33") & 0xFFFF_FFFFL, PeerPolicy.embeddedIpv4(0x0064_FF9B_0000_0000L, 0xC000_0221L));
        assertEquals(-1, PeerPolicy.embeddedIpv4(0, 0));
        assertEquals(-1, PeerPolicy.embeddedIpv4(0, 1));
        assertEquals(2, PeerPolicy.embeddedIpv4(0, 2));
        assertEquals(-1, PeerPolicy.embeddedIpv4(0x0064_FF9B_0000_0001L, 1)); // 64:ff9b:0:1::/64 is not the /96
        assertEquals(-1, PeerPolicy.embeddedIpv4(0x2a00_1450_0000_0000L, 1));
    }

    @Test
    void localInterfaceAddressesIncludesLoopback() throws Exception {
        assertTrue(PeerPolicy.localInterfaceAddresses().stream().anyMatch(InetAddress::isLoopbackAddress));
    }

    @Test
    void toStringListsRules() {
        String s = PeerPolicy.builder().allow("10.0.0.0/8").deny("8.8.8.8").build().toString();
        assertTrue(s.contains("10.0.0.0/8") && s.contains("8.8.8.8/32"), s);
    }
}
