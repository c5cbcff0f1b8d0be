package io.traverse.client;

import io.traverse.stun.attr.AddressErrorCode;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * The success response to Allocate (RFC 8656 §7.3).
 *
 * @param relayedAddresses the XOR-RELAYED-ADDRESS values, one per family (two for a dual allocation,
 *     RFC 8656 §7.2 with ADDITIONAL-ADDRESS-FAMILY); never empty
 * @param mappedAddress XOR-MAPPED-ADDRESS: the client's server-reflexive address, or null when absent
 * @param lifetimeSeconds LIFETIME granted
 * @param reservationToken RESERVATION-TOKEN (after EVEN-PORT with R=1), or null
 * @param addressErrors ADDRESS-ERROR-CODE attributes: families the server could not allocate
 */
public record AllocateResult(
        List<InetSocketAddress> relayedAddresses,
        InetSocketAddress mappedAddress,
        long lifetimeSeconds,
        Long reservationToken,
        List<AddressErrorCode> addressErrors) {

    public AllocateResult {
        relayedAddresses = List.copyOf(relayedAddresses);
        if (relayedAddresses.isEmpty()) {
            throw new IllegalArgumentException("an allocation has at least one relayed address");
        }
        addressErrors = List.copyOf(Objects.requireNonNull(addressErrors, "addressErrors"));
    }

    /** The first relayed address. */
    public InetSocketAddress relayedAddress() {
        return relayedAddresses.get(0);
    }

    /** RESERVATION-TOKEN, if the server sent one. */
    public OptionalLong reservation() {
        return reservationToken == null ? OptionalLong.empty() : OptionalLong.of(reservationToken);
    }
}
