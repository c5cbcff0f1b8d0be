package io.traverse.server;

import io.traverse.stun.ErrorCode;
import io.traverse.stun.StunMessage;
import io.traverse.stun.attr.Lifetime;
import io.traverse.stun.attr.RequestedAddressFamily;
import io.traverse.stun.codec.DecodedMessage;
import io.traverse.transport.ClientLink;
import io.traverse.turn.Allocation;
import io.traverse.turn.EndReason;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;

/**
 * Refresh (RFC 8656 §8.2). "When the server receives a Refresh request, it processes the request as per Section 5
 * plus the specific rules mentioned here." Section 5 (the allocation exists, 437; the same username, 441) is checked
 * by {@link TurnService} before this handler runs.
 */
record RefreshHandler(Responder responder, AllocateHandler allocations) {
    /** The error the request gets before the lifetime is touched, or empty. */
    static Optional<ErrorCode> check(StunMessage request, Allocation allocation) {
        // "If the server receives a Refresh Request with a REQUESTED-ADDRESS-FAMILY attribute and the attribute value
        //  does not match the address family of the allocation, the server MUST reply with a 443 (Peer Address Family
        //  Mismatch) Refresh error response."
        Optional<RequestedAddressFamily> family = request.attribute(RequestedAddressFamily.class);
        if (family.isPresent() && !hasFamily(allocation, family.get().family() == RequestedAddressFamily.IPV6)) {
            return Optional.of(ErrorCode.PEER_ADDRESS_FAMILY_MISMATCH);
        }
        return Optional.empty();
    }

    void refresh(DecodedMessage decoded, ClientLink link, Authenticator.Authenticated auth, Allocation allocation,
            long now) {
        StunMessage request = decoded.message();
        if (responder.refuse(link, decoded, auth, check(request, allocation))) {
            return;
        }
        // "The server computes a value called the "desired lifetime" as follows: if the request contains a LIFETIME
        //  attribute and the attribute value is zero, then the "desired lifetime" is zero. Otherwise, if the request
        //  contains a LIFETIME attribute, then the server computes the minimum of the client's requested lifetime and
        //  the server's maximum allowed lifetime. If this computed value is greater than the default lifetime, then
        //  the "desired lifetime" is the computed value. Otherwise, the "desired lifetime" is the default lifetime."
        //  (Lifetimes.refreshLifetimeSeconds, through Allocation.refresh.)
        OptionalLong requested = request.attribute(Lifetime.class)
                .map(l -> OptionalLong.of(l.seconds())).orElse(OptionalLong.empty());
        long granted = allocation.refresh(requested, now);
        // "If the "desired lifetime" is zero, then the request succeeds and the allocation is deleted."
        // "If the "desired lifetime" is non-zero, then the request succeeds and the allocation's time-to-expiry is set
        //  to the "desired lifetime"." (done by Allocation.refresh)
        // "If the request succeeds, then the server sends a success response containing: A LIFETIME attribute
        //  containing the current value of the time-to-expiry timer."
        StunMessage.Builder response = StunMessage.successResponseTo(request).add(new Lifetime(granted));
        if (granted != 0) {
            responder.respond(link, decoded, response, auth.integrity());
            return;
        }
        // Deleted before the response, and answered only once its quota slots are free, the cluster's in Redis
        // included: the client may allocate again as soon as it reads the answer, maybe on another instance
        // (ClusterQuotaTest). Without a cluster quota the release is done already and the answer leaves at once.
        CompletableFuture<Void> released = allocations.destroy(allocation, EndReason.DELETED_BY_CLIENT);
        if (released.isDone()) {
            responder.respond(link, decoded, response, auth.integrity());
        } else {
            released.thenRunAsync(() -> {
                responder.respond(link, decoded, response, auth.integrity());
                link.channel().flush();
            }, link.eventLoop());
        }
    }

    private static boolean hasFamily(Allocation allocation, boolean ipv6) {
        for (InetSocketAddress relay : allocation.relayAddresses()) {
            if ((relay.getAddress() instanceof Inet6Address) == ipv6) {
                return true;
            }
        }
        return false;
    }
}
