package io.traverse.turn;

/** Why an allocation ended; reported by {@link AllocationListener#deleted}. */
public enum EndReason {
    /** The time-to-expiry reached zero without a Refresh (RFC 8656 §2, §8). */
    EXPIRED,
    /** A Refresh with LIFETIME 0 (RFC 8656 §8.2). */
    DELETED_BY_CLIENT,
    /** The TCP/TLS connection carrying the 5-tuple closed (RFC 8656 §3.1, RFC 6062 §5). */
    CONNECTION_CLOSED,
    /** Removed by an operator. */
    ADMIN,
    /** The server is shutting down. */
    SHUTDOWN,
    /** The transport failed underneath the allocation (e.g. its relay socket closed). */
    TRANSPORT_FAILURE
}
