package io.traverse.client;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import javax.net.ssl.SSLContext;

/**
 * Transport settings of a {@link TurnClient}. Immutable; make one with {@link #builder()}.
 *
 * <p>Defaults follow RFC 8489 §6.2.1: initial RTO 500 ms, Rc = 7 transmissions, a last wait of Rm = 16
 * times the initial RTO (a transaction over UDP gives up after 39.5 s), and 39.5 s for a transaction over
 * TCP/TLS (§6.2.2). {@link #transactionTimeout()} also caps the UDP schedule, so a short timeout gives fewer
 * retransmissions. TLS uses the JVM's default trust and verifies the server's host name.
 */
public final class TurnClientOptions {
    private static final TurnClientOptions DEFAULTS = builder().build();

    private final Duration rto;
    private final int maxTransmissions;
    private final int lastWaitFactor;
    private final Duration transactionTimeout;
    private final Duration connectTimeout;
    private final boolean fingerprint;
    private final String software;
    private final InetSocketAddress localAddress;
    private final SSLContext sslContext;
    private final String tlsServerName;
    private final boolean verifyHostname;

    private TurnClientOptions(Builder b) {
        this.rto = b.rto;
        this.maxTransmissions = b.maxTransmissions;
        this.lastWaitFactor = b.lastWaitFactor;
        this.transactionTimeout = b.transactionTimeout;
        this.connectTimeout = b.connectTimeout;
        this.fingerprint = b.fingerprint;
        this.software = b.software;
        this.localAddress = b.localAddress;
        this.sslContext = b.sslContext;
        this.tlsServerName = b.tlsServerName;
        this.verifyHostname = b.verifyHostname;
    }

    /** The RFC 8489 defaults. */
    public static TurnClientOptions defaults() {
        return DEFAULTS;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Initial retransmission timeout over UDP (RFC 8489 §6.2.1, default 500 ms). */
    public Duration rto() {
        return rto;
    }

    /** Rc: how often a request is sent at most over UDP (default 7). */
    public int maxTransmissions() {
        return maxTransmissions;
    }

    /** Rm: after the last transmission, wait this many initial RTOs (default 16). */
    public int lastWaitFactor() {
        return lastWaitFactor;
    }

    /** Upper bound of one transaction over any transport (default 39.5 s). */
    public Duration transactionTimeout() {
        return transactionTimeout;
    }

    /** TCP connect and TLS handshake timeout (default 10 s). */
    public Duration connectTimeout() {
        return connectTimeout;
    }

    /** True to add FINGERPRINT to every request and indication (RFC 8489 §14.7). */
    public boolean fingerprint() {
        return fingerprint;
    }

    /** SOFTWARE text for requests, if any. */
    public Optional<String> software() {
        return Optional.ofNullable(software);
    }

    /** Local address to bind, if any (default: the wildcard of the server's family, ephemeral port). */
    public Optional<InetSocketAddress> localAddress() {
        return Optional.ofNullable(localAddress);
    }

    /** SSLContext for TLS, if not the JVM default. */
    public Optional<SSLContext> sslContext() {
        return Optional.ofNullable(sslContext);
    }

    /** Host name for SNI and certificate verification, if not the name the server address was made with. */
    public Optional<String> tlsServerName() {
        return Optional.ofNullable(tlsServerName);
    }

    /** True (default) to check that the certificate names the server (RFC 6125 via the JSSE "HTTPS" rules). */
    public boolean verifyHostname() {
        return verifyHostname;
    }

    /** Builder of {@link TurnClientOptions}. */
    public static final class Builder {
        private Duration rto = Duration.ofMillis(500);
        private int maxTransmissions = 7;
        private int lastWaitFactor = 16;
        private Duration transactionTimeout = Duration.ofMillis(39_500);
        private Duration connectTimeout = Duration.ofSeconds(10);
        private boolean fingerprint;
        private String software;
        private InetSocketAddress localAddress;
        private SSLContext sslContext;
        private String tlsServerName;
        private boolean verifyHostname = true;

        private Builder() {
        }

        public Builder rto(Duration rto) {
            this.rto = positive(rto, "rto");
            return this;
        }

        public Builder maxTransmissions(int count) {
            if (count < 1 || count > 20) {
                throw new IllegalArgumentException("maxTransmissions must be 1..20: " + count);
            }
            this.maxTransmissions = count;
            return this;
        }

        public Builder lastWaitFactor(int factor) {
            if (factor < 1 || factor > 64) {
                throw new IllegalArgumentException("lastWaitFactor must be 1..64: " + factor);
            }
            this.lastWaitFactor = factor;
            return this;
        }

        public Builder transactionTimeout(Duration timeout) {
            this.transactionTimeout = positive(timeout, "transactionTimeout");
            return this;
        }

        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = positive(timeout, "connectTimeout");
            return this;
        }

        public Builder fingerprint(boolean fingerprint) {
            this.fingerprint = fingerprint;
            return this;
        }

        /** SOFTWARE text; null or empty for none. */
        public Builder software(String software) {
            this.software = software == null || software.isEmpty() ? null : software;
            return this;
        }

        public Builder localAddress(InetSocketAddress localAddress) {
            this.localAddress = localAddress;
            return this;
        }

        public Builder sslContext(SSLContext sslContext) {
            this.sslContext = sslContext;
            return this;
        }

        public Builder tlsServerName(String name) {
            this.tlsServerName = name;
            return this;
        }

        public Builder verifyHostname(boolean verify) {
            this.verifyHostname = verify;
            return this;
        }

        public TurnClientOptions build() {
            return new TurnClientOptions(this);
        }

        private static Duration positive(Duration d, String what) {
            Objects.requireNonNull(d, what);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(what + " must be positive: " + d);
            }
            return d;
        }
    }
}
