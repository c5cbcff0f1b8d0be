package io.traverse.client;

import io.traverse.stun.ErrorCode;
import io.traverse.stun.Method;
import io.traverse.stun.StunMessage;
import java.util.Objects;
import java.util.Optional;

/**
 * The server answered a request with an error response (RFC 8489 §6.3.4, RFC 8656 §19): the STUN error
 * code and reason phrase of its ERROR-CODE attribute.
 *
 * <p>RFC 8489 §9.2.5 lets a client drop error responses that carry no MESSAGE-INTEGRITY(-SHA256) once it
 * uses credentials. This client, meant for diagnostics and tests, reports them instead and says so in
 * {@link #integrityProtected()}: an error without protection could have been forged by an on-path attacker.
 */
public final class TurnErrorException extends TurnException {
    private static final long serialVersionUID = 1L;

    private final int code;
    private final String reason;
    private final transient Method method;
    private final transient StunMessage response;
    private final boolean integrityProtected;

    TurnErrorException(Method method, int code, String reason, StunMessage response, boolean integrityProtected) {
        super(method + " failed: " + code + " " + reason);
        this.method = Objects.requireNonNull(method, "method");
        this.code = code;
        this.reason = Objects.requireNonNull(reason, "reason");
        this.response = response;
        this.integrityProtected = integrityProtected;
    }

    /** The error code, e.g. 401, 403, 437. */
    public int code() {
        return code;
    }

    /** The error code as a value, e.g. {@link ErrorCode#FORBIDDEN}. */
    public ErrorCode errorCode() {
        return ErrorCode.valueOf(code);
    }

    /** The reason phrase the server sent. */
    public String reason() {
        return reason;
    }

    /** The method of the failed request. */
    public Method method() {
        return method;
    }

    /** The whole error response, when there was one (for tests and diagnostics). */
    public Optional<StunMessage> response() {
        return Optional.ofNullable(response);
    }

    /** True when the error response carried a MESSAGE-INTEGRITY(-SHA256) that verified with the key. */
    public boolean integrityProtected() {
        return integrityProtected;
    }
}
