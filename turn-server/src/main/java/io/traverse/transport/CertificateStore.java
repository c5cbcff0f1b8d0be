package io.traverse.transport;

import io.netty.handler.ssl.SslContext;
import io.traverse.config.TlsConfig;
import io.traverse.util.FileStamp;
import io.traverse.util.Poller;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.ScheduledExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server certificate and key of the TLS and DTLS listeners ({@code tls.certificate}, {@code tls.private-key}),
 * replaceable at run time without dropping connections.
 *
 * <p>{@link #current()} is a volatile read: every new TLS or DTLS handshake takes the credentials in force at that
 * moment, while established connections keep the context they were created with. {@link #reload()} (SIGHUP) and
 * {@link #poll()} (file change detected by modification time, size and file key, every few seconds after
 * {@link #start(Duration)}) install a new pair only when it passes every check of
 * {@link TlsCredentials#load}; a bad file is logged and the previous credentials stay in force.
 */
public final class CertificateStore implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CertificateStore.class);
    /** How often {@link #start()} checks the files for changes. */
    public static final Duration DEFAULT_POLL = Duration.ofSeconds(5);
    /** A certificate expiring sooner than this is logged as a warning at every load. */
    static final Duration EXPIRY_WARNING = Duration.ofDays(14);


    private final Path certificateFile;
    private final Path privateKeyFile;
    private final Clock clock;
    private volatile TlsCredentials current;
    private volatile long generation;
    private FileStamp certificateStamp;
    private FileStamp keyStamp;
    private ScheduledExecutorService poller;

    private CertificateStore(Path certificateFile, Path privateKeyFile, Clock clock) {
        this.certificateFile = certificateFile;
        this.privateKeyFile = privateKeyFile;
        this.clock = clock;
    }

    /**
     * Loads the pair for the first time.
     *
     * @throws CertificateStoreException naming the file and the problem (missing, unreadable, expired, not yet
     *     valid, key not matching the certificate, encrypted key)
     */
    public static CertificateStore load(Path certificateFile, Path privateKeyFile, Clock clock)
            throws CertificateStoreException {
        CertificateStore store = new CertificateStore(certificateFile, privateKeyFile, clock);
        synchronized (store) {
            FileStamp certificate = FileStamp.of(certificateFile);
            FileStamp key = FileStamp.of(privateKeyFile);
            store.install(TlsCredentials.load(certificateFile, privateKeyFile, clock.instant()));
            store.certificateStamp = certificate;
            store.keyStamp = key;
        }
        return store;
    }

    /**
     * Loads the pair named by {@code tls}.
     *
     * @throws IllegalArgumentException when {@code tls} has no certificate
     */
    public static CertificateStore load(TlsConfig tls, Clock clock) throws CertificateStoreException {
        if (!tls.hasCertificate()) {
            throw new IllegalArgumentException("tls.certificate and tls.private-key are not set");
        }
        return load(tls.certificate(), tls.privateKey(), clock);
    }

    /** The credentials new handshakes use. */
    public TlsCredentials current() {
        return current;
    }

    /** Shortcut for {@code current().sslContext()}. */
    public SslContext sslContext() {
        return current.sslContext();
    }

    /** How many times credentials were installed (1 after {@link #load}); for tests and logs. */
    public long generation() {
        return generation;
    }

    /**
     * Re-reads both files now (SIGHUP). On any problem the error is logged and the current credentials stay.
     *
     * @return true when new credentials were installed
     */
    public synchronized boolean reload() {
        FileStamp certificate = FileStamp.of(certificateFile);
        FileStamp key = FileStamp.of(privateKeyFile);
        try {
            install(TlsCredentials.load(certificateFile, privateKeyFile, clock.instant()));
            return true;
        } catch (CertificateStoreException e) {
            LOG.error("TLS certificate not reloaded, the previous one stays in force: {}", e.getMessage());
            return false;
        } finally {
            // A failed attempt is not retried by the poller until a file changes again (no log flood).
            certificateStamp = certificate;
            keyStamp = key;
        }
    }

    /**
     * One polling round: reloads when either file's modification time, size or identity changed since the last
     * attempt.
     *
     * @return true when new credentials were installed
     */
    public synchronized boolean poll() {
        if (FileStamp.of(certificateFile).equals(certificateStamp) && FileStamp.of(privateKeyFile).equals(keyStamp)) {
            return false;
        }
        return reload();
    }

    /** Starts polling every {@link #DEFAULT_POLL}. */
    public void start() {
        start(DEFAULT_POLL);
    }

    /** Starts polling the files every {@code interval} on a daemon thread until {@link #close()}. */
    public synchronized void start(Duration interval) {
        if (poller != null) {
            throw new IllegalStateException("already started");
        }
        poller = Poller.start("traverse-certificate-poll", interval, this::poll, LOG);
    }

    /** Stops polling; connections and the current credentials are unaffected. */
    @Override
    public synchronized void close() {
        if (poller != null) {
            poller.shutdownNow();
            poller = null;
        }
    }


    private void install(TlsCredentials credentials) {
        boolean first = current == null;
        current = credentials;
        generation++;
        Instant now = clock.instant();
        LOG.info("{} TLS certificate {}", first ? "loaded" : "reloaded", credentials);
        if (credentials.notAfter().isBefore(now.plus(EXPIRY_WARNING))) {
            LOG.warn("TLS certificate {} expires on {}, in less than {} days", certificateFile,
                    credentials.notAfter().truncatedTo(ChronoUnit.SECONDS), EXPIRY_WARNING.toDays());
        }
    }

}
