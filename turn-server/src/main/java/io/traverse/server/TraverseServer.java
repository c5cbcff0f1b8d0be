package io.traverse.server;

import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.traverse.auth.CachingUserStore;
import io.traverse.auth.CredentialFileException;
import io.traverse.auth.CredentialFiles;
import io.traverse.auth.CredentialStore;
import io.traverse.auth.RateLimiter;
import io.traverse.auth.RestSecrets;
import io.traverse.auth.StatelessNonces;
import io.traverse.auth.UserStores;
import io.traverse.auth.UsersFile;
import io.traverse.cluster.ClusterNode;
import io.traverse.config.AuthConfig;
import io.traverse.config.ListenerConfig;
import io.traverse.config.RelayAddress;
import io.traverse.config.RelayConfig;
import io.traverse.config.StoreConfig;
import io.traverse.config.TraverseConfig;
import io.traverse.metrics.TraverseMetrics;
import io.traverse.net.Cidr;
import io.traverse.net.IpAddresses;
import io.traverse.stun.auth.PasswordAlgorithm;
import io.traverse.stun.auth.SecurityFeature;
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
import io.traverse.turn.PortAllocator;
import io.traverse.turn.TransportProtocol;
import io.traverse.turn.TurnClock;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running Traverse server: event loops, listeners and the services behind them. Start with
 * {@link #start(TraverseConfig, TraverseMetrics)}; {@link #close()} stops it.
 */
public final class TraverseServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TraverseServer.class);
    /** How often the users and secrets files are checked for changes. */
    static final Duration CREDENTIAL_POLL = Duration.ofSeconds(1);

    /** A listener as bound: with port 0 in the config, {@link #address()} carries the port the OS chose. */
    public record BoundListener(TransportProtocol protocol, InetSocketAddress address) {}

    private final EventLoopGroup group;
    private final List<Channel> channels;
    private final List<BoundListener> bound;
    private final IoTransport io;
    private final AllocationRegistry registry;
    private final CredentialFiles credentialFiles;
    private final List<RelayFamily> families;
    private final TurnService turn;
    private final DrainState drain;
    private final CertificateStore certificates;
    /** The external credential store (auth.store), or null. */
    private volatile CachingUserStore userStore;
    /** Membership of the fleet (cluster.redis-url), or null. */
    private volatile ClusterNode cluster;
    /** The operator's view of the allocations (admin API); set once by {@link #start}. */
    private Sessions sessions;
    /** The credential store, for short-lived self-test credentials; set once by {@link #start}. */
    private CredentialStore credentials;
    private final long startedAtMillis = System.currentTimeMillis();

    private TraverseServer(EventLoopGroup group, IoTransport io, List<Channel> channels, List<BoundListener> bound,
            AllocationRegistry registry, CredentialFiles credentialFiles, List<RelayFamily> families,
            TurnService turn, DrainState drain, CertificateStore certificates) {
        this.group = group;
        this.io = io;
        this.channels = channels;
        this.bound = bound;
        this.registry = registry;
        this.credentialFiles = credentialFiles;
        this.families = families;
        this.turn = turn;
        this.drain = drain;
        this.certificates = certificates;
    }

    /**
     * Starts the server.
     *
     * @throws IllegalStateException naming the problem when a credential file cannot be read, no relay address
     *     can be found, or a listener cannot be bound
     */
    public static TraverseServer start(TraverseConfig config, TraverseMetrics metrics) throws InterruptedException {
        TurnClock clock = TurnClock.system();
        Clock wallClock = Clock.systemUTC();
        AuthConfig authConfig = config.auth();
        CredentialStore credentials = new CredentialStore(UsersFile.empty(), RestSecrets.none(wallClock),
                authConfig.credentialCache().maxSize(), authConfig.credentialCache().ttl());
        credentials.restMaxTtl(authConfig.restMaxTtl());
        CredentialFiles credentialFiles = loadCredentials(authConfig, credentials, wallClock);
        CachingUserStore userStore = openUserStore(authConfig, credentials, metrics);

        List<PasswordAlgorithm> algorithms = authConfig.passwordAlgorithms();
        // Username anonymity (USERHASH) is announced only without TURN REST secrets: a REST username carries its
        // expiry and cannot be found from its hash, and RFC 8489 §9.2.3.2 clients that see the bit send USERHASH.
        // USERHASH from a client is accepted either way when the user is in the users file.
        boolean restConfigured = authConfig.restSecretsFile() != null || !authConfig.restSecrets().isEmpty()
                || userStore != null; // a store may hold REST secrets, and its users cannot be found by hash
        StatelessNonces nonces = new StatelessNonces(authConfig.nonceLifetime(), restConfigured
                ? EnumSet.of(SecurityFeature.PASSWORD_ALGORITHMS)
                : EnumSet.of(SecurityFeature.PASSWORD_ALGORITHMS, SecurityFeature.USERNAME_ANONYMITY), wallClock);
        RateLimiter limiter = authConfig.unauthenticatedRateLimit().enabled()
                ? new RateLimiter(authConfig.unauthenticatedRateLimit().perSecond(),
                        authConfig.unauthenticatedRateLimit().burst(), 100_000, Duration.ofMinutes(1), System::nanoTime)
                : RateLimiter.disabled();
        Authenticator authenticator = new Authenticator(config.server().realm(), credentials, nonces, limiter,
                algorithms);

        RelayConfig relay = config.relay();
        List<RelayFamily> families = relayFamilies(relay, clock);
        AllocationRegistry registry = new AllocationRegistry(relay.maxAllocations(), relay.maxAllocationsPerUser(),
                relay.maxAllocationsPerIp() == 0 ? Integer.MAX_VALUE : relay.maxAllocationsPerIp(),
                AllocationListener.composite(List.of(new LoggingAllocationListener(), metrics.allocationListener())));
        Lifetimes lifetimes = new Lifetimes(relay.allocationLifetime().defaultLifetime(),
                relay.allocationLifetime().max(), relay.permissionLifetime(), relay.channelLifetime());

        IoTransport io = IoTransport.select(config.server().io().name().toLowerCase(Locale.ROOT));
        int loops = config.server().effectiveEventLoops();
        EventLoopGroup group = io.newEventLoopGroup(loops);
        List<Channel> channels = new ArrayList<>();
        List<BoundListener> bound = new ArrayList<>();
        DrainState drain = new DrainState(config.drain().alternateServer());
        TurnService turn;
        Sessions sessions;
        CertificateStore certificates = null;
        ClusterNode cluster = null;
        AllocateHandler allocateRef = null;
        try {
            certificates = loadCertificates(config);
            PeerPolicy policy = peerPolicy(config, families);
            StunResponder responder = new StunResponder(metrics, config.server().software());
            TurnService[] turnRef = new TurnService[1];
            TcpRelay tcpRelay = new TcpRelay(new TcpRelaySockets(io), () -> turnRef[0].policy(), clock,
                    metrics, config.limits().tcpRelay());
            AllocateHandler allocate = allocateRef = new AllocateHandler(registry, new RelaySockets(io, clock, metrics,
                    relay.socketBuffer()), tcpRelay, families, lifetimes, relay.dontFragment(), clock, responder, metrics, drain);
            allocate.channelLimits(relay.maxChannelsPerAllocation(), relay.legacyChannelNumbers(),
                    relay.maxAllocationsPerIp() > 0);
            if (config.cluster().enabled()) {
                cluster = ClusterNode.start(config.cluster());
                allocate.clusterQuota(cluster.quota(), config.cluster().failOpen());
                LOG.info("cluster member {} through {}", cluster.instanceId(), cluster.redis().describe());
            }
            turn = new TurnService(authenticator, registry, policy, clock, metrics, responder, allocate, tcpRelay);
            turnRef[0] = turn;
            sessions = new Sessions(registry, allocate, clock);
            // the credential-store hook answers nothing yet: per-user rates come from the config
            allocate.bandwidth(new Bandwidth(config.bandwidth(), user -> java.util.OptionalLong.empty()));
            NatDiscovery natDiscovery = new NatDiscovery();
            UnauthenticatedAnswers unauthenticated = new UnauthenticatedAnswers(limiter, metrics);
            StunDispatcher dispatcher = new StunDispatcher(metrics, responder, turn,
                    new BindingHandler(responder, natDiscovery, unauthenticated), unauthenticated);
            Listeners listeners = new Listeners(io, group, dispatcher, registry, clock, metrics, config.limits(),
                    relay.socketBuffer());
            listeners.legacyChannelNumbers(relay.legacyChannelNumbers());
            for (ListenerConfig listener : config.listeners()) {
                InetSocketAddress address = new InetSocketAddress(listener.address(), listener.port());
                switch (listener.protocol()) {
                    case UDP: {
                        List<Channel> udp = listeners.bindUdp(address, socketBuffer(listener, relay));
                        channels.addAll(udp);
                        bound.add(new BoundListener(listener.protocol(), (InetSocketAddress) udp.get(0).localAddress()));
                        break;
                    }
                    case TCP: {
                        Channel tcp = listeners.bindTcp(address, config.tls().idleTimeout());
                        channels.add(tcp);
                        bound.add(new BoundListener(listener.protocol(), (InetSocketAddress) tcp.localAddress()));
                        break;
                    }
                    case TLS: {
                        Channel tls = listeners.bindTls(address, certificates, config.tls());
                        channels.add(tls);
                        bound.add(new BoundListener(listener.protocol(), (InetSocketAddress) tls.localAddress()));
                        break;
                    }
                    case DTLS: {
                        List<Channel> dtls = listeners.bindDtls(address, certificates, config.tls(),
                                socketBuffer(listener, relay));
                        channels.addAll(dtls);
                        bound.add(new BoundListener(listener.protocol(), (InetSocketAddress) dtls.get(0).localAddress()));
                        break;
                    }
                    default:
                        throw new IllegalStateException("listener " + listener + ": protocol "
                                + listener.protocol().configName() + " is not supported yet");
                }
            }
            if (config.natDiscovery().enabled()) {
                bindNatDiscovery(config, listeners, natDiscovery, channels, bound);
            }
        } catch (RuntimeException | InterruptedException e) {
            channels.forEach(Channel::close);
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            if (credentialFiles != null) {
                credentialFiles.close();
            }
            if (userStore != null) {
                userStore.close();
            }
            if (cluster != null) {
                cluster.close();
            }
            if (certificates != null) {
                certificates.close();
            }
            throw e;
        }
        for (BoundListener listener : bound) {
            LOG.info("listening on {}://{}", listener.protocol().configName(), format(listener.address()));
        }
        for (RelayFamily family : families) {
            LOG.info("relay address {} (advertised as {}), ports {}-{}",
                    IpAddresses.format(family.bind()),
                    IpAddresses.format(family.advertised()), relay.portRange().min(),
                    relay.portRange().max());
        }
        DatagramSockets.warnIfKernelCaps(config.listeners().stream()
                .mapToInt(listener -> socketBuffer(listener, relay)).reduce(relay.socketBuffer(), Math::max));
        LOG.info("Traverse started: {} event loops, I/O {}", loops, io.name().toLowerCase(Locale.ROOT));
        if (certificates != null) {
            certificates.start();
        }
        if (cluster != null) {
            cluster.startLoadReports(config.cluster(), selfReport(config, cluster.instanceId(), registry, drain,
                    bound, metrics));
            allocateRef.loadAwareRedirect(cluster.loadReports(),
                    (int) Math.ceil(config.cluster().redirectThreshold() * relay.maxAllocations()));
        }
        TraverseServer server = new TraverseServer(group, io, channels, List.copyOf(bound), registry,
                credentialFiles, List.copyOf(families), turn, drain, certificates);
        server.userStore = userStore;
        server.cluster = cluster;
        server.sessions = sessions;
        server.credentials = credentials;
        return server;
    }

    /** The external credential store of {@code auth.store} behind its cache, or null when none is configured. */
    private static CachingUserStore openUserStore(AuthConfig auth, CredentialStore credentials,
            TraverseMetrics metrics) {
        StoreConfig store = auth.store();
        if (!store.enabled()) {
            return null;
        }
        String password = null;
        if (store.passwordFile() != null) {
            try {
                password = UserStores.readPassword(store.passwordFile());
            } catch (java.io.IOException e) {
                throw new IllegalStateException("auth.store.password-file " + store.passwordFile()
                        + ": cannot read (" + e.getClass().getSimpleName() + ")", e);
            }
        }
        CachingUserStore cached = new CachingUserStore(
                UserStores.open(store.url(), password, store.timeout(), store.poolSize()),
                new CachingUserStore.Settings(auth.credentialCache().maxSize(), auth.credentialCache().ttl(),
                        store.negativeTtl(), store.refreshAfter(), store.lookupsPerSecond(), store.lookupBurst(),
                        store.retryInterval(), store.timeout()));
        credentials.attachStore(cached);
        metrics.bindCredentialStore(cached);
        LOG.info("credential store {}", cached.store().describe());
        return cached;
    }

    /** This instance's load report: allocations against capacity, relayed bit rate, CPU, listeners. */
    private static java.util.function.Supplier<io.traverse.cluster.InstanceLoad> selfReport(TraverseConfig config,
            String id, AllocationRegistry registry, DrainState drain, List<BoundListener> bound,
            TraverseMetrics metrics) {
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
        java.lang.management.OperatingSystemMXBean os = java.lang.management.ManagementFactory
                .getOperatingSystemMXBean();
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
            return new io.traverse.cluster.InstanceLoad(id, allocations, capacity, load, cpu, bps, draining,
                    draining || load >= threshold, config.cluster().alternateDomain(), listeners,
                    System.currentTimeMillis());
        };
    }

    private static long relayedBytes(TraverseMetrics metrics) {
        double sum = 0;
        for (io.micrometer.core.instrument.Counter c : metrics.registry().find(TraverseMetrics.RELAYED_BYTES)
                .counters()) {
            sum += c.count();
        }
        return (long) sum;
    }

    /** Membership of the fleet (peers' load, quota), or null without {@code cluster.redis-url}. */
    public ClusterNode cluster() {
        return cluster;
    }

    /** Why /readyz should look twice, or null: the credential store is down (cached users still work). */
    public String credentialStoreProblem() {
        CachingUserStore store = userStore;
        return store == null || store.isAvailable() ? null
                : "credential store " + store.store().describe() + " is down: " + store.failure();
    }

    /** A listener's own {@code socket-buffer}, else {@code relay.socket-buffer}. */
    private static int socketBuffer(ListenerConfig listener, RelayConfig relay) {
        return listener.socketBuffer() != 0 ? listener.socketBuffer() : relay.socketBuffer();
    }

    /**
     * RFC 5780: every UDP listener on a concrete address A1:P1 gets companions on A1:P2, A2:P1 and A2:P2, all
     * serving the same requests; Binding answers from the address CHANGE-REQUEST selects.
     */
    private static void bindNatDiscovery(TraverseConfig config, Listeners listeners, NatDiscovery natDiscovery,
            List<Channel> channels, List<BoundListener> bound) throws InterruptedException {
        InetAddress ip2 = config.natDiscovery().alternateAddress();
        for (BoundListener primary : List.copyOf(bound)) {
            InetSocketAddress a1p1 = primary.address();
            if (primary.protocol() != TransportProtocol.UDP
                    || (a1p1.getAddress() instanceof Inet6Address) != (ip2 instanceof Inet6Address)) {
                continue;
            }
            if (a1p1.getAddress().isAnyLocalAddress()) {
                LOG.warn("nat-discovery: UDP listener {} is on a wildcard address; RFC 5780 needs concrete "
                        + "addresses, so it is not enabled there", a1p1);
                continue;
            }
            int configuredPort = config.natDiscovery().alternatePort();
            InetSocketAddress a1p2 = new InetSocketAddress(a1p1.getAddress(),
                    configuredPort != 0 ? configuredPort : a1p1.getPort() + 1);
            List<Channel> c12 = listeners.bindUdp(a1p2);
            a1p2 = (InetSocketAddress) c12.get(0).localAddress();
            List<Channel> c21 = listeners.bindUdp(new InetSocketAddress(ip2, a1p1.getPort()));
            List<Channel> c22 = listeners.bindUdp(new InetSocketAddress(ip2, a1p2.getPort()));
            channels.addAll(c12);
            channels.addAll(c21);
            channels.addAll(c22);
            java.util.Map<InetSocketAddress, Channel> quadChannels = new java.util.LinkedHashMap<>();
            quadChannels.put(a1p1, channelAt(channels, a1p1));
            quadChannels.put(a1p2, c12.get(0));
            quadChannels.put((InetSocketAddress) c21.get(0).localAddress(), c21.get(0));
            quadChannels.put((InetSocketAddress) c22.get(0).localAddress(), c22.get(0));
            natDiscovery.register(new NatDiscovery.Quad(a1p1.getAddress(), ip2, a1p1.getPort(), a1p2.getPort()),
                    quadChannels);
            for (InetSocketAddress extra : List.copyOf(quadChannels.keySet()).subList(1, 4)) {
                bound.add(new BoundListener(TransportProtocol.UDP, extra));
            }
            LOG.info("nat-discovery (RFC 5780) on {}", quadChannels.keySet());
        }
    }

    private static Channel channelAt(List<Channel> channels, InetSocketAddress local) {
        for (Channel c : channels) {
            if (local.equals(c.localAddress()) && c instanceof io.netty.channel.socket.DatagramChannel) {
                return c;
            }
        }
        throw new IllegalStateException("no channel bound at " + local);
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

    private static CredentialFiles loadCredentials(AuthConfig auth, CredentialStore store, Clock clock) {
        if (auth.restSecretsFile() == null && !auth.restSecrets().isEmpty()) {
            store.replaceRestSecrets(RestSecrets.of(auth.restSecrets(), clock));
        }
        if (auth.usersFile() == null && auth.restSecretsFile() == null) {
            return null;
        }
        CredentialFiles files = new CredentialFiles(store, auth.usersFile(), auth.restSecretsFile(), clock);
        try {
            files.load();
        } catch (CredentialFileException e) {
            throw new IllegalStateException("cannot load credentials: " + e.getMessage(), e);
        }
        if (auth.restSecretsFile() == null && !auth.restSecrets().isEmpty()) {
            store.replaceRestSecrets(RestSecrets.of(auth.restSecrets(), clock));
        }
        files.start(CREDENTIAL_POLL);
        return files;
    }

    /**
     * One relay address per configured entry. A wildcard bind address is replaced by the first global address of
     * that family on this host: a client must be told a concrete XOR-RELAYED-ADDRESS.
     */
    static List<RelayFamily> relayFamilies(RelayConfig relay, TurnClock clock) {
        List<RelayFamily> families = new ArrayList<>();
        for (RelayAddress address : relay.addresses()) {
            InetAddress bind = address.bind();
            if (bind.isAnyLocalAddress()) {
                InetAddress concrete = firstGlobalAddress(bind instanceof Inet6Address);
                if (concrete == null) {
                    LOG.warn("relay address {}: no global {} address on this host; that family is not relayed",
                            bind.getHostAddress(), bind instanceof Inet6Address ? "IPv6" : "IPv4");
                    continue;
                }
                bind = concrete;
            }
            boolean ipv6 = bind instanceof Inet6Address;
            if (families.stream().anyMatch(f -> f.isIpv6() == ipv6)) {
                LOG.warn("relay address {}: one relay address per family is used; ignored", bind.getHostAddress());
                continue;
            }
            InetAddress advertised = address.advertised() != null ? address.advertised() : bind;
            families.add(new RelayFamily(bind, advertised,
                    new PortAllocator(relay.portRange().min(), relay.portRange().max(), clock)));
        }
        if (families.isEmpty()) {
            throw new IllegalStateException("relay.addresses: no usable relay address");
        }
        return families;
    }

    private static InetAddress firstGlobalAddress(boolean ipv6) {
        try {
            for (InetAddress a : PeerPolicy.localInterfaceAddresses()) {
                boolean family = ipv6 ? a instanceof Inet6Address : a instanceof Inet4Address;
                if (family && !a.isLoopbackAddress() && !a.isLinkLocalAddress() && !a.isAnyLocalAddress()) {
                    // without the interface scope (%eth0): a relay address is global
                    return InetAddress.getByAddress(a.getAddress());
                }
            }
        } catch (SocketException | java.net.UnknownHostException e) {
            LOG.warn("cannot list interface addresses: {}", e.toString());
        }
        return null;
    }

    /** The peer policy: defaults, the configured lists, and the server's own addresses (never a valid peer). */
    private static PeerPolicy peerPolicy(TraverseConfig config, List<RelayFamily> families) {
        PeerPolicy.Builder builder = PeerPolicy.builder();
        for (Cidr cidr : config.peers().allow()) {
            builder.allow(cidr);
        }
        for (Cidr cidr : config.peers().deny()) {
            builder.deny(cidr);
        }
        for (Cidr prefix : config.peers().nat64Prefixes()) {
            builder.nat64Prefix(prefix);
        }
        Set<InetAddress> own = new LinkedHashSet<>();
        boolean wildcard = false;
        for (ListenerConfig listener : config.listeners()) {
            wildcard |= listener.address().isAnyLocalAddress();
            own.add(listener.address());
        }
        if (config.admin().enabled()) {
            wildcard |= config.admin().address().isAnyLocalAddress();
            own.add(config.admin().address());
        }
        for (RelayFamily family : families) {
            own.add(family.bind());
            own.add(family.advertised());
        }
        if (config.natDiscovery().enabled() && config.natDiscovery().alternateAddress() != null) {
            // RFC 5780's alternate address is one of the server's own: a peer there would reach the server itself.
            own.add(config.natDiscovery().alternateAddress());
        }
        if (wildcard) {
            try {
                own.addAll(PeerPolicy.localInterfaceAddresses());
            } catch (SocketException e) {
                LOG.warn("cannot list interface addresses: {}", e.toString());
            }
        }
        own.removeIf(InetAddress::isAnyLocalAddress);
        builder.serverAddresses(own);
        builder.allowLoopbackInsecureTestOnly(config.peers().allowLoopbackInsecureTestOnly());
        return builder.build();
    }

    public List<BoundListener> listeners() {
        return bound;
    }

    /** {@code ip:port}, or {@code [ip]:port} for IPv6 (RFC 5952 text). */
    public static String format(InetSocketAddress address) {
        String ip = IpAddresses.format(address.getAddress());
        return (address.getAddress() instanceof Inet6Address ? "[" + ip + "]" : ip) + ":" + address.getPort();
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
        return turn.policy();
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
            return java.util.Optional.of(credentials.restSecrets().sign(user, ttl));
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
        return credentialFiles == null || credentialFiles.reload();
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
        turn.applyPolicy(peerPolicy(config, families));
        reloadCertificates();
        LOG.info("reloaded credentials, peer policy and certificates");
    }

    @Override
    public void close() {
        if (credentialFiles != null) {
            credentialFiles.close();
        }
        if (userStore != null) {
            userStore.close();
        }
        if (cluster != null) {
            cluster.close();
        }
        if (certificates != null) {
            certificates.close();
        }
        for (Channel channel : channels) {
            channel.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        }
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
}
