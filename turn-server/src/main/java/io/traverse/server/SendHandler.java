package io.traverse.server;

import io.traverse.metrics.TraverseMetrics;
import io.traverse.metrics.TraverseMetrics.DropReason;
import io.traverse.net.IpAddresses;
import io.traverse.stun.StunMessage;
import io.traverse.stun.attr.Data;
import io.traverse.stun.attr.XorPeerAddress;
import io.traverse.transport.ClientLink;
import io.traverse.turn.Allocation;
import io.traverse.turn.AllocationRegistry;
import io.traverse.turn.PeerPolicy;
import io.traverse.turn.TurnClock;
import java.net.InetSocketAddress;
import java.util.Optional;

/**
 * Send indications (RFC 8656 §11.2). "When the server receives a Send indication, it processes as per Section 5 plus
 * the specific rules mentioned here." An indication is never answered: whatever is wrong drops it silently, counted
 * under its {@link DropReason}.
 */
record SendHandler(AllocationRegistry registry, LivePolicy policy, TurnClock clock, TraverseMetrics metrics) {
    /** Why the indication is dropped, or empty when its DATA may go to its XOR-PEER-ADDRESS. */
    static Optional<DropReason> check(StunMessage indication, Allocation allocation, PeerPolicy policy, long now) {
        // "The message is first checked for validity. The Send indication MUST contain both an XOR-PEER-ADDRESS
        //  attribute and a DATA attribute. If one of these attributes is missing or invalid, then the message is
        //  discarded. Note that the DATA attribute is allowed to contain zero bytes of data."
        Optional<XorPeerAddress> peer = indication.attribute(XorPeerAddress.class);
        if (peer.isEmpty() || indication.attribute(Data.class).isEmpty()) {
            return Optional.of(DropReason.MALFORMED);
        }
        InetSocketAddress target = peer.get().address();
        if (target.getPort() == 0) {
            return Optional.of(DropReason.MALFORMED); // port 0 is no destination
        }
        // "The server MAY impose restrictions on the IP address and port values allowed in the XOR-PEER-ADDRESS
        //  attribute; if a value is not allowed, the server silently discards the Send indication."
        // (So is a peer of a family the allocation does not relay, and an IPv4-mapped IPv6 peer.)
        if (IpAddresses.isIpv4Mapped(target.getAddress()) || !allocation.supportsPeerFamily(target.getAddress())
                || !policy.isAllowed(target.getAddress())) {
            return Optional.of(DropReason.PEER_DENIED);
        }
        // "The server also checks that there is a permission installed for the IP address contained in the
        //  XOR-PEER-ADDRESS attribute. If no such permission exists, the message is discarded. Note that a Send
        //  indication never causes the server to refresh the permission."
        if (!allocation.hasPermission(target.getAddress(), now)) {
            return Optional.of(DropReason.NO_PERMISSION);
        }
        if (allocation.relayHandle().isTcp()) {
            // An RFC 6062 TCP allocation has no UDP relay socket: Send does not apply to it.
            return Optional.of(DropReason.UNEXPECTED_CLASS);
        }
        return Optional.empty();
    }

    void onSend(StunMessage indication, ClientLink link) {
        Allocation allocation = registry.find(link.fiveTuple());
        long now = clock.nanos();
        if (allocation == null || allocation.isExpired(now)) {
            metrics.dropped(DropReason.NO_ALLOCATION);
            return;
        }
        Optional<DropReason> drop = check(indication, allocation, policy.get(), now);
        if (drop.isPresent()) {
            metrics.dropped(drop.get());
            return;
        }
        byte[] payload = indication.attribute(Data.class).orElseThrow().data();
        if (!allocation.traffic().admitToPeer(payload.length, now)) {
            metrics.dropped(DropReason.BANDWIDTH);
            return;
        }
        // "If everything is OK, then the server forms a UDP datagram as follows: the source transport address is the
        //  relayed transport address of the allocation, where the allocation is determined by the 5-tuple on which
        //  the Send indication arrived; the destination transport address is taken from the XOR-PEER-ADDRESS
        //  attribute; the data following the UDP header is the contents of the value field of the DATA attribute."
        // "The resulting UDP datagram is then sent to the peer."
        if (!allocation.relayHandle().sendToPeer(indication.attribute(XorPeerAddress.class).orElseThrow().address(),
                payload)) {
            metrics.dropped(DropReason.NO_ALLOCATION); // no relay socket of the peer's family
            return;
        }
        metrics.relayed(true, payload.length);
    }
}
