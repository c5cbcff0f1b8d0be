package io.traverse.client;

/** Address family values of REQUESTED-ADDRESS-FAMILY and ADDITIONAL-ADDRESS-FAMILY (RFC 8656 §18.10, §18.11). */
public enum AddressFamily {
    /** 0x01. */
    IPV4(0x01),
    /** 0x02. */
    IPV6(0x02);

    private final int code;

    AddressFamily(int code) {
        this.code = code;
    }

    /** The wire value. */
    public int code() {
        return code;
    }
}
