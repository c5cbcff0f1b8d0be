package io.traverse.client;

import java.time.Duration;

/**
 * No response arrived in time: after the last retransmission over UDP (RFC 8489 §6.2.1), or within the
 * transaction timeout over TCP/TLS (§6.2.2); or nothing arrived for {@link TurnClient#receive}.
 */
public final class TurnTimeoutException extends TurnException {
    private static final long serialVersionUID = 1L;

    private final int transmissions;
    private final Duration elapsed;

    TurnTimeoutException(String what, int transmissions, Duration elapsed) {
        super(what + ": no response after " + elapsed.toMillis() + " ms"
                + (transmissions > 1 ? " and " + transmissions + " transmissions" : ""));
        this.transmissions = transmissions;
        this.elapsed = elapsed;
    }

    TurnTimeoutException(String message, Duration elapsed) {
        super(message);
        this.transmissions = 0;
        this.elapsed = elapsed;
    }

    /** How often the request was sent (0 for {@link TurnClient#receive}). */
    public int transmissions() {
        return transmissions;
    }

    /** Time waited. */
    public Duration elapsed() {
        return elapsed;
    }
}
