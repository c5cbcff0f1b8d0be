package io.traverse.server;

import io.netty.channel.Channel;
import io.micrometer.core.instrument.Counter;
import io.netty.channel.EventLoopGroup;
import io.traverse.cluster.ClusterNode;
import io.traverse.cluster.InstanceLoad;
import io.traverse.config.ListenerConfig;
import io.traverse.config.RelayConfig;
import io.traverse.config.TraverseConfig;
import io.traverse.metrics.TraverseMetrics;
import io.traverse.net.IpAddresses;
import io.traverse.transport.CertificateStore;
import io.traverse.transport.CertificateStoreException;
import io.traverse.transport.DatagramSockets;
import io.traverse.transport.IoTransport;
import io.traverse.transport.Listeners;
import io.traverse.transport.RelaySockets;
import io.traverse.transport.TcpRelaySockets;
import io.traverse.turn.AllocationListener;
import io.traverse.turn.AllocationRegistry;
import io.traverse.turn.Lifetimes;
import io.traverse.turn.PeerPolicy;
import io.traverse.turn.TransportProtocol;
import io.traverse.turn.TurnClock;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running Traverse server: event loops, listeners and the services behind them. Start with
 * {@link #start(TraverseConfig, TraverseMetrics)}; {@link #close()} stops it.
 *
 * <p>This is the composition root. The constructor builds one concern at a time, in the order they depend on each
 * other: authentication ({@link ServerAuth}), the relay addresses and the peer policy ({@link RelayFamily},
 * {@link LivePolicy}), the allocation registry, the event loops, the certificate, the cluster membership, the TURN
 * handlers, and last the listeners ({@link ServerListeners}). Whatever it opens goes to one {@link Closer}, which
 * {@link #close()} closes, and {@link #start} too when a later part fails.
 */
public final class TraverseServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TraverseServer.class);

    /** A listener as bound: with port 0 in the config, {@link #address()} carries the port the OS chose. */
    public record BoundListener(TransportProtocol protocol, InetSocketAddress address) {}

    private final Closer closer;
    private final ServerAuth auth;
    private final List<RelayFamily> families;
    private final LivePolicy policy;
    private final AllocationRegistry registry;
    private final IoTransport io;
    private final EventLoopGroup group;
    /** The certificate of the TLS and DTLS listeners, or null when there are none. */
    private final CertificateStore certificates;
    /** Membership of the fleet (cluster.redis-url), or null. */
    private final ClusterNode cluster;
    private final DrainState drain;
    private final AllocateHandler allocate;
    private final TurnService turn;
    /** The operator's view of the allocations (admin API). */
    private final Sessions sessions;
    private final List<Channel> channels;
    private final List<BoundListener> bound;
    private final long startedAtMillis = System.currentTimeMillis();

    private TraverseServer(TraverseConfig config, TraverseMetrics metrics, Closer closer) throws InterruptedException {
        this.closer = closer;
        TurnClock clock = TurnClock.system();
        RelayConfig relay = config.relay();
        this.auth = ServerAuth.open(config.auth(), config.server().realm(), metrics, closer);
        this.families = RelayFamily.fromConfig(relay, clock);
        this.policy = new LivePolicy(LivePolicy.configured(config, families));
        this.registry = new AllocationRegistry(relay.maxAllocations(), relay.maxAllocationsPerUser(),
                relay.maxAllocationsPerIp() == 0 ? Integer.MAX_VALUE : relay.maxAllocationsPerIp(),
                AllocationListener.composite(List.of(new LoggingAllocationListener(), metrics.allocationListener())));
        this.io = IoTransport.select(config.server().io().name().toLowerCase(Locale.ROOT));
        this.group = io.newEventLoopGroup(config.server().effectiveEventLoops(),
                TimeUnit.MICROSECONDS.toNanos(config.server().spinMicros()));
        closer.onClose(() -> group.shutdownGracefully(0, 2, TimeUnit.SECONDS)
                .awaitUninterruptibly(5, TimeUnit.SECONDS));
        this.certificates = closer.add(loadCertificates(config));
        this.cluster = closer.add(config.cluster().enabled() ? ClusterNode.start(config.cluster()) : null);
        this.drain = new DrainState(config.drain().alternateServer());
        StunResponder responder = new StunResponder(metrics, config.server().software());
        TcpRelay tcpRelay = new TcpRelay(new TcpRelaySockets(io), policy, clock, metrics, config.limits().tcpRelay());
        this.allocate = allocateHandler(config, clock, metrics, responder, tcpRelay);
        this.turn = new TurnService(auth.authenticator(), registry, policy, clock, metrics, responder, allocate,
                tcpRelay);
        this.sessions = new Sessions(registry, allocate, clock);
        NatDiscovery natDiscovery = new NatDiscovery();
        ServerListeners listeners = ServerListeners.bind(config, listeners(config, clock, metrics, responder,
                natDiscovery), certificates, natDiscovery, closer);
        this.channels = listeners.channels();
        this.bound = List.copyOf(listeners.bound());
    }

    /**
     * Starts the server.
     *
     * @throws IllegalStateException naming the problem when a credential file cannot be read, no relay address
     *     can be found, or a listener cannot be bound
     */
    public static TraverseServer start(TraverseConfig config, TraverseMetrics metrics) throws InterruptedException {
        Closer closer = new Closer();
        try {
            TraverseServer server = new TraverseServer(config, metrics, closer);
            server.started(config, metrics);
            return server;
        } catch (Exception e) { // with what Netty throws unchecked (a bind's IOException)
            closer.close();
            throw e;
        }
    }

    /** Allocate (RFC 8656 §7.2) with the relay's limits, the bandwidth limits and the cluster's quota. */
    private AllocateHandler allocateHandler(TraverseConfig config, TurnClock clock, TraverseMetrics metrics,
            Responder responder, TcpRelay tcpRelay) {
        RelayConfig relay = config.relay();
        Lifetimes lifetimes = new Lifetimes(relay.allocationLifetime().defaultLifetime(),
                relay.allocationLifetime().max(), relay.permissionLifetime(), relay.channelLifetime());
        AllocateHandler handler = new AllocateHandler(registry, new RelaySockets(io, clock, metrics,
                relay.socketBuffer(), relay.preboundSockets()), tcpRelay, families, lifetimes, relay.dontFragment(), clock, responder, metrics,
                drain);
        handler.channelLimits(relay.maxChannelsPerAllocation(), relay.legacyChannelNumbers(),
                relay.maxAllocationsPerIp() > 0);
        if (cluster != null) {
            handler.clusterQuota(cluster.quota(), config.cluster().failOpen());
            LOG.info("cluster member {} through {}", cluster.instanceId(), cluster.redis().describe());
        }
        // the credential-store hook answers nothing yet: per-user rates come from the config
        handler.bandwidth(new Bandwidth(config.bandwidth(), user -> OptionalLong.empty()));
        return handler;
    }

    /** The listeners' side: STUN dispatch (Binding, TURN), RFC 5780 and the unauthenticated answers. */
    private Listeners listeners(TraverseConfig config, TurnClock clock, TraverseMetrics metrics,
            StunResponder responder, NatDiscovery natDiscovery) {
        UnauthenticatedAnswers unauthenticated = new UnauthenticatedAnswers(auth.limiter(), metrics);
        StunDispatcher dispatcher = new StunDispatcher(metrics, responder, turn,
                new BindingHandler(responder, natDiscovery, unauthenticated), unauthenticated);
        Listeners listeners = new Listeners(io, group, dispatcher, registry, clock, metrics, config.limits(),
                config.relay().socketBuffer());
        listeners.legacyChannelNumbers(config.relay().legacyChannelNumbers());
        return listeners;
    }

    /** The certificate of the TLS and DTLS listeners, or null when there are none. */
    private static CertificateStore loadCertificates(TraverseConfig config) {
        if (config.listeners().stream().noneMatch(l -> l.protocol().isSecure())) {
            return null;
        }
        try {
            return CertificateStore.load(config.tls(), Clock.systemUTC());
        } catch (CertificateStoreException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /** Everything is bound: says so, and starts what runs in the background (certificate polling, load reports). */
    private void started(TraverseConfig config, TraverseMetrics metrics) {
        RelayConfig relay = config.relay();
        for (BoundListener listener : bound) {
            LOG.info("listening on {}://{}", listener.protocol().configName(), format(listener.address()));
        }
        for (RelayFamily family : families) {
            LOG.info("relay address {} (advertised as {}), ports {}-{}", IpAddresses.format(family.bind()),
                    IpAddresses.format(family.advertised()), relay.portRange().min(), relay.portRange().max());
        }
        DatagramSockets.warnIfKernelCaps(ServerListeners.largestSocketBuffer(config));
        LOG.info("Traverse started: {} event loops, I/O {}", config.server().effectiveEventLoops(),
                io.name().toLowerCase(Locale.ROOT));
        if (certificates != null) {
            certificates.start();
        }
        if (cluster != null) {
            cluster.startLoadReports(config.cluster(), selfReport(config, metrics));
            allocate.loadAwareRedirect(cluster.loadReports(),
                    (int) Math.ceil(config.cluster().redirectThreshold() * relay.maxAllocations()));
        }
    }

    /** This instance's load report: allocations against capacity, relayed bit rate, CPU, listeners. */
    private Supplier<InstanceLoad> selfReport(TraverseConfig config, TraverseMetrics metrics) {
        List<String> listeners = new ArrayList<>();
        for (ListenerConfig l : config.cluster().advertise()) {
            listeners.add(l.uri());
        }
        if (listeners.isEmpty()) {
            for (BoundListener l : bound) {
                listeners.add(new ListenerConfig(l.protocol(), l.address().getAddress(), l.address().getPort()).uri());
            }
        }
        int capacity = config.relay().maxAllocations();
        double threshold = config.cluster().redirectThreshold();
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        long[] last = {System.nanoTime(), relayedBytes(metrics)};
        return () -> {
            long now = System.nanoTime();
            long bytes = relayedBytes(metrics);
            long bps;
            synchronized (last) {
                double seconds = Math.max(1e-3, (now - last[0]) / 1e9);
                bps = (long) ((bytes - last[1]) * 8 / seconds);
                last[0] = now;
                last[1] = bytes;
            }
            int allocations = registry.active();
            double load = capacity == 0 ? 0 : (double) allocations / capacity;
            double cpu = os instanceof com.sun.management.OperatingSystemMXBean
                    ? ((com.sun.management.OperatingSystemMXBean) os).getProcessCpuLoad() : -1;
            boolean draining = drain.isDraining();
            return new InstanceLoad(cluster.instanceId(), allocations, capacity, load, cpu, bps, draining,
                    draining || load >= threshold, config.cluster().alternateDomain(), listeners,
                    System.currentTimeMillis());
        };
    }

    private static long relayedBytes(TraverseMetrics metrics) {
        double sum = 0;
        for (Counter c : metrics.registry().find(TraverseMetrics.RELAYED_BYTES).counters()) {
            sum += c.count();
        }
        return (long) sum;
    }

    public List<BoundListener> listeners() {
        return bound;
    }

    /** {@code ip:port}, or {@code [ip]:port} for IPv6 (RFC 5952 text). */
    public static String format(InetSocketAddress address) {
        return IpAddresses.formatForUri(address.getAddress()) + ":" + address.getPort();
    }

    /** The first bound listener of {@code protocol} whose address family matches {@code ipv6}. */
    public InetSocketAddress address(TransportProtocol protocol, boolean ipv6) {
        for (BoundListener listener : bound) {
            if (listener.protocol() == protocol && (listener.address().getAddress() instanceof Inet6Address) == ipv6) {
                return listener.address();
            }
        }
        throw new IllegalArgumentException("no " + protocol + (ipv6 ? " IPv6" : " IPv4") + " listener");
    }

    /** Listeners are up and the server is not draining: what /readyz reports. */
    public boolean isReady() {
        return !drain.isDraining() && channels.stream().allMatch(Channel::isActive);
    }

    /** Starts draining: new allocations are refused and /readyz turns false at once. Existing ones go on. */
    public void startDraining() {
        drain.start();
    }

    /**
     * Waits until no allocation is left or {@code grace} passed, whichever comes first.
     *
     * @return the number of allocations still live
     */
    public int awaitDrained(Duration grace) throws InterruptedException {
        long deadline = System.nanoTime() + grace.toNanos();
        while (registry.registered() > 0 && System.nanoTime() - deadline < 0) {
            Thread.sleep(100);
        }
        return registry.registered();
    }

    /** An event loop to run the systemd watchdog on, so that the pings prove a loop still runs tasks. */
    public java.util.concurrent.ScheduledExecutorService watchdogExecutor() {
        return group.next();
    }

    public IoTransport io() {
        return io;
    }

    /** The peer policy in force (changes on reload). */
    public PeerPolicy peerPolicy() {
        return policy.get();
    }

    /** List and end allocations on their own loops (admin API). */
    public Sessions sessions() {
        return sessions;
    }

    /**
     * Short-lived TURN REST credentials for {@code user}, signed with the newest configured secret (the self-test
     * page); empty when no REST secret is configured. The secret itself never leaves the server.
     */
    public java.util.Optional<io.traverse.auth.RestCredential> mintRestCredential(String user, Duration ttl) {
        try {
            return java.util.Optional.of(auth.credentials().restSecrets().sign(user, ttl));
        } catch (io.traverse.stun.auth.CredentialException e) {
            return java.util.Optional.empty();
        }
    }

    /** When the server started, in epoch milliseconds. */
    public long startedAtMillis() {
        return startedAtMillis;
    }

    /** Whether the server is draining (no new allocations). */
    public boolean isDraining() {
        return drain.isDraining();
    }

    /** Live allocations (tests, metrics). */
    public AllocationRegistry allocations() {
        return registry;
    }

    /** Re-reads the users and secrets files now (SIGHUP). */
    public boolean reloadCredentials() {
        return auth.reloadFiles();
    }

    /**
     * Re-reads {@code tls.certificate} and {@code tls.private-key} now (SIGHUP; the files are also polled). New
     * TLS/DTLS handshakes use the new certificate, established connections keep theirs. A bad file is logged and
     * the previous certificate stays.
     *
     * @return true when there is no TLS/DTLS listener or the new certificate was installed
     */
    public boolean reloadCertificates() {
        return certificates == null || certificates.reload();
    }

    /**
     * Applies the reloadable parts of {@code config} without dropping allocations: credentials and certificates
     * are re-read and the peer policy is rebuilt. Listeners, relay addresses and limits need a restart.
     */
    public void reload(TraverseConfig config) {
        reloadCredentials();
        turn.applyPolicy(LivePolicy.configured(config, families));
        reloadCertificates();
        LOG.info("reloaded credentials, peer policy and certificates");
    }

    /** Membership of the fleet (peers' load, quota), or null without {@code cluster.redis-url}. */
    public ClusterNode cluster() {
        return cluster;
    }

    /** Why /readyz should look twice, or null: the credential store is down (cached users still work). */
    public String credentialStoreProblem() {
        return auth.storeProblem();
    }

    /** Closes what {@link #start} opened, in the reverse order: listeners first, the event loops last. */
    @Override
    public void close() {
        closer.close();
    }
}
