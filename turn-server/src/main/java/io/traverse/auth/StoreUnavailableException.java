package io.traverse.auth;

/**
 * A credential store could not answer (connection refused, timeout, server error). The server answers such a
 * request with 500 (RFC 8489 §14.8: "The server has suffered a temporary error. The client should try again.").
 * The message names the store, never a credential.
 */
public final class StoreUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public StoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }

    public StoreUnavailableException(String message) {
        super(message);
    }
}
