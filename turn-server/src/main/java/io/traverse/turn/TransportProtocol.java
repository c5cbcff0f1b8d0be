package io.traverse.turn;

/**
 * Transport between the client and the server, the first element of a 5-tuple
 * (RFC 8656 §2: "the 5-tuple ... client IP address and port, server IP address and port, and the
 * transport protocol").
 *
 * <p>TLS runs over TCP and DTLS over UDP; they are kept apart because a 5-tuple on a TLS listener
 * is a different allocation from the same addresses on a plain TCP listener.
 */
public enum TransportProtocol {
    /** Plain UDP (RFC 8656 §3.1). */
    UDP(false),
    /** Plain TCP (RFC 8656 §3.1). */
    TCP(true),
    /** TLS over TCP (RFC 8656 §3.1). */
    TLS(true),
    /** DTLS over UDP (RFC 8656 §3.1). */
    DTLS(false);

    private final boolean stream;

    TransportProtocol(boolean stream) {
        this.stream = stream;
    }

    /** True for the connection-oriented transports (TCP, TLS), whose allocations end with the connection. */
    public boolean isStream() {
        return stream;
    }

    /** True when the transport is encrypted (TLS, DTLS). */
    public boolean isSecure() {
        return this == TLS || this == DTLS;
    }
}
