package io.traverse.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.traverse.auth.StatelessNonces.Validity;
import io.traverse.stun.auth.NonceCookie;
import io.traverse.stun.auth.SecurityFeature;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class StatelessNoncesTest {
    private static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes();
    private static final Set<SecurityFeature> ALL = EnumSet.allOf(SecurityFeature.class);

    private final MutableClock clock = MutableClock.atEpochSecond(1_700_000_000L);
    private final StatelessNonces nonces = new StatelessNonces(KEY, Duration.ofSeconds(600), ALL, clock);
    private final InetSocketAddress client = address("192.0.2.10", 50000);

    private static InetSocketAddress address(String ip, int port) {
        try {
            return new InetSocketAddress(InetAddress.getByName(ip), port);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void issuedNonceIsValidForSameClientAndTransport() {
        String nonce = nonces.issue(client, "udp");
        assertEquals(Validity.VALID, nonces.validate(nonce, client, "udp"));
        assertEquals(Validity.VALID, nonces.validate(nonce, address("192.0.2.10", 50000), "udp"));
    }

    @Test
    void formatHasCookieWithBothFeatureBitsAndIsShorterThan128() {
        String nonce = nonces.issue(address("2001:db8::1", 65535), "dtls");
        assertTrue(nonce.startsWith("obMatJos2AAAD"), nonce);
        assertEquals(StatelessNonces.NONCE_LENGTH, nonce.length());
        assertTrue(nonce.length() < 128);
        assertTrue(nonce.chars().allMatch(c -> c > 0x20 && c < 0x7F && c != '"' && c != '\\'), "qdtext only");
    }

    @Test
    void staleAfterLifetimeButNotBefore() {
        String nonce = nonces.issue(client, "udp");
        clock.advance(Duration.ofSeconds(599));
        assertEquals(Validity.VALID, nonces.validate(nonce, client, "udp"));
        clock.advance(Duration.ofSeconds(1));
        assertEquals(Validity.STALE, nonces.validate(nonce, client, "udp"));
        clock.advance(Duration.ofDays(30));
        assertEquals(Validity.STALE, nonces.validate(nonce, client, "udp"));
    }

    @Test
    void otherClientAddressPortOrTransportIsInvalid() {
        String nonce = nonces.issue(client, "udp");
        assertEquals(Validity.INVALID, nonces.validate(nonce, address("192.0.2.11", 50000), "udp"));
        assertEquals(Validity.INVALID, nonces.validate(nonce, address("192.0.2.10", 50001), "udp"));
        assertEquals(Validity.INVALID, nonces.validate(nonce, client, "tcp"));
        assertEquals(Validity.INVALID, nonces.validate(nonce, address("::ffff:c000:20b", 50000), "udp"),
                "a different address (mapped 192.0.2.11)");
    }

    @Test
    void ipv4MappedAddressIsTheSameClientAsIpv4() {
        // InetAddress folds ::ffff:192.0.2.10 into an Inet4Address, so the nonce matches.
        String nonce = nonces.issue(client, "udp");
        assertEquals(Validity.VALID, nonces.validate(nonce, address("::ffff:192.0.2.10", 50000), "udp"));
    }

    @Test
    void staleNonceForOtherClientIsInvalidNotStale() {
        String nonce = nonces.issue(client, "udp");
        clock.advance(Duration.ofHours(1));
        assertEquals(Validity.INVALID, nonces.validate(nonce, address("198.51.100.1", 50000), "udp"));
    }

    @Test
    void everySingleCharacterChangeIsInvalid() {
        String nonce = nonces.issue(client, "tls");
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_+/";
        for (int i = 0; i < nonce.length(); i++) {
            for (char c : alphabet.toCharArray()) {
                if (c == nonce.charAt(i)) {
                    continue;
                }
                String tampered = nonce.substring(0, i) + c + nonce.substring(i + 1);
                assertEquals(Validity.INVALID, nonces.validate(tampered, client, "tls"),
                        "position " + i + " changed to " + c);
            }
        }
    }

    @Test
    void featureBitsCannotBeChangedWithoutInvalidatingTheNonce() {
        String nonce = nonces.issue(client, "udp");
        String downgraded = "obMatJos2AAAA" + nonce.substring(NonceCookie.LENGTH);
        assertEquals(Validity.INVALID, nonces.validate(downgraded, client, "udp"));
    }

    @Test
    void otherKeyIsInvalidSameKeyOnAnotherNodeIsValid() {
        String nonce = nonces.issue(client, "udp");
        StatelessNonces otherKey = new StatelessNonces(StatelessNonces.randomKey(), Duration.ofSeconds(600), ALL, clock);
        StatelessNonces sameKeyOtherNode = new StatelessNonces(KEY.clone(), Duration.ofSeconds(600), ALL, clock);
        assertEquals(Validity.INVALID, otherKey.validate(nonce, client, "udp"));
        assertEquals(Validity.VALID, sameKeyOtherNode.validate(nonce, client, "udp"));
    }

    @Test
    void randomKeysDiffer() {
        StatelessNonces a = new StatelessNonces(Duration.ofSeconds(600), ALL, clock);
        StatelessNonces b = new StatelessNonces(Duration.ofSeconds(600), ALL, clock);
        assertNotEquals(a.issue(client, "udp"), b.issue(client, "udp"));
        assertEquals(Validity.INVALID, b.validate(a.issue(client, "udp"), client, "udp"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "obMatJos2AAAD", "nonce", "obMatJos2AAAD!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!",
        "obMatJos2AAADAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "f//499k954d6OL34oL9FSTvy64sAf//499k954d6OL34oL9"})
    void garbageIsInvalid(String nonce) {
        assertEquals(Validity.INVALID, nonces.validate(nonce, client, "udp"));
    }

    @Test
    void nullIsInvalid() {
        assertEquals(Validity.INVALID, nonces.validate(null, client, "udp"));
    }

    @Test
    void featuresMatchComparesCookieWithAnnouncedFeatures() {
        String nonce = nonces.issue(client, "udp");
        assertTrue(nonces.featuresMatch(nonce));
        assertEquals(ALL, nonces.securityFeatures());
        assertEquals(3, nonces.securityFeatureBits());

        // Same key, configuration changed to announce only password algorithms.
        StatelessNonces reconfigured = new StatelessNonces(KEY, Duration.ofSeconds(600),
                EnumSet.of(SecurityFeature.PASSWORD_ALGORITHMS), clock);
        assertEquals(Validity.VALID, reconfigured.validate(nonce, client, "udp"));
        assertFalse(reconfigured.featuresMatch(nonce));
        assertFalse(nonces.featuresMatch("f//499k954d6OL34oL9FSTvy64sA"));
        assertTrue(reconfigured.issue(client, "udp").startsWith("obMatJos2AAAB"));
    }

    @Test
    void rejectsShortKeyAndZeroLifetime() {
        assertThrows(IllegalArgumentException.class, () -> new StatelessNonces(new byte[15], Duration.ofSeconds(1), ALL, clock));
        assertThrows(IllegalArgumentException.class, () -> new StatelessNonces(KEY, Duration.ofMillis(999), ALL, clock));
    }

    @Test
    void toStringHasNoKey() {
        assertFalse(nonces.toString().contains("0123456789abcdef"));
    }
}
