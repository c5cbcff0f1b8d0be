package io.traverse.stun.attr;

import io.traverse.stun.AttributeType;
import io.traverse.stun.StunAttribute;
import java.util.Arrays;

/**
 * PASSWORD-ALGORITHM (RFC 8489 §14.12): the algorithm the client used to derive the long-term key, and
 * also one entry of {@link PasswordAlgorithms} (§14.11). Wire format: algorithm (16 bits), parameters
 * length (16 bits), parameters padded to a multiple of 4.
 *
 * @param algorithm the 16-bit algorithm number (IANA "STUN Password Algorithms")
 * @param parameters algorithm parameters (copied), empty for MD5 and SHA-256
 */
public record PasswordAlgorithm(int algorithm, byte[] parameters) implements StunAttribute {
    /** MD5, RFC 8489 §18.5.1.1. */
    public static final int MD5 = 0x0001;
    /** SHA-256, RFC 8489 §18.5.1.2. */
    public static final int SHA256 = 0x0002;

    public PasswordAlgorithm {
        Bytes.requireU16("password algorithm", algorithm);
        if (parameters == null) {
            throw new NullPointerException("parameters");
        }
        Bytes.requireU16("password algorithm parameters length", parameters.length);
        parameters = parameters.clone();
    }

    /** An algorithm without parameters. */
    public PasswordAlgorithm(int algorithm) {
        this(algorithm, new byte[0]);
    }

    /** MD5 without parameters. */
    public static PasswordAlgorithm md5() {
        return new PasswordAlgorithm(MD5);
    }

    /** SHA-256 without parameters. */
    public static PasswordAlgorithm sha256() {
        return new PasswordAlgorithm(SHA256);
    }

    /** A copy of the parameters. */
    @Override
    public byte[] parameters() {
        return parameters.clone();
    }

    /** Number of parameter bytes, without copying. */
    public int parametersLength() {
        return parameters.length;
    }

    @Override
    public AttributeType type() {
        return AttributeType.PASSWORD_ALGORITHM;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PasswordAlgorithm other
                && other.algorithm == algorithm && Arrays.equals(other.parameters, parameters);
    }

    @Override
    public int hashCode() {
        return 31 * algorithm + Arrays.hashCode(parameters);
    }

    @Override
    public String toString() {
        String name = algorithm == MD5 ? "MD5" : algorithm == SHA256 ? "SHA256" : String.valueOf(algorithm);
        return "PasswordAlgorithm[" + name + (parameters.length == 0 ? "" : " " + Bytes.hex(parameters)) + "]";
    }
}
