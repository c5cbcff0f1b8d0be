package io.traverse.turn;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * The 5-tuple that identifies an allocation (RFC 8656 §2 and §7.2): the transport protocol, the
 * client's transport address as seen by the server, and the server transport address the request
 * arrived on.
 *
 * <p>Addresses compare with {@link InetSocketAddress#equals}, so both must be resolved (the transport
 * hands in resolved addresses); an unresolved address is rejected.
 *
 * @param protocol transport between client and server
 * @param client   client IP address and port (the server-reflexive address when behind a NAT)
 * @param server   server IP address and port the client sent to
 */
public record FiveTuple(TransportProtocol protocol, InetSocketAddress client, InetSocketAddress server) {

    /** Validates that every element is present and resolved. */
    public FiveTuple {
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(client, "client");
        Objects.requireNonNull(server, "server");
        if (client.isUnresolved()) {
            throw new IllegalArgumentException("5-tuple client address is unresolved: " + client);
        }
        if (server.isUnresolved()) {
            throw new IllegalArgumentException("5-tuple server address is unresolved: " + server);
        }
    }

    /** True when this tuple has exactly these elements; allocation-free, for hot-path lookups. */
    public boolean matches(TransportProtocol p, InetSocketAddress c, InetSocketAddress s) {
        return protocol == p && client.equals(c) && server.equals(s);
    }
}
