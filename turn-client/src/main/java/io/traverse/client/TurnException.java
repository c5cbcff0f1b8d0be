package io.traverse.client;

/**
 * A STUN/TURN transaction of {@link TurnClient} did not succeed: the server answered with an error
 * ({@link TurnErrorException}), did not answer in time ({@link TurnTimeoutException}), or answered with
 * something the client must not accept ({@link TurnProtocolException}). Transport failures (connection
 * refused, TLS handshake failure, ICMP port unreachable) are {@link java.io.IOException}s instead.
 *
 * <p>Messages never contain a password or key.
 */
public abstract sealed class TurnException extends Exception
        permits TurnErrorException, TurnTimeoutException, TurnProtocolException {
    private static final long serialVersionUID = 1L;

    TurnException(String message) {
        super(message);
    }

    TurnException(String message, Throwable cause) {
        super(message, cause);
    }
}
