package io.traverse.client;

/**
 * The server's answer cannot be accepted: a response failed the integrity check (RFC 8489 §9.2.5), lacked a
 * mandatory attribute, held unknown comprehension-required attributes (§7.3.3), a 401 hinted at a bid-down
 * attack (§9.2.5), the server offered no password algorithm the client supports, or the stream carried
 * something that is neither STUN nor ChannelData.
 */
public final class TurnProtocolException extends TurnException {
    private static final long serialVersionUID = 1L;

    TurnProtocolException(String message) {
        super(message);
    }

    TurnProtocolException(String message, Throwable cause) {
        super(message, cause);
    }
}
