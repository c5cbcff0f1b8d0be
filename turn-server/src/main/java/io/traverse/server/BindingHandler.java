package io.traverse.server;

import io.traverse.stun.StunMessage;
import io.traverse.stun.attr.MappedAddress;
import io.traverse.stun.attr.XorMappedAddress;
import java.net.InetSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Binding requests (RFC 8489 §6.3.1): the success response carries the client's reflexive transport address as
 * XOR-MAPPED-ADDRESS and, as coturn, pion and eturnal do for RFC 3489-era clients, also as MAPPED-ADDRESS.
 */
final class BindingHandler {
    private static final Logger LOG = LoggerFactory.getLogger(BindingHandler.class);

    private BindingHandler() {}

    static StunMessage.Builder respond(StunMessage request, InetSocketAddress reflexive) {
        LOG.debug("binding request from {}", reflexive);
        return StunMessage.successResponseTo(request)
                .add(new XorMappedAddress(reflexive))
                .add(new MappedAddress(reflexive));
    }
}
