package io.traverse.stun.auth;

/**
 * A credential could not be prepared, derived, loaded or changed.
 *
 * <p>Messages are safe to show to an operator and to log: they never contain a password, a shared
 * secret or a derived key.
 */
public class CredentialException extends Exception {
    private static final long serialVersionUID = 1L;

    public CredentialException(String message) {
        super(message);
    }

    public CredentialException(String message, Throwable cause) {
        super(message, cause);
    }
}
