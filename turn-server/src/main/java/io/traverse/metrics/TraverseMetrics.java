package io.traverse.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.traverse.turn.EndReason;
import io.traverse.turn.TransportProtocol;
import java.time.Duration;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Every meter Traverse publishes, by name, in one place (docs/metrics.md describes each). The registry is
 * injected, never global. Meters on the packet path are resolved once and kept, so counting allocates
 * nothing; all methods are thread-safe.
 *
 * <p>Every tag has a bounded set of values: unknown request methods, unknown auth failure reasons and
 * unknown handshake protocols are counted as {@value #OTHER}. No meter carries a username, a client
 * address or anything else a client chooses freely.
 *
 * <p>Create one instance per registry: the gauges read this instance's state, and a second instance on the
 * same registry would get the first one's gauges back.
 *
 * <p>Names avoid the suffixes {@code .created}, {@code .total}, {@code .bucket} and {@code .info}: the
 * Prometheus client strips them from meter names (OpenMetrics reserves them), so
 * {@code traverse.allocations.created} would be exported as {@code traverse_allocations_total}.
 */
public final class TraverseMetrics {

    // ------------------------------------------------------------------------------------ meter names

    /** Counter: packets dropped without an answer, tag {@code reason} ({@link DropReason}). */
    public static final String PACKETS_DROPPED = "traverse.packets.dropped";
    /** Counter: STUN/TURN requests answered (or dropped, code 0), tags {@code method}, {@code code}. */
    public static final String REQUESTS = "traverse.requests";
    /** Timer: from a request's arrival to its response, tag {@code method}. */
    public static final String REQUEST_LATENCY = "traverse.request.latency";
    /** Counter: relayed packets, tag {@code direction} ({@code to_peer}, {@code to_client}). */
    public static final String RELAYED_PACKETS = "traverse.relayed.packets";
    /** Counter: relayed application bytes, tag {@code direction}. */
    public static final String RELAYED_BYTES = "traverse.relayed.bytes";
    /** Gauge: allocations alive now, tags {@code transport}, {@code family}. */
    public static final String ALLOCATIONS_ACTIVE = "traverse.allocations.active";
    /** Counter: allocations opened (RFC 8656 §7.2 success), tags {@code transport}, {@code family}. */
    public static final String ALLOCATIONS_OPENED = "traverse.allocations.opened";
    /** Counter: allocations whose lifetime ran out without a Refresh, tags {@code transport}, {@code family}. */
    public static final String ALLOCATIONS_EXPIRED = "traverse.allocations.expired";
    /** Counter: allocations ended for any reason, tag {@code reason} ({@link EndReason}, lower case). */
    public static final String ALLOCATIONS_ENDED = "traverse.allocations.ended";
    /** Gauge: permissions alive now (RFC 8656 §9). */
    public static final String PERMISSIONS_ACTIVE = "traverse.permissions.active";
    /** Counter: permissions installed (refreshes of a live permission are not counted). */
    public static final String PERMISSIONS_INSTALLED = "traverse.permissions.installed";
    /** Gauge: channel bindings alive now (RFC 8656 §12). */
    public static final String CHANNELS_ACTIVE = "traverse.channels.active";
    /** Counter: channels bound (rebinding a live channel is not counted). */
    public static final String CHANNELS_BOUND = "traverse.channels.bound";
    /** Counter: requests whose long-term credentials verified (RFC 8489 §9.2.4). */
    public static final String AUTH_SUCCEEDED = "traverse.auth.succeeded";
    /** Counter: requests refused or challenged by authentication, tag {@code reason}. */
    public static final String AUTH_FAILED = "traverse.auth.failed";
    /** Gauge: 1 while the external credential store answers, 0 after a failed query until one succeeds. */
    public static final String CREDENTIAL_STORE_UP = "traverse.credential.store.up";
    /** Counter: queries sent to the external credential store (look-ups and refreshes). */
    public static final String CREDENTIAL_STORE_QUERIES = "traverse.credential.store.queries";
    /** Counter: credential store queries that failed (unreachable, timeout, error). */
    public static final String CREDENTIAL_STORE_FAILURES = "traverse.credential.store.failures";
    /** Counter: look-ups refused because the store's query budget was spent (a username flood). */
    public static final String CREDENTIAL_STORE_OVER_BUDGET = "traverse.credential.store.over.budget";
    /** Gauge: users (and "no such user" answers) in the credential cache. */
    public static final String CREDENTIAL_CACHE_SIZE = "traverse.credential.cache.size";
    /** Counter: TLS/DTLS handshakes, tags {@code protocol} ({@code tls}, {@code dtls}), {@code outcome}. */
    public static final String HANDSHAKES = "traverse.handshakes";
    /**
     * Counter: connections, handshakes and requests refused or closed by a resource limit, tag {@code limit}
     * ({@link Limit}); docs/security.md lists each limit.
     */
    public static final String LIMIT_REFUSALS = "traverse.limit.refusals";
    /** Gauge: client stream connections (TCP and TLS) open now. */
    public static final String STREAM_CONNECTIONS = "traverse.stream.connections";
    /** Gauge: relay sockets bound ahead of Allocates and not yet claimed ({@code relay.prebound-sockets}). */
    public static final String RELAY_PREBOUND_SOCKETS = "traverse.relay.prebound.sockets";
    /**
     * Function counter: UDP datagrams the kernel dropped, from {@code /proc/net/snmp[6]}, tags {@code family}
     * ({@code ipv4}, {@code ipv6}) and {@code kind} ({@code rcvbuf}, {@code sndbuf}, {@code in}). Linux only.
     */
    public static final String UDP_KERNEL_ERRORS = "traverse.udp.kernel.errors";

    // ------------------------------------------------------------------------------------ tags

    public static final String TAG_REASON = "reason";
    public static final String TAG_METHOD = "method";
    public static final String TAG_CODE = "code";
    public static final String TAG_DIRECTION = "direction";
    public static final String TAG_TRANSPORT = "transport";
    public static final String TAG_FAMILY = "family";
    public static final String TAG_PROTOCOL = "protocol";
    public static final String TAG_OUTCOME = "outcome";
    public static final String TAG_LIMIT = "limit";
    public static final String TAG_KIND = "kind";

    /** The tag value for anything outside a tag's known set. */
    public static final String OTHER = "other";

    /** Request method tag values: the STUN/TURN methods Traverse knows (RFC 8489, 8656, 6062), lower case. */
    public static final List<String> REQUEST_METHODS = List.of("binding", "allocate", "refresh", "send", "data",
            "create_permission", "channel_bind", "connect", "connection_bind", "connection_attempt");

    /** Auth failure reason tag values, {@link AuthFailure}'s in declaration order (besides {@value #OTHER}). */
    public static final List<String> AUTH_FAILURE_REASONS =
            java.util.Arrays.stream(AuthFailure.values()).map(AuthFailure::tag).toList();

    /** Handshake protocol tag values (besides {@value #OTHER}). */
    public static final List<String> HANDSHAKE_PROTOCOLS = List.of("tls", "dtls");

    /** Histogram buckets of {@link #REQUEST_LATENCY}: 100 µs to 1 s. */
    static final Duration[] LATENCY_BUCKETS = {
        Duration.ofNanos(100_000), Duration.ofNanos(250_000), Duration.ofNanos(500_000), Duration.ofMillis(1),
        Duration.ofNanos(2_500_000), Duration.ofMillis(5), Duration.ofMillis(10),
        Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
        Duration.ofSeconds(1)
    };

    /** Response codes kept as their own tag value: 0 (no response) and 1..699; others count as "other". */
    private static final int MAX_CODE = 699;

    /** Why a packet was dropped; the tag value of {@link #PACKETS_DROPPED}. */
    public enum DropReason {
        MALFORMED("malformed"),
        BAD_FINGERPRINT("bad_fingerprint"),
        UNKNOWN_KIND("unknown_kind"),
        UNEXPECTED_CLASS("unexpected_class"),
        UNKNOWN_REQUIRED_ATTRIBUTE("unknown_required_attribute"),
        NO_ALLOCATION("no_allocation"),
        NO_PERMISSION("no_permission"),
        PEER_DENIED("peer_denied"),
        RATE_LIMITED("rate_limited"),
        UNKNOWN_CHANNEL("unknown_channel"),
        /** A peer datagram that could not be encoded for the client (RelayPeerHandler). */
        ENCODE_FAILED("encode_failed"),
        /**
         * Peer → client datagram for a client whose outbound buffer is above its high water mark, or, on a UDP
         * listener, that its full send buffer refused (EAGAIN).
         */
        CLIENT_BACKLOG("client_backlog"),
        /** Over the allocation's bandwidth limit (relay.max-bps). */
        BANDWIDTH("bandwidth"),
        /**
         * A relay socket reported an error: a datagram to a peer the kernel refused to send (ENETUNREACH, EPERM from
         * a firewall, ...) or an error queued on the socket. The socket stays open. Also a datagram to a UDP client
         * that the kernel refused, or that found its listener closed.
         */
        RELAY_SOCKET_ERROR("relay_socket_error");

        private final String tag;

        DropReason(String tag) {
            this.tag = tag;
        }

        public String tag() {
            return tag;
        }
    }

    /** Why authentication refused or challenged a request (RFC 8489 §9.2.4); the tag value of {@link #AUTH_FAILED}. */
    public enum AuthFailure {
        /** No MESSAGE-INTEGRITY(-SHA256): 401 with a challenge. */
        NO_INTEGRITY("no_integrity"),
        /** USERNAME/USERHASH, REALM or NONCE missing: 400. */
        MISSING_ATTRIBUTE("missing_attribute"),
        /** Security feature bits of the nonce altered (a bid-down attack): 400. */
        FEATURE_BITS("feature_bits"),
        /** PASSWORD-ALGORITHMS not as offered, or PASSWORD-ALGORITHM not among them: 400. */
        PASSWORD_ALGORITHM("password_algorithm"),
        /** Another realm: 401. */
        WRONG_REALM("wrong_realm"),
        /** No such user: 401. */
        UNKNOWN_USER("unknown_user"),
        /** The MESSAGE-INTEGRITY did not verify: 401. */
        BAD_INTEGRITY("bad_integrity"),
        /** A stale or foreign nonce, after the integrity verified: 438. */
        STALE_NONCE("stale_nonce"),
        /** Over the rate of unauthenticated answers for the source: dropped. */
        RATE_LIMITED("rate_limited"),
        /** The credential store could not answer: 500. */
        STORE_UNAVAILABLE("store_unavailable");

        private final String tag;

        AuthFailure(String tag) {
            this.tag = tag;
        }

        public String tag() {
            return tag;
        }
    }

    /** A resource limit that refused or closed something; the tag value of {@link #LIMIT_REFUSALS}. */
    public enum Limit {
        /** {@code limits.streams.max-connections}: a TCP/TLS connection refused at accept. */
        STREAM_CONNECTIONS("stream_connections"),
        /** {@code limits.streams.max-connections-per-ip}. */
        STREAM_CONNECTIONS_PER_IP("stream_connections_per_ip"),
        /** {@code limits.streams.max-without-allocation}. */
        STREAM_WITHOUT_ALLOCATION("stream_without_allocation"),
        /** {@code limits.streams.allocate-within}: closed for not allocating in time. */
        STREAM_ALLOCATE_DEADLINE("stream_allocate_deadline"),
        /** {@code limits.streams.max-tls-handshakes}. */
        TLS_HANDSHAKES("tls_handshakes"),
        /** {@code limits.streams.max-pending-bytes}: closed for not reading what it is sent. */
        STREAM_PENDING_BYTES("stream_pending_bytes"),
        /** {@code limits.tcp-relay.connects-per-second-per-allocation}. */
        CONNECT_RATE_ALLOCATION("connect_rate_allocation"),
        /** {@code limits.tcp-relay.connects-per-second}. */
        CONNECT_RATE_SERVER("connect_rate_server"),
        /** {@code limits.dtls.max-associations}. */
        DTLS_ASSOCIATIONS("dtls_associations"),
        /** {@code limits.dtls.max-associations-per-ip}. */
        DTLS_ASSOCIATIONS_PER_IP("dtls_associations_per_ip"),
        /** {@code limits.dtls.max-handshakes-per-ip}. */
        DTLS_HANDSHAKES_PER_IP("dtls_handshakes_per_ip"),
        /** {@code admin.max-connections-per-ip}. */
        ADMIN_CONNECTIONS_PER_IP("admin_connections_per_ip"),
        /** {@code admin.request-timeout}: closed for not sending a whole request in time. */
        ADMIN_REQUEST_TIMEOUT("admin_request_timeout");

        private final String tag;

        Limit(String tag) {
            this.tag = tag;
        }

        public String tag() {
            return tag;
        }
    }

    private final MeterRegistry registry;
    private final Map<Limit, Counter> limitRefusals = new EnumMap<>(Limit.class);
    private final AtomicLong streamConnections = new AtomicLong();
    private final AtomicLong preboundSockets = new AtomicLong();
    /** Held here because the registry holds its function counters' state weakly. */
    private final KernelUdpCounters kernelUdp = new KernelUdpCounters(java.nio.file.Path.of("/proc/net"));
    private final Map<DropReason, Counter> dropped = new EnumMap<>(DropReason.class);
    private final Counter packetsToPeer;
    private final Counter packetsToClient;
    private final Counter bytesToPeer;
    private final Counter bytesToClient;

    /** Read-only after construction: method tag (lower and upper case) → its meters. */
    private final Map<String, MethodMeters> methods = new HashMap<>();
    private final MethodMeters otherMethod;

    private final Counter authSucceeded;
    /** Read-only after construction. */
    private final Map<AuthFailure, Counter> authFailed = new EnumMap<>(AuthFailure.class);

    /** [protocol index: tls, dtls, other][0 = failure, 1 = success]. */
    private final Counter[][] handshakes = new Counter[HANDSHAKE_PROTOCOLS.size() + 1][2];

    private final Map<TransportProtocol, AtomicLong[]> allocationsActive = new EnumMap<>(TransportProtocol.class);
    private final Map<TransportProtocol, Counter[]> allocationsOpened = new EnumMap<>(TransportProtocol.class);
    private final Map<TransportProtocol, Counter[]> allocationsExpired = new EnumMap<>(TransportProtocol.class);
    private final Map<EndReason, Counter> allocationsEnded = new EnumMap<>(EndReason.class);
    private final AtomicLong permissionsActive = new AtomicLong();
    private final Counter permissionsInstalled;
    private final AtomicLong channelsActive = new AtomicLong();
    private final Counter channelsBound;

    public TraverseMetrics(MeterRegistry registry) {
        this.registry = Objects.requireNonNull(registry, "registry");
        kernelUdp.register(registry);
        for (DropReason reason : DropReason.values()) {
            dropped.put(reason, Counter.builder(PACKETS_DROPPED)
                    .description("Packets dropped without an answer, by reason")
                    .tag(TAG_REASON, reason.tag())
                    .register(registry));
        }
        packetsToPeer = relayCounter(RELAYED_PACKETS, "to_peer", "Packets relayed");
        packetsToClient = relayCounter(RELAYED_PACKETS, "to_client", "Packets relayed");
        bytesToPeer = relayCounter(RELAYED_BYTES, "to_peer", "Application bytes relayed");
        bytesToClient = relayCounter(RELAYED_BYTES, "to_client", "Application bytes relayed");

        for (String method : REQUEST_METHODS) {
            MethodMeters m = new MethodMeters(method);
            methods.put(method, m);
            methods.put(method.toUpperCase(Locale.ROOT), m);
        }
        otherMethod = new MethodMeters(OTHER);

        authSucceeded = Counter.builder(AUTH_SUCCEEDED)
                .description("Requests whose long-term credentials verified")
                .register(registry);
        for (AuthFailure reason : AuthFailure.values()) {
            authFailed.put(reason, registerAuthFailed(reason.tag()));
        }
        // Pre-registered so the dashboard's series exist; no reason is counted under it.
        registerAuthFailed(OTHER);

        for (int p = 0; p <= HANDSHAKE_PROTOCOLS.size(); p++) {
            String protocol = p < HANDSHAKE_PROTOCOLS.size() ? HANDSHAKE_PROTOCOLS.get(p) : OTHER;
            for (int ok = 0; ok < 2; ok++) {
                handshakes[p][ok] = Counter.builder(HANDSHAKES)
                        .description("TLS and DTLS handshakes, by protocol and outcome")
                        .tag(TAG_PROTOCOL, protocol)
                        .tag(TAG_OUTCOME, ok == 1 ? "success" : "failure")
                        .register(registry);
            }
        }

        AllocationFamily[] families = AllocationFamily.values();
        for (TransportProtocol transport : TransportProtocol.values()) {
            String t = transport.name().toLowerCase(Locale.ROOT);
            AtomicLong[] active = new AtomicLong[families.length];
            Counter[] opened = new Counter[families.length];
            Counter[] expired = new Counter[families.length];
            for (AllocationFamily family : families) {
                int f = family.ordinal();
                active[f] = new AtomicLong();
                Gauge.builder(ALLOCATIONS_ACTIVE, active[f], AtomicLong::doubleValue)
                        .description("Allocations alive now, by client transport and relay address family")
                        .tag(TAG_TRANSPORT, t)
                        .tag(TAG_FAMILY, family.tag())
                        .strongReference(true)
                        .register(registry);
                opened[f] = Counter.builder(ALLOCATIONS_OPENED)
                        .description("Allocations opened, by client transport and relay address family")
                        .tag(TAG_TRANSPORT, t)
                        .tag(TAG_FAMILY, family.tag())
                        .register(registry);
                expired[f] = Counter.builder(ALLOCATIONS_EXPIRED)
                        .description("Allocations whose lifetime ran out, by client transport and relay address family")
                        .tag(TAG_TRANSPORT, t)
                        .tag(TAG_FAMILY, family.tag())
                        .register(registry);
            }
            allocationsActive.put(transport, active);
            allocationsOpened.put(transport, opened);
            allocationsExpired.put(transport, expired);
        }
        for (EndReason reason : EndReason.values()) {
            allocationsEnded.put(reason, Counter.builder(ALLOCATIONS_ENDED)
                    .description("Allocations ended, by reason")
                    .tag(TAG_REASON, reason.name().toLowerCase(Locale.ROOT))
                    .register(registry));
        }
        Gauge.builder(PERMISSIONS_ACTIVE, permissionsActive, AtomicLong::doubleValue)
                .description("Permissions alive now")
                .strongReference(true)
                .register(registry);
        permissionsInstalled = Counter.builder(PERMISSIONS_INSTALLED)
                .description("Permissions installed (refreshes not counted)")
                .register(registry);
        Gauge.builder(CHANNELS_ACTIVE, channelsActive, AtomicLong::doubleValue)
                .description("Channel bindings alive now")
                .strongReference(true)
                .register(registry);
        channelsBound = Counter.builder(CHANNELS_BOUND)
                .description("Channels bound (rebinds of a live channel not counted)")
                .register(registry);
        for (Limit limit : Limit.values()) {
            limitRefusals.put(limit, Counter.builder(LIMIT_REFUSALS)
                    .description("Connections, handshakes and requests refused or closed by a resource limit")
                    .tag(TAG_LIMIT, limit.tag())
                    .register(registry));
        }
        Gauge.builder(STREAM_CONNECTIONS, streamConnections, AtomicLong::doubleValue)
                .description("Client TCP and TLS connections open now")
                .strongReference(true)
                .register(registry);
        Gauge.builder(RELAY_PREBOUND_SOCKETS, preboundSockets, AtomicLong::doubleValue)
                .description("Relay sockets bound ahead of Allocates and not yet claimed")
                .strongReference(true)
                .register(registry);
    }

    // ------------------------------------------------------------------------------------ limits

    /** Counts one refusal (or close) by {@code limit}. */
    public void refused(Limit limit) {
        limitRefusals.get(limit).increment();
    }

    /** Refusals counted for {@code limit}. */
    public double refusedCount(Limit limit) {
        return limitRefusals.get(limit).count();
    }

    /** A client stream connection opened (+1) or closed (-1). */
    public void streamConnection(int delta) {
        streamConnections.addAndGet(delta);
    }

    /** Client stream connections open now. */
    public long streamConnections() {
        return streamConnections.get();
    }

    /** A pre-bound relay socket joined the pool (+1), or left it, claimed or closed (-1). */
    public void preboundSocket(int delta) {
        preboundSockets.addAndGet(delta);
    }

    /** Pre-bound relay sockets waiting to be claimed now. */
    public long preboundSockets() {
        return preboundSockets.get();
    }

    /** Metrics into a private in-memory registry (tests, tools). */
    public static TraverseMetrics inMemory() {
        return new TraverseMetrics(new SimpleMeterRegistry());
    }

    /** The registry the meters live in. */
    public MeterRegistry registry() {
        return registry;
    }

    /** A listener that turns allocation events into the allocation, permission and channel meters. */
    public MetricsAllocationListener allocationListener() {
        return new MetricsAllocationListener(this);
    }

    // ------------------------------------------------------------------------------------ packets

    public void dropped(DropReason reason) {
        dropped.get(reason).increment();
    }

    public double droppedCount(DropReason reason) {
        return dropped.get(reason).count();
    }

    /** Counts one relayed packet of {@code bytes} application bytes. */
    public void relayed(boolean toPeer, int bytes) {
        if (toPeer) {
            packetsToPeer.increment();
            bytesToPeer.increment(bytes);
        } else {
            packetsToClient.increment();
            bytesToClient.increment(bytes);
        }
    }

    public double relayedPackets(boolean toPeer) {
        return toPeer ? packetsToPeer.count() : packetsToClient.count();
    }

    // ------------------------------------------------------------------------------------ requests

    /**
     * Counts a request by method name and response code (0 = no response). The method is a
     * {@link #REQUEST_METHODS} name in upper or lower case (as {@code Method.name()} gives it); anything else
     * counts as {@value #OTHER}, and so does a code outside 0..699. Allocation-free once the pair was seen.
     */
    public void request(String method, int code) {
        methodMeters(method).requests(code).increment();
    }

    /** The number of requests counted for this method and code (tests, tools). */
    public double requestCount(String method, int code) {
        return methodMeters(method).requests(code).count();
    }

    /** Records how long a request took from arrival to response; negative durations are ignored. */
    public void recordRequestNanos(String method, long nanos) {
        if (nanos >= 0) {
            methodMeters(method).latency().record(nanos, TimeUnit.NANOSECONDS);
        }
    }

    private MethodMeters methodMeters(String method) {
        if (method == null) {
            return otherMethod;
        }
        MethodMeters m = methods.get(method);
        if (m == null) {
            m = methods.get(method.toLowerCase(Locale.ROOT));
        }
        return m != null ? m : otherMethod;
    }

    // ------------------------------------------------------------------------------------ auth

    /** Counts a request whose credentials verified (RFC 8489 §9.2.4). */
    public void authSucceeded() {
        authSucceeded.increment();
    }

    /** Counts a request refused or challenged by authentication. */
    public void authFailed(AuthFailure reason) {
        authFailed.get(reason).increment();
    }

    /** Successful authentications so far. */
    public double authSucceededCount() {
        return authSucceeded.count();
    }

    /** Failures counted under this reason. */
    public double authFailedCount(AuthFailure reason) {
        return authFailed.get(reason).count();
    }

    private Counter registerAuthFailed(String reason) {
        return Counter.builder(AUTH_FAILED)
                .description("Requests refused or challenged by authentication, by reason")
                .tag(TAG_REASON, reason)
                .register(registry);
    }

    // ------------------------------------------------------------------------------------ handshakes

    /**
     * Counts a TLS or DTLS handshake. {@code protocol} is {@code tls} or {@code dtls} in any case; anything
     * else counts as {@value #OTHER}.
     */
    public void handshake(String protocol, boolean success) {
        handshakeCounter(protocol, success).increment();
    }

    /** Counts a handshake on a secure transport ({@link TransportProtocol#TLS} or {@link TransportProtocol#DTLS}). */
    public void handshake(TransportProtocol protocol, boolean success) {
        handshake(protocol == null ? null : protocol.name(), success);
    }

    /** Handshakes counted for this protocol and outcome. */
    public double handshakeCount(String protocol, boolean success) {
        return handshakeCounter(protocol, success).count();
    }

    private Counter handshakeCounter(String protocol, boolean success) {
        int p = HANDSHAKE_PROTOCOLS.size();
        if (protocol != null) {
            for (int i = 0; i < HANDSHAKE_PROTOCOLS.size(); i++) {
                if (HANDSHAKE_PROTOCOLS.get(i).equalsIgnoreCase(protocol)) {
                    p = i;
                    break;
                }
            }
        }
        return handshakes[p][success ? 1 : 0];
    }

    // ------------------------------------------------------------------------------------ allocations

    /** Allocations alive now, over all transports and families. */
    public long activeAllocations() {
        long n = 0;
        for (AtomicLong[] byFamily : allocationsActive.values()) {
            for (AtomicLong a : byFamily) {
                n += a.get();
            }
        }
        return n;
    }

    /** Allocations alive now on this transport and family. */
    public long activeAllocations(TransportProtocol transport, AllocationFamily family) {
        return allocationsActive.get(transport)[family.ordinal()].get();
    }

    /** Permissions alive now. */
    public long activePermissions() {
        return permissionsActive.get();
    }

    /** Channel bindings alive now. */
    public long activeChannels() {
        return channelsActive.get();
    }

    void allocationOpened(TransportProtocol transport, AllocationFamily family) {
        allocationsActive.get(transport)[family.ordinal()].incrementAndGet();
        allocationsOpened.get(transport)[family.ordinal()].increment();
    }

    /** An allocation ended, taking its remaining permissions and channels with it. */
    void allocationEnded(TransportProtocol transport, AllocationFamily family, EndReason reason, int permissions,
            int channels) {
        allocationsActive.get(transport)[family.ordinal()].decrementAndGet();
        if (reason == EndReason.EXPIRED) {
            allocationsExpired.get(transport)[family.ordinal()].increment();
        }
        allocationsEnded.get(reason).increment();
        if (permissions > 0) {
            permissionsActive.addAndGet(-permissions);
        }
        if (channels > 0) {
            channelsActive.addAndGet(-channels);
        }
    }

    void permissionInstalled() {
        permissionsActive.incrementAndGet();
        permissionsInstalled.increment();
    }

    void permissionExpired() {
        permissionsActive.decrementAndGet();
    }

    void channelBound() {
        channelsActive.incrementAndGet();
        channelsBound.increment();
    }

    void channelExpired() {
        channelsActive.decrementAndGet();
    }

    private Counter relayCounter(String name, String direction, String description) {
        return Counter.builder(name).description(description).tag(TAG_DIRECTION, direction).register(registry);
    }

    /**
     * The meters of one method tag: request counters by code, created on first use (a code's counter is
     * registered once, then read from the array), and the latency timer, created on first use.
     */
    private final class MethodMeters {
        private final String tag;
        /** Index = code 0..699; the last slot is {@value TraverseMetrics#OTHER}. */
        private final AtomicReferenceArray<Counter> byCode = new AtomicReferenceArray<>(MAX_CODE + 2);
        private volatile Timer latency;

        MethodMeters(String tag) {
            this.tag = tag;
        }

        Counter requests(int code) {
            int slot = code >= 0 && code <= MAX_CODE ? code : MAX_CODE + 1;
            Counter c = byCode.get(slot);
            if (c == null) {
                c = Counter.builder(REQUESTS)
                        .description("STUN/TURN requests by method and response code (0 = no response)")
                        .tag(TAG_METHOD, tag)
                        .tag(TAG_CODE, slot <= MAX_CODE ? Integer.toString(slot) : OTHER)
                        .register(registry);
                byCode.set(slot, c); // racing threads get the same meter back from the registry
            }
            return c;
        }

        Timer latency() {
            Timer t = latency;
            if (t == null) {
                t = Timer.builder(REQUEST_LATENCY)
                        .description("Time from a request's arrival to its response, by method")
                        .tag(TAG_METHOD, tag)
                        .serviceLevelObjectives(LATENCY_BUCKETS)
                        .register(registry);
                latency = t;
            }
            return t;
        }
    }

    /** Registers the meters of the external credential store (the {@code CREDENTIAL_*} names). */
    public void bindCredentialStore(io.traverse.auth.CachingUserStore store) {
        Gauge.builder(CREDENTIAL_STORE_UP, store, st -> st.isAvailable() ? 1 : 0).register(registry);
        io.micrometer.core.instrument.FunctionCounter.builder(CREDENTIAL_STORE_QUERIES, store,
                io.traverse.auth.CachingUserStore::queries).register(registry);
        io.micrometer.core.instrument.FunctionCounter.builder(CREDENTIAL_STORE_FAILURES, store,
                io.traverse.auth.CachingUserStore::failures).register(registry);
        io.micrometer.core.instrument.FunctionCounter.builder(CREDENTIAL_STORE_OVER_BUDGET, store,
                io.traverse.auth.CachingUserStore::overBudget).register(registry);
        Gauge.builder(CREDENTIAL_CACHE_SIZE, store, io.traverse.auth.CachingUserStore::cachedUsers).register(registry);
    }
}
