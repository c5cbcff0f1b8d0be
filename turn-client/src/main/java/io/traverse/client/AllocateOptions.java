package io.traverse.client;

import io.traverse.stun.auth.PasswordAlgorithm;
import io.traverse.stun.codec.Integrity;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What {@link TurnClient#allocate} asks for (RFC 8656 §7.1) and how it authenticates (RFC 8489 §9.2).
 * Immutable; make one with {@link #builder()}. {@link #defaults()}: UDP relay, server's default lifetime
 * and family, automatic choice of password algorithm, integrity attribute and USERNAME/USERHASH.
 */
public final class AllocateOptions {
    private static final AllocateOptions DEFAULTS = builder().build();

    private final PasswordAlgorithm passwordAlgorithm;
    private final Integrity.Kind integrity;
    private final boolean userHash;
    private final Long lifetime;
    private final AddressFamily requestedFamily;
    private final AddressFamily additionalFamily;
    private final Boolean evenPort;
    private final boolean dontFragment;
    private final Long reservationToken;
    private final boolean tcpRelay;

    private AllocateOptions(Builder b) {
        this.passwordAlgorithm = b.passwordAlgorithm;
        this.integrity = b.integrity;
        this.userHash = b.userHash;
        this.lifetime = b.lifetime;
        this.requestedFamily = b.requestedFamily;
        this.additionalFamily = b.additionalFamily;
        this.evenPort = b.evenPort;
        this.dontFragment = b.dontFragment;
        this.reservationToken = b.reservationToken;
        this.tcpRelay = b.tcpRelay;
    }

    /** Defaults: everything automatic, nothing optional requested. */
    public static AllocateOptions defaults() {
        return DEFAULTS;
    }

    /** A builder starting from the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** The forced password algorithm, or empty for the RFC 8489 §9.2.5 choice (first supported offered). */
    public Optional<PasswordAlgorithm> passwordAlgorithm() {
        return Optional.ofNullable(passwordAlgorithm);
    }

    /**
     * The forced integrity attribute ({@link Integrity.Kind#SHA1} = MESSAGE-INTEGRITY, {@link
     * Integrity.Kind#SHA256} = MESSAGE-INTEGRITY-SHA256), or empty for automatic: SHA-256 when the server
     * shows RFC 8489 support (a nonce cookie or PASSWORD-ALGORITHMS), else SHA-1.
     */
    public Optional<Integrity.Kind> integrity() {
        return Optional.ofNullable(integrity);
    }

    /** True to ask for an RFC 6062 TCP relay (REQUESTED-TRANSPORT TCP) instead of UDP. */
    public boolean tcpRelay() {
        return tcpRelay;
    }

    /** True to send USERHASH instead of USERNAME even when the nonce cookie does not ask for it (§9.2.5). */
    public boolean userHash() {
        return userHash;
    }

    /** LIFETIME to request in seconds (RFC 8656 §7.1), if any. */
    public OptionalLong lifetime() {
        return lifetime == null ? OptionalLong.empty() : OptionalLong.of(lifetime);
    }

    /** REQUESTED-ADDRESS-FAMILY (RFC 8656 §18.10), if any. */
    public Optional<AddressFamily> requestedFamily() {
        return Optional.ofNullable(requestedFamily);
    }

    /** ADDITIONAL-ADDRESS-FAMILY (RFC 8656 §18.11), if any. */
    public Optional<AddressFamily> additionalFamily() {
        return Optional.ofNullable(additionalFamily);
    }

    /** EVEN-PORT with this R bit (RFC 8656 §18.7), or empty for none. */
    public Optional<Boolean> evenPort() {
        return Optional.ofNullable(evenPort);
    }

    /** True to send DONT-FRAGMENT (RFC 8656 §18.8). */
    public boolean dontFragment() {
        return dontFragment;
    }

    /** RESERVATION-TOKEN (RFC 8656 §18.9) of a port reserved by an earlier EVEN-PORT(R=1), if any. */
    public OptionalLong reservationToken() {
        return reservationToken == null ? OptionalLong.empty() : OptionalLong.of(reservationToken);
    }

    @Override
    public String toString() {
        return "AllocateOptions[passwordAlgorithm=" + passwordAlgorithm + ", integrity=" + integrity
                + ", userHash=" + userHash + ", lifetime=" + lifetime + ", requestedFamily=" + requestedFamily
                + ", additionalFamily=" + additionalFamily + ", evenPort=" + evenPort
                + ", dontFragment=" + dontFragment + ", reservationToken=" + reservationToken + "]";
    }

    /** Builder of {@link AllocateOptions}. */
    public static final class Builder {
        private PasswordAlgorithm passwordAlgorithm;
        private Integrity.Kind integrity;
        private boolean userHash;
        private boolean tcpRelay;
        private Long lifetime;
        private AddressFamily requestedFamily;
        private AddressFamily additionalFamily;
        private Boolean evenPort;
        private boolean dontFragment;
        private Long reservationToken;

        private Builder() {
        }

        /** Forces this password algorithm (null: automatic). The server must offer it. */
        public Builder passwordAlgorithm(PasswordAlgorithm algorithm) {
            this.passwordAlgorithm = algorithm;
            return this;
        }

        /** Forces MESSAGE-INTEGRITY (SHA1) or MESSAGE-INTEGRITY-SHA256 (SHA256); null: automatic. */
        public Builder integrity(Integrity.Kind kind) {
            if (kind == Integrity.Kind.NONE) {
                throw new IllegalArgumentException("an authenticated request needs an integrity attribute");
            }
            this.integrity = kind;
            return this;
        }

        /** Asks for an RFC 6062 TCP relay (the client must be on TCP or TLS). */
        public Builder tcpRelay(boolean tcpRelay) {
            this.tcpRelay = tcpRelay;
            return this;
        }

        /** Sends USERHASH instead of USERNAME. */
        public Builder userHash(boolean userHash) {
            this.userHash = userHash;
            return this;
        }

        /** Requests this LIFETIME in seconds. */
        public Builder lifetime(long seconds) {
            if (seconds < 0 || seconds > 0xFFFF_FFFFL) {
                throw new IllegalArgumentException("lifetime must be 0..2^32-1: " + seconds);
            }
            this.lifetime = seconds;
            return this;
        }

        /** Sends REQUESTED-ADDRESS-FAMILY (null: none). */
        public Builder requestedFamily(AddressFamily family) {
            this.requestedFamily = family;
            return this;
        }

        /** Sends ADDITIONAL-ADDRESS-FAMILY (null: none); RFC 8656 allows only IPv6 here. */
        public Builder additionalFamily(AddressFamily family) {
            this.additionalFamily = family;
            return this;
        }

        /** Sends EVEN-PORT with this R bit (null: none). */
        public Builder evenPort(Boolean reserveNext) {
            this.evenPort = reserveNext;
            return this;
        }

        /** Sends DONT-FRAGMENT. */
        public Builder dontFragment(boolean dontFragment) {
            this.dontFragment = dontFragment;
            return this;
        }

        /** Sends RESERVATION-TOKEN (null: none). */
        public Builder reservationToken(Long token) {
            this.reservationToken = token;
            return this;
        }

        public AllocateOptions build() {
            return new AllocateOptions(this);
        }
    }
}
