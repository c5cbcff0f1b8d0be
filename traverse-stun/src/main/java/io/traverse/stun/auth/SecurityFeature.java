package io.traverse.stun.auth;

import java.util.EnumSet;
import java.util.Set;

/**
 * STUN Security Features (RFC 8489 §18.1, IANA "STUN Security Features"), carried as 24 bits in the
 * nonce cookie. Bit numbers follow verified erratum 6290: bit 0 is the least significant bit of the
 * 24-bit value (the RFC's figure numbers them the other way round). RFC 8489 Appendix B.1's nonce
 * {@code obMatJos2AAAC...} ("AAAC" = 0x000002) announces username anonymity only, which confirms it.
 */
public enum SecurityFeature {
    /** Bit 0: password algorithms (§9.2.4, PASSWORD-ALGORITHMS / PASSWORD-ALGORITHM). */
    PASSWORD_ALGORITHMS(0),
    /** Bit 1: username anonymity (§9.2.4, USERHASH). */
    USERNAME_ANONYMITY(1);

    private final int bit;

    SecurityFeature(int bit) {
        this.bit = bit;
    }

    /** Bit number, 0 = least significant. */
    public int bit() {
        return bit;
    }

    /** {@code 1 << bit()}. */
    public int mask() {
        return 1 << bit;
    }

    /** The 24-bit value announcing {@code features}. */
    public static int toBits(Set<SecurityFeature> features) {
        int bits = 0;
        for (SecurityFeature f : features) {
            bits |= f.mask();
        }
        return bits;
    }

    /** The known features set in {@code bits}; unknown bits are ignored. */
    public static EnumSet<SecurityFeature> fromBits(int bits) {
        EnumSet<SecurityFeature> set = EnumSet.noneOf(SecurityFeature.class);
        for (SecurityFeature f : values()) {
            if ((bits & f.mask()) != 0) {
                set.add(f);
            }
        }
        return set;
    }
}
