package io.traverse.server;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.traverse.metrics.TraverseMetrics;
import io.traverse.stun.ErrorCode;
import io.traverse.stun.StunMessage;
import io.traverse.stun.attr.AdditionalAddressFamily;
import io.traverse.stun.attr.AddressErrorCode;
import io.traverse.stun.attr.DontFragment;
import io.traverse.stun.attr.EvenPort;
import io.traverse.stun.attr.Lifetime;
import io.traverse.stun.attr.RequestedAddressFamily;
import io.traverse.stun.attr.RequestedTransport;
import io.traverse.stun.attr.ReservationToken;
import io.traverse.stun.attr.UnknownAttributes;
import io.traverse.stun.attr.XorMappedAddress;
import io.traverse.stun.attr.XorRelayedAddress;
import io.traverse.stun.codec.DecodedMessage;
import io.traverse.transport.ClientLink;
import io.traverse.transport.RelaySession;
import io.traverse.transport.RelaySockets;
import io.traverse.turn.Allocation;
import io.traverse.turn.AllocationPermit;
import io.traverse.turn.AllocationRegistry;
import io.traverse.turn.EndReason;
import io.traverse.turn.FiveTuple;
import io.traverse.turn.Lifetimes;
import io.traverse.turn.PortAllocator;
import io.traverse.turn.PortReservationToken;
import io.traverse.turn.ReserveResult;
import io.traverse.turn.TurnClock;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Allocate (RFC 8656 §7.2, with RFC 6156's address families folded in). The steps of §7.2 are checked in order;
 * relay sockets are then bound asynchronously on the client's event loop and the response written when they are.
 */
final class AllocateHandler {
    private static final Logger LOG = LoggerFactory.getLogger(AllocateHandler.class);
    /** Attempts at binding a relay port before answering 508. */
    private static final int BIND_ATTEMPTS = 8;
    /** How often an allocation's permissions, channels and lifetime are swept. */
    static final long SWEEP_SECONDS = 5;
    /** coturn's draft-era ADDITIONAL-ADDRESS-FAMILY type. */
    static final int LEGACY_ADDITIONAL_ADDRESS_FAMILY = 0x8032;

    private final AllocationRegistry registry;
    private final RelaySockets relaySockets;
    private final TcpRelay tcpRelay;
    private final List<RelayFamily> families;
    private final Lifetimes lifetimes;
    private final boolean dontFragmentEnabled;
    private final TurnClock clock;
    private final Responder responder;
    private final TraverseMetrics metrics;
    private final DrainState drain;
    /**
     * Allocates whose relay sockets are being bound, by 5-tuple. Each entry is touched only on its client's loop;
     * the map is shared by all loops.
     */
    private final Map<FiveTuple, Pending> pending = new ConcurrentHashMap<>();

    AllocateHandler(AllocationRegistry registry, RelaySockets relaySockets, TcpRelay tcpRelay,
            List<RelayFamily> families,
            Lifetimes lifetimes, boolean dontFragmentEnabled, TurnClock clock, Responder responder,
            TraverseMetrics metrics, DrainState drain) {
        this.registry = registry;
        this.relaySockets = relaySockets;
        this.tcpRelay = tcpRelay;
        this.families = List.copyOf(families);
        this.lifetimes = lifetimes;
        this.dontFragmentEnabled = dontFragmentEnabled && relaySockets.supportsDontFragment();
        this.clock = clock;
        this.responder = responder;
        this.metrics = metrics;
        this.drain = drain;
    }

    void allocate(DecodedMessage decoded, ClientLink link, Authenticator.Authenticated auth) {
        StunMessage request = decoded.message();
        LOG.debug("Allocate from {} ({}): {}", link.fiveTuple().client(), auth.username(), request.attributes());
        Allocation existing = registry.find(link.fiveTuple());
        if (existing != null && !existing.isExpired(clock.nanos())) {
            if (existing.isAllocateTransaction(request.transactionId().toBytes())
                    && existing.cachedResponse() instanceof byte[]) {
                // §7.2 step 2 / RFC 8489 §6.3.1: a retransmitted Allocate gets the same success response again.
                link.write(Unpooled.wrappedBuffer((byte[]) existing.cachedResponse()));
                return;
            }
            // §7.2 step 2: "the server checks if the 5-tuple is currently in use by an existing allocation. If
            // yes, the server rejects the request with a 437 (Allocation Mismatch) error."
            responder.error(link, decoded, auth, ErrorCode.ALLOCATION_MISMATCH);
            return;
        }
        Pending inFlight = pending.get(link.fiveTuple());
        if (inFlight != null) {
            if (Arrays.equals(inFlight.transactionId, request.transactionId().toBytes())) {
                // A retransmission that arrived while the first one's relay socket is being bound: it gets the
                // same response as the first, once there is one (RFC 8489 §6.3.1), and creates nothing.
                inFlight.retransmissions++;
                return;
            }
            // §7.2 step 2: the 5-tuple is being allocated by another transaction → 437.
            responder.error(link, decoded, auth, ErrorCode.ALLOCATION_MISMATCH);
            return;
        }
        if (drain.isDraining()) {
            // Draining (SIGTERM): no new allocations. RFC 8489 §10 / RFC 8656 §7.2: 300 (Try Alternate) with
            // ALTERNATE-SERVER when one is configured, otherwise 508 (Insufficient Capacity).
            InetSocketAddress alternate = drain.alternateServer();
            StunMessage.Builder refusal = alternate == null
                    ? StunMessage.errorResponseTo(request, ErrorCode.INSUFFICIENT_CAPACITY)
                    : StunMessage.errorResponseTo(request, ErrorCode.TRY_ALTERNATE)
                            .add(new io.traverse.stun.attr.AlternateServer(alternate));
            responder.respond(link, decoded, refusal, auth.integrity());
            return;
        }
        // §7.2 step 3: REQUESTED-TRANSPORT must be present (400) and UDP (442; TCP relay is RFC 6062's).
        Optional<RequestedTransport> transport = request.attribute(RequestedTransport.class);
        if (transport.isEmpty()) {
            responder.error(link, decoded, auth, ErrorCode.BAD_REQUEST);
            return;
        }
        boolean tcp = transport.get().protocol() == RequestedTransport.TCP;
        if (!tcp && transport.get().protocol() != RequestedTransport.UDP) {
            responder.error(link, decoded, auth, ErrorCode.UNSUPPORTED_TRANSPORT_PROTOCOL);
            return;
        }
        if (tcp && (!link.isStream() || request.attribute(DontFragment.class).isPresent()
                || request.attribute(EvenPort.class).isPresent()
                || request.attribute(ReservationToken.class).isPresent()
                || additionalAddressFamily(request).isPresent())) {
            // RFC 6062 §5.1: a TCP allocation needs a TCP or TLS control connection, and DONT-FRAGMENT, EVEN-PORT
            // and RESERVATION-TOKEN have no meaning for it → 400 (dual-stack TCP allocations are not offered).
            responder.error(link, decoded, auth, ErrorCode.BAD_REQUEST);
            return;
        }
        // §7.2 step 4: DONT-FRAGMENT that cannot be honoured → 420 listing it.
        boolean dontFragment = request.attribute(DontFragment.class).isPresent();
        if (dontFragment && !dontFragmentEnabled) {
            responder.respond(link, decoded, StunMessage.errorResponseTo(request, ErrorCode.UNKNOWN_ATTRIBUTE)
                    .add(new UnknownAttributes(List.of(io.traverse.stun.AttributeType.DONT_FRAGMENT.code()))), auth.integrity());
            return;
        }
        Optional<ReservationToken> token = request.attribute(ReservationToken.class);
        Optional<EvenPort> evenPort = request.attribute(EvenPort.class);
        Optional<RequestedAddressFamily> requestedFamily = request.attribute(RequestedAddressFamily.class);
        Optional<AdditionalAddressFamily> additionalFamily = additionalAddressFamily(request);
        // §7.2 step 5: RESERVATION-TOKEN with EVEN-PORT, REQUESTED-ADDRESS-FAMILY or ADDITIONAL-ADDRESS-FAMILY → 400.
        if (token.isPresent() && (evenPort.isPresent() || requestedFamily.isPresent()
                || additionalFamily.isPresent())) {
            responder.error(link, decoded, auth, ErrorCode.BAD_REQUEST);
            return;
        }
        // §7.2 step 6 (REQUESTED-ADDRESS-FAMILY): unknown family → 440; with ADDITIONAL-ADDRESS-FAMILY → 400.
        if (requestedFamily.isPresent() && additionalFamily.isPresent()) {
            responder.error(link, decoded, auth, ErrorCode.BAD_REQUEST);
            return;
        }
        boolean primaryIpv6 = false;
        if (requestedFamily.isPresent()) {
            int family = requestedFamily.get().family();
            if (family != RequestedAddressFamily.IPV4 && family != RequestedAddressFamily.IPV6) {
                responder.error(link, decoded, auth, ErrorCode.ADDRESS_FAMILY_NOT_SUPPORTED);
                return;
            }
            primaryIpv6 = family == RequestedAddressFamily.IPV6;
        }
        // ADDITIONAL-ADDRESS-FAMILY must be IPv6 (§7.2: "If the value is 0x01 (IPv4), 400").
        if (additionalFamily.isPresent() && additionalFamily.get().family() != RequestedAddressFamily.IPV6) {
            responder.error(link, decoded, auth, ErrorCode.BAD_REQUEST);
            return;
        }
        RelayFamily primary = family(primaryIpv6);
        int claimedPort = -1;
        if (token.isPresent()) {
            // The token names a port reserved by an earlier EVEN-PORT allocation, in whichever family that was.
            primary = null;
            for (RelayFamily f : families) {
                OptionalInt port = f.ports().claim(token.get().token());
                if (port.isPresent()) {
                    primary = f;
                    claimedPort = port.getAsInt();
                    break;
                }
            }
            if (primary == null) {
                // RFC 8656 §7.2: an unknown or expired reservation token → 508.
                responder.error(link, decoded, auth, ErrorCode.INSUFFICIENT_CAPACITY);
                return;
            }
        }
        if (primary == null) {
            responder.error(link, decoded, auth, ErrorCode.ADDRESS_FAMILY_NOT_SUPPORTED);
            return;
        }
        RelayFamily secondary = additionalFamily.isPresent() ? family(true) : null;
        // §7.2 step 7 (quota): per-user quota → 486, server-wide limit → 508.
        ReserveResult reserved = registry.reserve(auth.username());
        if (reserved instanceof ReserveResult.Rejected) {
            if (claimedPort > 0) {
                primary.ports().release(claimedPort);
            }
            responder.error(link, decoded, auth, ErrorCode.valueOf(((ReserveResult.Rejected) reserved).errorCode()));
            return;
        }
        AllocationPermit permit = ((ReserveResult.Granted) reserved).permit();
        Pending pending = new Pending(decoded, link, auth, permit, dontFragment, evenPort.orElse(null),
                claimedPort, primary, secondary, additionalFamily.isPresent(), tcp);
        this.pending.put(link.fiveTuple(), pending);
        pending.bindPrimary(0);
    }

    /**
     * ADDITIONAL-ADDRESS-FAMILY (RFC 8656 §18.15, type 0x8000), or coturn's pre-RFC code point 0x8032 that its
     * clients (turnutils_uclient -Z) still send with the same value layout.
     */
    static Optional<AdditionalAddressFamily> additionalAddressFamily(StunMessage request) {
        Optional<AdditionalAddressFamily> standard = request.attribute(AdditionalAddressFamily.class);
        if (standard.isPresent()) {
            return standard;
        }
        for (io.traverse.stun.attr.UnknownAttribute a : request.attributes(io.traverse.stun.attr.UnknownAttribute.class)) {
            byte[] value = a.value();
            if (a.typeCode() == LEGACY_ADDITIONAL_ADDRESS_FAMILY && value.length == 4) {
                return Optional.of(new AdditionalAddressFamily(value[0] & 0xff));
            }
        }
        return Optional.empty();
    }

    private RelayFamily family(boolean ipv6) {
        for (RelayFamily f : families) {
            if (f.isIpv6() == ipv6) {
                return f;
            }
        }
        return null;
    }

    /** Removes an allocation, closes its sockets and returns its ports. Runs on the allocation's loop. */
    void destroy(Allocation allocation, EndReason reason) {
        if (!registry.remove(allocation, reason)) {
            return;
        }
        RelaySession session = (RelaySession) allocation.attachment();
        session.close();
        if (session.isTcp()) {
            tcpRelay.forget(allocation);
        }
        for (RelayFamily f : families) {
            int port = session.port(f.isIpv6());
            if (port > 0) {
                f.ports().release(port);
            }
        }
    }


    /** One Allocate between quota reservation and response: binds the relay socket(s), then answers. */
    private final class Pending {
        final DecodedMessage decoded;
        final ClientLink link;
        final Authenticator.Authenticated auth;
        final AllocationPermit permit;
        final boolean dontFragment;
        final EvenPort evenPort;
        /** The port claimed with a RESERVATION-TOKEN, or -1. */
        final int claimedPort;
        final RelayFamily primary;
        final RelayFamily secondary;
        final boolean additionalRequested;
        final RelaySession session;
        final byte[] transactionId;
        /** Retransmissions of the request received meanwhile; each gets the response again. */
        int retransmissions;
        final List<InetSocketAddress[]> relays = new ArrayList<>(2);
        PortReservationToken reservation;
        AddressErrorCode addressError;

        Pending(DecodedMessage decoded, ClientLink link, Authenticator.Authenticated auth, AllocationPermit permit,
                boolean dontFragment, EvenPort evenPort, int claimedPort, RelayFamily primary,
                RelayFamily secondary, boolean additionalRequested, boolean tcp) {
            this.decoded = decoded;
            this.link = link;
            this.auth = auth;
            this.permit = permit;
            this.dontFragment = dontFragment;
            this.evenPort = evenPort;
            this.claimedPort = claimedPort;
            this.primary = primary;
            this.secondary = secondary;
            this.additionalRequested = additionalRequested;
            this.session = new RelaySession(link, tcp);
            this.transactionId = decoded.message().transactionId().toBytes();
        }

        void bindPrimary(int attempt) {
            OptionalInt port;
            PortAllocator ports = primary.ports();
            if (claimedPort > 0) {
                port = attempt == 0 ? OptionalInt.of(claimedPort) : OptionalInt.empty();
            } else if (evenPort != null && evenPort.reserveNext()) {
                Optional<PortAllocator.EvenPortPair> pair = ports.nextEvenWithReservation();
                port = pair.isPresent() ? OptionalInt.of(pair.get().port()) : OptionalInt.empty();
                reservation = pair.map(PortAllocator.EvenPortPair::token).orElse(null);
            } else if (evenPort != null) {
                port = ports.nextEven();
            } else {
                port = ports.next();
            }
            if (port.isEmpty()) {
                fail(ErrorCode.INSUFFICIENT_CAPACITY);
                return;
            }
            int p = port.getAsInt();
            bind(primary, p, () -> bindSecondary(0), inUse -> {
                ports.bindFailed(p, inUse);
                if (reservation != null) {
                    ports.claim(reservation.value()).ifPresent(ports::release);
                    reservation = null;
                }
                // Another port helps only when this one was taken; EMFILE and the like fail the same everywhere.
                if (inUse && claimedPort < 0 && attempt + 1 < BIND_ATTEMPTS) {
                    bindPrimary(attempt + 1);
                } else {
                    fail(ErrorCode.INSUFFICIENT_CAPACITY);
                }
            });
        }

        void bindSecondary(int attempt) {
            if (!additionalRequested) {
                finish();
                return;
            }
            if (secondary == null) {
                // RFC 8656 §7.2: the additional family cannot be served; the allocation still succeeds with the
                // first family and ADDRESS-ERROR-CODE tells why.
                addressError = new AddressErrorCode(RequestedAddressFamily.IPV6, 440, "Address Family not Supported");
                finish();
                return;
            }
            OptionalInt port = secondary.ports().next();
            if (port.isEmpty()) {
                addressError = new AddressErrorCode(RequestedAddressFamily.IPV6, 508, "Insufficient Capacity");
                finish();
                return;
            }
            int p = port.getAsInt();
            bind(secondary, p, this::finish, inUse -> {
                secondary.ports().bindFailed(p, inUse);
                if (inUse && attempt + 1 < BIND_ATTEMPTS) {
                    bindSecondary(attempt + 1);
                } else {
                    addressError = new AddressErrorCode(RequestedAddressFamily.IPV6, 508, "Insufficient Capacity");
                    finish();
                }
            });
        }

        /** Binds; on failure {@code failed} learns whether the port was in use (EADDRINUSE) or something else. */
        private void bind(RelayFamily family, int port, Runnable next, Consumer<Boolean> failed) {
            InetSocketAddress address = new InetSocketAddress(family.bind(), port);
            ChannelFuture future = session.isTcp() ? tcpRelay.listen(session, address)
                    : relaySockets.bind(session, address, dontFragment);
            future.addListener(f -> {
                if (f.isSuccess()) {
                    session.relay(future.channel(), port, family.isIpv6());
                    relays.add(new InetSocketAddress[] {address, new InetSocketAddress(family.advertised(), port)});
                    next.run();
                } else {
                    LOG.debug("relay bind {} failed: {}", address, f.cause().toString());
                    failed.accept(RelaySockets.addressInUse(f.cause()));
                }
            });
        }

        private void finish() {
            pending.remove(link.fiveTuple(), this);
            if (!link.channel().isActive()) {
                // The client's connection closed while the relay socket was being bound: its 5-tuple is gone, so
                // is the allocation (RFC 8656 §3.1). Registering it would leak a port and a quota slot.
                session.close();
                releasePorts();
                permit.close();
                return;
            }
            StunMessage request = decoded.message();
            long now = clock.nanos();
            Allocation.Builder builder = Allocation.builder(link.fiveTuple(), auth.username())
                    .realm(auth.realm())
                    .key(auth.key())
                    .transactionId(request.transactionId().toBytes())
                    .lifetimes(lifetimes)
                    .attachment(session);
            request.attribute(Lifetime.class).ifPresent(l -> builder.requestedLifetime(l.seconds()));
            for (InetSocketAddress[] relay : relays) {
                builder.relay(relay[0], relay[1]);
            }
            Allocation allocation = builder.build(now);
            session.allocation(allocation);
            if (registry.register(permit, allocation) != AllocationRegistry.RegisterResult.REGISTERED) {
                // Another Allocate on the same 5-tuple won the race (only possible across retransmissions).
                session.close();
                releasePorts();
                permit.close();
                replay(respondError(ErrorCode.ALLOCATION_MISMATCH));
                link.channel().flush();
                return;
            }
            StunMessage.Builder response = StunMessage.successResponseTo(request);
            for (InetSocketAddress[] relay : relays) {
                response.add(new XorRelayedAddress(relay[1]));
            }
            response.add(new Lifetime(allocation.lifetimeSeconds()));
            if (reservation != null) {
                response.add(new ReservationToken(reservation.value()));
            }
            if (addressError != null) {
                response.add(addressError);
            }
            response.add(new XorMappedAddress(link.fiveTuple().client()));
            byte[] encoded = responder.respond(link, decoded, response, auth.integrity());
            replay(encoded);
            allocation.setCachedResponse(encoded);
            link.channel().flush();
            session.sweep(link.eventLoop().scheduleAtFixedRate(() -> sweep(allocation),
                    SWEEP_SECONDS, SWEEP_SECONDS, TimeUnit.SECONDS));
        }

        private void fail(ErrorCode code) {
            pending.remove(link.fiveTuple(), this);
            session.close();
            releasePorts();
            permit.close();
            replay(respondError(code));
            link.channel().flush();
        }

        private byte[] respondError(ErrorCode code) {
            return responder.respond(link, decoded, StunMessage.errorResponseTo(decoded.message(), code),
                    auth.integrity());
        }

        /** The same response once more for every retransmission received while this Allocate was pending. */
        private void replay(byte[] encoded) {
            for (int i = 0; i < retransmissions; i++) {
                link.write(Unpooled.wrappedBuffer(encoded));
            }
            retransmissions = 0;
        }

        private void releasePorts() {
            if (session.port(primary.isIpv6()) > 0) {
                primary.ports().release(session.port(primary.isIpv6()));
            }
            if (secondary != null && session.port(true) > 0 && secondary != primary) {
                secondary.ports().release(session.port(true));
            }
        }
    }

    private void sweep(Allocation allocation) {
        long now = clock.nanos();
        if (allocation.isExpired(now)) {
            destroy(allocation, EndReason.EXPIRED);
        } else {
            allocation.expireStale(now);
        }
    }
}
