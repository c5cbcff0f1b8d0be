package io.traverse.config;

/**
 * Local ports relay sockets are bound from ({@code relay.port-range}); both ends inclusive. The default
 * is the IANA dynamic range 49152-65535 (RFC 6335 §6).
 *
 * @param min lowest port, 1..65535
 * @param max highest port, 1..65535, not below {@code min}
 */
public record PortRange(int min, int max) {

    public PortRange {
        Validator v = new Validator();
        v.range("min", min, 1, 65535);
        v.range("max", max, 1, 65535);
        if (!v.hasProblem("min") && !v.hasProblem("max") && min > max) {
            v.add("min", "must not exceed max (" + max + "), got " + min);
        }
        v.done();
    }

    /** 49152-65535. */
    public static PortRange defaults() {
        return new PortRange(49152, 65535);
    }

    /** Number of ports in the range. */
    public int size() {
        return max - min + 1;
    }

    /** True if {@code port} is in the range. */
    public boolean contains(int port) {
        return port >= min && port <= max;
    }
}
