package io.traverse.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AllocationFamilyTest {

    @ParameterizedTest
    @CsvSource({
        "192.0.2.1, IPV4",
        "2001:db8::1, IPV6",
        "192.0.2.1 2001:db8::1, DUAL",
        "2001:db8::1 192.0.2.1, DUAL",
        "::ffff:192.0.2.1, IPV4",
    })
    void familyOfRelayAddresses(String addresses, AllocationFamily expected) throws UnknownHostException {
        List<InetSocketAddress> relays = new ArrayList<>();
        for (String a : addresses.split(" ")) {
            relays.add(new InetSocketAddress(InetAddress.getByName(a), 50000));
        }
        assertEquals(expected, AllocationFamily.of(relays));
    }

    @ParameterizedTest
    @CsvSource({"IPV4, ipv4", "IPV6, ipv6", "DUAL, dual"})
    void tags(AllocationFamily family, String tag) {
        assertEquals(tag, family.tag());
    }
}
