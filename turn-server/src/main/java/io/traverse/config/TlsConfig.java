package io.traverse.config;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The {@code tls} section: certificate for TLS and DTLS listeners (RFC 8656 §3.1) and stream timeouts.
 *
 * @param certificate      PEM certificate chain, or {@code null}; set together with {@code privateKey}
 * @param privateKey       PEM private key, or {@code null}; set together with {@code certificate}
 * @param handshakeTimeout TLS/DTLS handshake must complete within this, at least 1 ms
 * @param idleTimeout      a stream connection (TCP or TLS) without an allocation is closed after this
 *                         long without traffic, at least 1 ms
 */
public record TlsConfig(Path certificate, Path privateKey, Duration handshakeTimeout, Duration idleTimeout) {

    public TlsConfig {
        Validator v = new Validator();
        if (certificate != null && privateKey == null) {
            v.add("private-key", "is required when certificate is set");
        }
        if (privateKey != null && certificate == null) {
            v.add("certificate", "is required when private-key is set");
        }
        v.duration("handshake-timeout", handshakeTimeout, Duration.ofMillis(1));
        v.duration("idle-timeout", idleTimeout, Duration.ofMillis(1));
        v.done();
    }

    /** No certificate, 10 s handshake, 60 s idle. */
    public static TlsConfig defaults() {
        return new TlsConfig(null, null, Duration.ofSeconds(10), Duration.ofSeconds(60));
    }

    /** True if a certificate and key are configured. */
    public boolean hasCertificate() {
        return certificate != null;
    }
}
