package io.traverse.turn;

/**
 * Transport between the client and the server, the first element of a 5-tuple
 * (RFC 8656 §2: "the 5-tuple ... client IP address and port, server IP address and port, and the
 * transport protocol").
 *
 * <p>TLS runs over TCP and DTLS over UDP; they are kept apart because a 5-tuple on a TLS listener
 * is a different allocation from the same addresses on a plain TCP listener.
 *
 * <p>Also the transport of a client-facing listener ({@code listeners[].protocol}, lower case in the
 * configuration file), with the default ports of RFC 8489 §9 / RFC 8656 §4: 3478 over UDP and TCP, 5349
 * over TLS and DTLS.
 */
public enum TransportProtocol {
    /** Plain UDP (RFC 8656 §3.1). */
    UDP(false, 3478),
    /** Plain TCP (RFC 8656 §3.1). */
    TCP(true, 3478),
    /** TLS over TCP (RFC 8656 §3.1). */
    TLS(true, 5349),
    /** DTLS over UDP (RFC 8656 §3.1). */
    DTLS(false, 5349);

    private final boolean stream;
    private final int defaultPort;

    TransportProtocol(boolean stream, int defaultPort) {
        this.stream = stream;
        this.defaultPort = defaultPort;
    }

    /** True for the connection-oriented transports (TCP, TLS), whose allocations end with the connection. */
    public boolean isStream() {
        return stream;
    }

    /** True when the transport is encrypted (TLS, DTLS). */
    public boolean isSecure() {
        return this == TLS || this == DTLS;
    }

    /** The port a listener of this transport uses when none is given. */
    public int defaultPort() {
        return defaultPort;
    }

    /** The name used in the configuration file and in listener URIs ({@code udp}, {@code tls}, ...). */
    public String configName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
