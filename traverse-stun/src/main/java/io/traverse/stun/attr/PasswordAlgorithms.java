package io.traverse.stun.attr;

import io.traverse.stun.AttributeType;
import io.traverse.stun.StunAttribute;
import java.util.List;

/**
 * PASSWORD-ALGORITHMS (RFC 8489 §14.11): the algorithms the server supports, in its order of
 * preference; sent with 401/438 and echoed by the client.
 *
 * @param algorithms the list (copied, unmodifiable)
 */
public record PasswordAlgorithms(List<PasswordAlgorithm> algorithms) implements StunAttribute {
    public PasswordAlgorithms {
        algorithms = List.copyOf(algorithms);
    }

    @Override
    public AttributeType type() {
        return AttributeType.PASSWORD_ALGORITHMS;
    }
}
