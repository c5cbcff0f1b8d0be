package io.traverse.server;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import io.traverse.cluster.ClusterQuota;
import io.traverse.cluster.LoadReports;
import io.traverse.metrics.TraverseMetrics;
import io.traverse.net.IpAddresses;
import io.traverse.stun.ErrorCode;
import io.traverse.stun.StunMessage;
import io.traverse.stun.attr.AddressErrorCode;
import io.traverse.stun.attr.EvenPort;
import io.traverse.stun.attr.Lifetime;
import io.traverse.stun.attr.RequestedAddressFamily;
import io.traverse.stun.attr.ReservationToken;
import io.traverse.stun.attr.UnknownAttributes;
import io.traverse.stun.attr.XorMappedAddress;
import io.traverse.stun.attr.XorRelayedAddress;
import io.traverse.stun.codec.DecodedMessage;
import io.traverse.transport.ClientLink;
import io.traverse.transport.LoopSweep;
import io.traverse.transport.RelayEndpoint;
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
import io.traverse.turn.RelayHandle;
import io.traverse.turn.TurnClock;
import io.traverse.util.LogText;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
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
    /** At most one warning about relay ports per this interval: clients can make every Allocate fail the same way. */
    private static final long PORT_WARNING_INTERVAL_NANOS = java.util.concurrent.TimeUnit.MINUTES.toNanos(1);
    /** When the last relay-port warning was logged (System.nanoTime), shared by all loops. */
    private static final java.util.concurrent.atomic.AtomicLong lastPortWarning =
            new java.util.concurrent.atomic.AtomicLong(System.nanoTime() - PORT_WARNING_INTERVAL_NANOS);
    /** How often an allocation's permissions, channels and lifetime are swept. */
    static final long SWEEP_SECONDS = 5;

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
    /** Bandwidth limits; set once after construction ({@link #bandwidth(Bandwidth)}), none until then. */
    private Bandwidth bandwidth = new Bandwidth(io.traverse.config.BandwidthConfig.defaults(),
            user -> java.util.OptionalLong.empty());
    /**
     * Allocates whose relay sockets are being bound, by 5-tuple. Each entry is touched only on its client's loop;
     * the map is shared by all loops.
     */
    private final Map<FiveTuple, Pending> pending = new ConcurrentHashMap<>();
    /** One sweep of all allocations per event loop. */
    private final Map<io.netty.util.concurrent.EventExecutor, LoopSweep> sweeps = new ConcurrentHashMap<>();
    /**
     * Quota slots held by EVEN-PORT R=1 reservations, by token: a reserved port counts against its user's quota
     * until it is claimed or the reservation lapses. Bounded by the quotas themselves.
     */
    private final Map<Long, AllocationPermit> reservationSlots = new ConcurrentHashMap<>();
    private int maxChannels = Allocation.DEFAULT_MAX_CHANNELS;
    private boolean legacyChannelNumbers;
    private boolean perSourceQuota;
    /** Cluster-wide quota (Redis), or null for local quotas only. */
    private volatile ClusterQuota clusterQuota;
    private volatile boolean clusterFailOpen = true;
    /** Load-aware ALTERNATE-SERVER, or null; redirects start at {@link #redirectAt} live allocations. */
    private volatile LoadReports loadReports;
    private volatile int redirectAt = Integer.MAX_VALUE;
    /** The cluster slot of each live allocation, by allocation id. */
    private final Map<Long, ClusterQuota.Slot> clusterSlots = new ConcurrentHashMap<>();

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
        // Draining takes no new allocations: the sockets bound ahead for them close.
        drain.onStart(relaySockets::closePrebound);
    }

    /**
     * Per-allocation channel limits ({@code relay.max-channels-per-allocation}, {@code relay.legacy-channel-numbers})
     * and whether {@code relay.max-allocations-per-ip} applies. Call before the first Allocate.
     */
    void channelLimits(int maxChannels, boolean legacyChannelNumbers, boolean perSourceQuota) {
        this.maxChannels = maxChannels;
        this.legacyChannelNumbers = legacyChannelNumbers;
        this.perSourceQuota = perSourceQuota;
    }

    /** Adds the cluster-wide quota on top of the local one; {@code failOpen}: allocate when Redis cannot answer. */
    void clusterQuota(ClusterQuota quota, boolean failOpen) {
        this.clusterQuota = quota;
        this.clusterFailOpen = failOpen;
    }

    /** Sends new Allocates to the least-loaded peer once {@code redirectAt} allocations are live (or draining). */
    void loadAwareRedirect(LoadReports reports, int redirectAt) {
        this.loadReports = reports;
        this.redirectAt = redirectAt;
    }

    /** Applies bandwidth limits to allocations made from now on. */
    void bandwidth(Bandwidth bandwidth) {
        this.bandwidth = bandwidth;
    }

    void allocate(DecodedMessage decoded, ClientLink link, Authenticator.Authenticated auth) {
        StunMessage request = decoded.message();
        if (LOG.isDebugEnabled()) { // the attribute text is built only when it is logged
            LOG.debug("Allocate from {} ({}): {}", link.fiveTuple().client(), LogText.escape(auth.username()),
                    LogText.escape(String.valueOf(request.attributes())));
        }
        Allocation existing = registry.find(link.fiveTuple());
        if (existing != null && existing.isExpired(clock.nanos())) {
            // Expired but not yet swept: it no longer holds its 5-tuple (RFC 8656 §7.2 step 2 asks about an
            // existing allocation, and an expired one is gone), so remove it now and let this Allocate proceed.
            destroy(existing, EndReason.EXPIRED);
            existing = null;
        }
        byte[] transactionId = request.transactionId().toBytes();
        if (existing != null) {
            Optional<byte[]> sent = existing.allocateResponse();
            if (existing.isAllocateTransaction(transactionId) && sent.isPresent()) {
                // RFC 8489 §6.3.1: a retransmitted Allocate gets the same success response again, not 437.
                link.write(Unpooled.wrappedBuffer(sent.get()));
                return;
            }
        }
        Pending inFlight = pending.get(link.fiveTuple());
        if (inFlight != null && Arrays.equals(inFlight.transactionId, transactionId)) {
            // A retransmission that arrived while the first one's relay socket is being bound: it gets the
            // same response as the first, once there is one (RFC 8489 §6.3.1), and creates nothing.
            inFlight.retransmissions++;
            return;
        }
        if (existing != null || inFlight != null) {
            // §7.2 step 2: the 5-tuple is in use by an allocation, or another transaction is creating one → 437.
            if (AllocateDecision.decide(request, context(link, true)) instanceof AllocateDecision.Reject refusal) {
                reject(decoded, link, auth, refusal);
            }
            return;
        }
        // §7.2 step 11: "Also, at any point, the server MAY choose to reject the request with a 300 (Try Alternate)
        // error if it wishes to redirect the client to a different server. The use of this error code and attribute
        // follows the specification in [RFC8489]."
        LoadReports reports = loadReports;
        if (reports != null && (drain.isDraining() || registry.active() >= redirectAt)) {
            redirectForLoad(decoded, link, auth, reports);
            return;
        }
        allocateHere(decoded, link, auth);
    }

    private AllocateDecision.Context context(ClientLink link, boolean fiveTupleInUse) {
        return new AllocateDecision.Context(link.isStream(), fiveTupleInUse, dontFragmentEnabled,
                family(false) != null, family(true) != null);
    }

    /** Answers a refused Allocate (with UNKNOWN-ATTRIBUTES for 420, RFC 8489 §14.13). */
    private void reject(DecodedMessage decoded, ClientLink link, Authenticator.Authenticated auth,
            AllocateDecision.Reject reject) {
        if (reject.unknownAttributes().isEmpty()) {
            responder.error(link, decoded, auth, reject.code());
        } else {
            responder.respond(link, decoded, StunMessage.errorResponseTo(decoded.message(), reject.code())
                    .add(new UnknownAttributes(reject.unknownAttributes())), auth.integrity());
        }
    }

    /**
     * Over the redirect threshold (or draining) in a cluster: RFC 8489 §10, 300 (Try Alternate) with the
     * least-loaded healthy peer of the same transport and address family as ALTERNATE-SERVER, and for TLS its name as
     * ALTERNATE-DOMAIN (§14.16). A client a peer already sent here is never sent on (no loops): it is served here if
     * there is room, otherwise 508. Without a suitable peer, the request is served here too (or refused, draining).
     */
    private void redirectForLoad(DecodedMessage decoded, ClientLink link, Authenticator.Authenticated auth,
            LoadReports reports) {
        InetSocketAddress client = link.fiveTuple().client();
        reports.wasRedirectedHere(client.getAddress(), auth.username()).thenAcceptAsync(redirectedHere -> {
            boolean ipv6 = link.fiveTuple().server().getAddress() instanceof Inet6Address;
            Optional<LoadReports.Alternate> alternate = redirectedHere ? Optional.empty()
                    : reports.leastLoaded(link.fiveTuple().protocol(), ipv6);
            if (alternate.isEmpty()) {
                // No suitable peer, or the client was already sent here once: never another 300. Served here if
                // there is room, otherwise the local quota answers 508 (RFC 8656 §7.2).
                allocateHere(decoded, link, auth);
                link.channel().flush();
                return;
            }
            LoadReports.Alternate to = alternate.get();
            reports.noteRedirect(to.instanceId(), client.getAddress(), auth.username()).thenRunAsync(() -> {
                StunMessage.Builder redirect = StunMessage.errorResponseTo(decoded.message(), ErrorCode.TRY_ALTERNATE)
                        .add(new io.traverse.stun.attr.AlternateServer(to.address()));
                if (link.fiveTuple().protocol() == io.traverse.turn.TransportProtocol.TLS && to.domain() != null) {
                    redirect.add(new io.traverse.stun.attr.AlternateDomain(to.domain()));
                }
                responder.respond(link, decoded, redirect, auth.integrity());
                link.channel().flush();
            }, link.eventLoop());
        }, link.eventLoop());
    }

    /** RFC 8656 §7.2 from step 3 on: the allocation is made on this instance. */
    private void allocateHere(DecodedMessage decoded, ClientLink link, Authenticator.Authenticated auth) {
        StunMessage request = decoded.message();
        if (drain.isDraining()) {
            // Draining (SIGTERM): no new allocations. §7.2 step 11 (RFC 8489 §10): 300 (Try Alternate) with
            // ALTERNATE-SERVER when one is configured, otherwise 508 (Insufficient Capacity).
            InetSocketAddress alternate = drain.alternateServer();
            StunMessage.Builder refusal = alternate == null
                    ? StunMessage.errorResponseTo(request, ErrorCode.INSUFFICIENT_CAPACITY)
                    : StunMessage.errorResponseTo(request, ErrorCode.TRY_ALTERNATE)
                            .add(new io.traverse.stun.attr.AlternateServer(alternate));
            responder.respond(link, decoded, refusal, auth.integrity());
            return;
        }
        AllocateDecision decision = AllocateDecision.decide(request, context(link, false));
        if (decision instanceof AllocateDecision.Reject refusal) {
            reject(decoded, link, auth, refusal);
        } else if (decision instanceof AllocateDecision.Plan plan) {
            allocate(decoded, link, auth, plan);
        }
    }

    /** The checks of §7.2 that need live state (the reservation token, the quotas), then the bind. */
    private void allocate(DecodedMessage decoded, ClientLink link, Authenticator.Authenticated auth,
            AllocateDecision.Plan plan) {
        Object source = perSourceQuota ? IpAddresses.sourceKey(link.fiveTuple().client().getAddress()) : null;
        // A TURN REST user id is cut out of each request's username: one shared copy serves all of the user's
        // allocations and their permits (~50 B each), instead of one per allocation.
        String quotaKey = auth.quotaKey() == auth.username() ? auth.quotaKey() : auth.quotaKey().intern();
        AllocateAdmission admission = AllocateAdmission.admit(plan, families, registry, quotaKey, source,
                this::releaseReservationSlot);
        if (admission instanceof AllocateAdmission.Refused refused) {
            // A claimed token's port went back to the pool: the socket that held it closes too.
            plan.reservationToken().ifPresent(t -> relaySockets.releaseReserved(t, link.eventLoop()));
            responder.error(link, decoded, auth, refused.code());
            return;
        }
        if (!(admission instanceof AllocateAdmission.Admitted admitted)) {
            return;
        }
        Pending pending = new Pending(decoded, link, auth, admitted.permit(), plan.dontFragment(),
                plan.evenPort().orElse(null), admitted.claimedPort(), admitted.primary(), admitted.secondary(),
                plan.additionalIpv6(), plan.tcp(), admitted.reservationSlot());
        plan.reservationToken().ifPresent(t -> {
            pending.claimedToken = t;
            pending.claimedPortHeld = admitted.claimedPort() > 0;
        });
        this.pending.put(link.fiveTuple(), pending);
        ClusterQuota cluster = clusterQuota;
        if (cluster == null || !cluster.enabled()) {
            pending.bindPrimary(0);
            return;
        }
        // §7.2 step 10 across the fleet: the cluster-wide quota in Redis, answered on this client's loop.
        cluster.reserve(admitted.permit().username()).thenAcceptAsync(pending::clusterReserved, link.eventLoop());
    }

    /** Frees the quota slot of a reservation that was claimed or lapsed; idempotent. */
    private void releaseReservationSlot(long token) {
        AllocationPermit slot = reservationSlots.remove(token);
        if (slot != null) {
            slot.close();
        }
    }

    private RelayFamily family(boolean ipv6) {
        return AllocateAdmission.family(families, ipv6);
    }

    /**
     * Removes an allocation, closes its sockets and returns its ports. Runs on the allocation's loop. The result
     * completes when its cluster quota slot is free in Redis too (at once without one); never exceptionally.
     */
    CompletableFuture<Void> destroy(Allocation allocation, EndReason reason) {
        if (!registry.remove(allocation, reason)) {
            return CompletableFuture.completedFuture(null);
        }
        ClusterQuota.Slot slot = clusterSlots.remove(allocation.id());
        CompletableFuture<Void> released = slot == null ? CompletableFuture.completedFuture(null)
                : clusterQuota.release(slot);
        RelayHandle session = allocation.relayHandle();
        bandwidth.release(allocation.limitBytesPerSecond());
        if (session instanceof RelaySession relay && !relay.isTcp() && relay.inLoop()) {
            // The allocation is gone from here on (out of the registry, its state dropped: the relay socket's handler
            // drops whatever still arrives). Its socket closes, its port goes back to the range and the pool is topped
            // up after this round of the loop, once a Refresh(0) response has left: the client need not wait for the
            // close and epoll_ctl, nor for the ten system calls of binding a replacement.
            EventLoop loop = relay.link().eventLoop();
            loop.execute(() -> {
                closeRelay(session);
                relaySockets.refillPrebound(loop);
            });
        } else {
            closeRelay(session);
            if (session.isTcp()) {
                tcpRelay.forget(allocation);
            }
        }
        return released;
    }

    /** Closes the relay socket(s) of {@code session} and gives their ports back to the range. */
    private void closeRelay(RelayHandle session) {
        session.close();
        for (RelayFamily f : families) {
            int port = session.port(f.isIpv6());
            if (port > 0) {
                f.ports().release(port);
            }
        }
    }


    /** True at most once per {@link #PORT_WARNING_INTERVAL_NANOS}, so port trouble cannot flood the log. */
    private static boolean portWarningDue() {
        long now = System.nanoTime();
        long last = lastPortWarning.get();
        return now - last >= PORT_WARNING_INTERVAL_NANOS && lastPortWarning.compareAndSet(last, now);
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
        /** The RESERVATION-TOKEN that claimed {@link #claimedPort}. */
        long claimedToken;
        /** The claimed port is still this Allocate's to give back (no bind of it was tried yet). */
        boolean claimedPortHeld;
        final RelayFamily primary;
        final RelayFamily secondary;
        final boolean additionalRequested;
        final RelaySession session;
        final byte[] transactionId;
        /** The quota slot for an EVEN-PORT R=1 reservation, or {@code null}. */
        AllocationPermit reservationSlot;
        /** Retransmissions of the request received meanwhile; each gets the response again. */
        int retransmissions;
        final List<InetSocketAddress[]> relays = new ArrayList<>(2);
        PortReservationToken reservation;
        AddressErrorCode addressError;
        /** The cluster-wide quota slot, or null. */
        ClusterQuota.Slot clusterSlot;

        Pending(DecodedMessage decoded, ClientLink link, Authenticator.Authenticated auth, AllocationPermit permit,
                boolean dontFragment, EvenPort evenPort, int claimedPort, RelayFamily primary,
                RelayFamily secondary, boolean additionalRequested, boolean tcp, AllocationPermit reservationSlot) {
            this.reservationSlot = reservationSlot;
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

        /** The cluster-wide quota answered: go on binding, or refuse (486 per user, 508 in total). */
        void clusterReserved(ClusterQuota.Slot slot) {
            clusterSlot = slot;
            switch (slot.decision()) {
                case GRANTED:
                    bindPrimary(0);
                    break;
                case UNAVAILABLE:
                    // Redis cannot answer: the local quotas were already checked; fail open or closed as configured.
                    if (clusterFailOpen) {
                        bindPrimary(0);
                    } else {
                        fail(ErrorCode.INSUFFICIENT_CAPACITY);
                    }
                    break;
                default:
                    fail(ErrorCode.valueOf(slot.decision().errorCode()));
            }
        }

        /** Gives back the local permit and the cluster slot (the allocation was not made). */
        private void releaseQuota() {
            permit.close();
            ClusterQuota cluster = clusterQuota;
            if (clusterSlot != null && cluster != null) {
                cluster.release(clusterSlot);
            }
        }

        /**
         * §7.2 step 8: "Otherwise, the server checks if it can satisfy the request (i.e., can allocate a relayed
         * transport address as described below). If the server cannot satisfy the request, then the server rejects
         * the request with a 508 (Insufficient Capacity) error." Known only once a port is bound.
         */
        void bindPrimary(int attempt) {
            PortAllocator ports = primary.ports();
            if (claimedPort > 0) {
                // The socket that held the reserved port closes first; then the port is bound for this allocation.
                claimedPortHeld = false; // from here the bind gives the port back or keeps it
                relaySockets.releaseReserved(claimedToken, link.eventLoop()).addListener(
                        closed -> link.eventLoop().execute(() -> bindPort(claimedPort, 0)));
                return;
            }
            OptionalInt port;
            if (evenPort != null && evenPort.reserveNext()) {
                Optional<PortAllocator.EvenPortPair> pair = ports.nextEvenWithReservation();
                if (pair.isPresent()) {
                    holdThenBind(pair.get(), attempt);
                    return;
                }
                port = OptionalInt.empty();
            } else if (evenPort != null) {
                port = ports.nextEven();
            } else if (claimPrebound(primary)) {
                bindSecondary(0);
                return;
            } else {
                port = ports.next();
            }
            if (port.isEmpty()) {
                // Sockets pooled on other loops may hold the ports: they go back for the next Allocates.
                relaySockets.releasePrebound(primary.bind());
                if (portWarningDue()) {
                    LOG.warn("no free relay port on {} (range exhausted or quarantined): Allocates get 508 "
                            + "(logged at most once a minute)", primary.bind());
                }
                fail(ErrorCode.INSUFFICIENT_CAPACITY);
                return;
            }
            bindPort(port.getAsInt(), attempt);
        }

        /**
         * EVEN-PORT with the R bit (RFC 8656 §7.2): a socket first takes N+1 and holds it for the reservation, so no
         * other socket can take it before the RESERVATION-TOKEN claims it; then N is bound for this allocation.
         */
        private void holdThenBind(PortAllocator.EvenPortPair pair, int attempt) {
            PortAllocator ports = primary.ports();
            long token = pair.token().value();
            InetSocketAddress held = new InetSocketAddress(primary.bind(), pair.reservedPort());
            relaySockets.holdReserved(link.eventLoop(), held, token, ports.reservationLifetime().toNanos())
                    .addListener(f -> {
                        if (f.isSuccess()) {
                            reservation = pair.token();
                            bindPort(pair.port(), attempt);
                            return;
                        }
                        // N+1 cannot be held: the pair is no good. N+1 leaves the reservation (quarantined when
                        // another socket has it) and N, never bound, goes back.
                        boolean inUse = RelaySockets.addressInUse(f.cause());
                        ports.claim(token).ifPresent(p -> ports.bindFailed(p, inUse));
                        ports.release(pair.port());
                        if (inUse && attempt + 1 < BIND_ATTEMPTS) {
                            bindPrimary(attempt + 1);
                        } else {
                            fail(ErrorCode.INSUFFICIENT_CAPACITY);
                        }
                    });
        }

        private void bindPort(int p, int attempt) {
            PortAllocator ports = primary.ports();
            bind(primary, p, () -> bindSecondary(0), inUse -> {
                ports.bindFailed(p, inUse);
                cancelReservation();
                // Another port helps only when this one was taken; EMFILE and the like fail the same everywhere. A
                // claimed port is the one the client was promised: no other will do (508).
                if (inUse && claimedPort < 0 && attempt + 1 < BIND_ATTEMPTS) {
                    bindPrimary(attempt + 1);
                } else {
                    fail(ErrorCode.INSUFFICIENT_CAPACITY);
                }
            });
        }

        /** The reservation made for this Allocate is given up: its socket closes and its port goes back. */
        private void cancelReservation() {
            if (reservation != null) {
                PortAllocator ports = primary.ports();
                relaySockets.releaseReserved(reservation.value(), link.eventLoop());
                ports.claim(reservation.value()).ifPresent(ports::release);
                reservation = null;
            }
        }

        void bindSecondary(int attempt) {
            if (!additionalRequested) {
                finish();
                return;
            }
            if (secondary == null) {
                // §7.2 step 9: "If the server can partially meet the request, i.e., if it can only allocate one
                // relayed transport address of a specific address type, then it includes ADDRESS-ERROR-CODE attribute
                // in the success response to inform the client the reason for partial failure of the request."
                addressError = new AddressErrorCode(RequestedAddressFamily.IPV6, 440, "Address Family not Supported");
                finish();
                return;
            }
            if (attempt == 0 && claimPrebound(secondary)) {
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

        /**
         * Takes a relay socket of {@code family} that was bound ahead (UDP only; {@link RelaySockets#claim}), so the
         * response needs no bind first; false when the pool has none.
         */
        private boolean claimPrebound(RelayFamily family) {
            if (session.isTcp()) {
                return false;
            }
            RelayEndpoint socket = relaySockets.claim(session, family.bind(), family.ports(), dontFragment);
            if (socket == null) {
                return false;
            }
            session.relay(socket, family.isIpv6());
            relayed(family, socket.port());
            return true;
        }

        /** This allocation's relay socket of {@code family} is bound at {@code port}. */
        private void relayed(RelayFamily family, int port) {
            InetSocketAddress bound = new InetSocketAddress(family.bind(), port);
            // one address object when none is advertised apart from the bound one (no 1:1 NAT), the usual case
            relays.add(new InetSocketAddress[] {bound, family.advertised().equals(family.bind()) ? bound
                    : new InetSocketAddress(family.advertised(), port)});
        }

        /** Binds; on failure {@code failed} learns whether the port was in use (EADDRINUSE) or something else. */
        private void bind(RelayFamily family, int port, Runnable next, Consumer<Boolean> failed) {
            InetSocketAddress address = new InetSocketAddress(family.bind(), port);
            Future<?> future = session.isTcp() ? tcpRelay.listen(session, address)
                    : relaySockets.bind(session, address, dontFragment);
            future.addListener(f -> {
                if (f.isSuccess()) {
                    if (session.isTcp()) {
                        session.relay(((ChannelFuture) f).channel(), port, family.isIpv6());
                    } else {
                        session.relay((RelayEndpoint) f.getNow(), family.isIpv6());
                    }
                    relayed(family, port);
                    next.run();
                } else {
                    boolean inUse = RelaySockets.addressInUse(f.cause());
                    if (inUse) {
                        LOG.debug("relay bind {} failed: {}", address, f.cause().toString());
                    } else {
                        // Not a busy port (EMFILE, ENOBUFS, ...): the operator must hear of it; the Allocate gets 508.
                        if (portWarningDue()) {
                            LOG.warn("relay bind {} failed: {} (logged at most once a minute)", address,
                                    f.cause().toString());
                        } else {
                            LOG.debug("relay bind {} failed: {}", address, f.cause().toString());
                        }
                    }
                    failed.accept(inUse);
                }
            });
        }

        private void finish() {
            pending.remove(link.fiveTuple(), this);
            if (!link.isOpen()) {
                // The client's connection or DTLS association closed while the relay socket was being bound: its
                // 5-tuple is gone, so is the allocation (RFC 8656 §3.1). Registering it would leak a port and a
                // quota slot.
                session.close();
                releasePorts();
                releaseQuota();
                return;
            }
            StunMessage request = decoded.message();
            long now = clock.nanos();
            Allocation.Builder builder = Allocation.builder(link.fiveTuple(), auth.username())
                    .quotaKey(permit.username())
                    .maxChannels(maxChannels)
                    .legacyChannelNumbers(legacyChannelNumbers)
                    .realm(auth.realm())
                    .key(auth.key())
                    .transactionId(request.transactionId().toBytes())
                    .lifetimes(lifetimes)
                    .relayHandle(session);
            request.attribute(Lifetime.class).ifPresent(l -> builder.requestedLifetime(l.seconds()));
            for (InetSocketAddress[] relay : relays) {
                builder.relay(relay[0], relay[1]);
            }
            Allocation allocation = builder.build(now);
            long rate = bandwidth.rateFor(auth.username());
            if (!bandwidth.reserve(rate)) {
                // bandwidth.bps-capacity is handed out: no room for this allocation's rate (RFC 8656 §7.2: 508)
                fail(ErrorCode.INSUFFICIENT_CAPACITY);
                return;
            }
            if (rate > 0) {
                allocation.traffic().limit(rate, Bandwidth.burstFor(rate), now);
            }
            session.allocation(allocation);
            if (registry.register(permit, allocation) != AllocationRegistry.RegisterResult.REGISTERED) {
                // Another Allocate on the same 5-tuple won the race (only possible across retransmissions).
                bandwidth.release(rate);
                session.close();
                releasePorts();
                releaseQuota();
                replay(respondError(ErrorCode.ALLOCATION_MISMATCH));
                link.channel().flush();
                return;
            }
            if (session.isTcp()) {
                tcpRelay.opened(allocation, session);
            }
            if (clusterSlot != null && clusterSlot.decision() == ClusterQuota.Decision.GRANTED) {
                clusterSlots.put(allocation.id(), clusterSlot);
            }
            StunMessage.Builder response = StunMessage.successResponseTo(request);
            for (InetSocketAddress[] relay : relays) {
                response.add(new XorRelayedAddress(relay[1]));
            }
            response.add(new Lifetime(allocation.lifetimeSeconds()));
            if (reservation != null) {
                response.add(new ReservationToken(reservation.value()));
                long token = reservation.value();
                reservationSlots.put(token, reservationSlot);
                reservationSlot = null;
                // The slot is freed when the reservation is claimed or, at the latest, when it lapses.
                link.eventLoop().schedule(() -> releaseReservationSlot(token),
                        primary.ports().reservationLifetime().toNanos(), TimeUnit.NANOSECONDS);
            }
            if (addressError != null) {
                response.add(addressError);
            }
            response.add(new XorMappedAddress(link.fiveTuple().client()));
            if (reservationSlot != null) {
                reservationSlot.close(); // no reservation was made after all
                reservationSlot = null;
            }
            byte[] encoded = responder.respond(link, decoded, response, auth.integrity());
            replay(encoded);
            allocation.allocateResponse(encoded);
            link.channel().flush();
            sweeps.computeIfAbsent(link.eventLoop(), loop -> new LoopSweep(loop,
                    TimeUnit.SECONDS.toNanos(SWEEP_SECONDS), AllocateHandler.this::sweep)).add(session);
        }

        private void fail(ErrorCode code) {
            pending.remove(link.fiveTuple(), this);
            session.close();
            releasePorts();
            releaseQuota();
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
            cancelReservation();
            if (claimedPortHeld) {
                // Refused before the claimed port was bound (the cluster quota): its socket closes, it goes back.
                claimedPortHeld = false;
                relaySockets.releaseReserved(claimedToken, link.eventLoop());
                primary.ports().release(claimedPort);
            }
            if (reservationSlot != null) {
                reservationSlot.close();
                reservationSlot = null;
            }
            if (session.port(primary.isIpv6()) > 0) {
                primary.ports().release(session.port(primary.isIpv6()));
            }
            if (secondary != null && session.port(true) > 0 && secondary != primary) {
                secondary.ports().release(session.port(true));
            }
        }
    }

    /** The periodic sweep of one allocation, run by its loop's {@link LoopSweep}. */
    private void sweep(Allocation allocation) {
        long now = clock.nanos();
        if (allocation.isExpired(now)) {
            destroy(allocation, EndReason.EXPIRED);
        } else {
            allocation.expireStale(now);
        }
    }
}
