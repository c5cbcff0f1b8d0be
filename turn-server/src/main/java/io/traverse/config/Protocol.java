package io.traverse.config;

/**
 * Transport of a client-facing listener ({@code listeners[].protocol}); written in lower case in the
 * file. Default ports: 3478 for STUN/TURN over UDP and TCP, 5349 over TLS and DTLS (RFC 8489 §9,
 * RFC 8656 §4).
 */
public enum Protocol {
    UDP(false, false, 3478),
    TCP(true, false, 3478),
    TLS(true, true, 5349),
    DTLS(false, true, 5349);

    private final boolean stream;
    private final boolean secure;
    private final int defaultPort;

    Protocol(boolean stream, boolean secure, int defaultPort) {
        this.stream = stream;
        this.secure = secure;
        this.defaultPort = defaultPort;
    }

    /** True for TCP and TLS (length-framed streams, RFC 8489 §6.2.2). */
    public boolean isStream() {
        return stream;
    }

    /** True for TLS and DTLS, which need {@code tls.certificate} and {@code tls.private-key}. */
    public boolean isSecure() {
        return secure;
    }

    /** 3478 for UDP/TCP, 5349 for TLS/DTLS. */
    public int defaultPort() {
        return defaultPort;
    }

    /** The URI scheme / config spelling: {@code udp}, {@code tcp}, {@code tls}, {@code dtls}. */
    public String configName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
