package io.traverse.transport;

import java.nio.file.Path;

/**
 * A certificate or private key file that cannot be used. The message names the config key, the file and the
 * problem, e.g. {@code tls.certificate /etc/traverse/cert.pem: certificate expired on 2025-01-01T00:00:00Z}.
 * It never contains key material.
 */
public final class CertificateStoreException extends Exception {
    private static final long serialVersionUID = 1L;

    private final String key;
    private final transient Path file;

    CertificateStoreException(String key, Path file, String problem) {
        super(key + " " + file + ": " + problem);
        this.key = key;
        this.file = file;
    }

    CertificateStoreException(String key, Path file, String problem, Throwable cause) {
        super(key + " " + file + ": " + problem, cause);
        this.key = key;
        this.file = file;
    }

    /** The config key the file came from: {@code tls.certificate} or {@code tls.private-key}. */
    public String key() {
        return key;
    }

    /** The offending file. */
    public Path file() {
        return file;
    }
}
