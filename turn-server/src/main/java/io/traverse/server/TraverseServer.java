package io.traverse.server;

import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.traverse.auth.CredentialFileException;
import io.traverse.auth.CredentialFiles;
import io.traverse.auth.CredentialStore;
import io.traverse.auth.PasswordAlgorithm;
import io.traverse.auth.RateLimiter;
import io.traverse.auth.RestSecrets;
import io.traverse.auth.SecurityFeature;
import io.traverse.auth.StatelessNonces;
import io.traverse.auth.UsersFile;
import io.traverse.config.AuthConfig;
import io.traverse.config.Cidr;
import io.traverse.config.ListenerConfig;
import io.traverse.config.PasswordAlgorithmName;
import io.traverse.config.Protocol;
import io.traverse.config.RelayAddress;
import io.traverse.config.RelayConfig;
import io.traverse.config.TraverseConfig;
import io.traverse.metrics.TraverseMetrics;
import io.traverse.transport.CertificateStore;
import io.traverse.transport.CertificateStoreException;
import io.traverse.transport.IoTransport;
import io.traverse.transport.Listeners;
import io.traverse.transport.RelaySockets;
import io.traverse.turn.AllocationRegistry;
import io.traverse.turn.IpRange;
import io.traverse.turn.Lifetimes;
import io.traverse.turn.PeerPolicy;
import io.traverse.turn.PortAllocator;
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
    public record BoundListener(Protocol protocol, InetSocketAddress address) {}

    private final EventLoopGroup group;
    private final List<Channel> channels;
    private final List<BoundListener> bound;
    private final IoTransport io;
    private final AllocationRegistry registry;
    private final CredentialFiles credentialFiles;
    private final List<RelayFamily> families;
    private final TurnService turn;
    private final CertificateStore certificates;

    private TraverseServer(EventLoopGroup group, IoTransport io, List<Channel> channels, List<BoundListener> bound,
            AllocationRegistry registry, CredentialFiles credentialFiles, List<RelayFamily> families,
            TurnService turn, CertificateStore certificates) {
        this.group = group;
        this.io = io;
        this.channels = channels;
        this.bound = bound;
        this.registry = registry;
        this.credentialFiles = credentialFiles;
        this.families = families;
        this.turn = turn;
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
        CredentialFiles credentialFiles = loadCredentials(authConfig, credentials, wallClock);

        List<PasswordAlgorithm> algorithms = new ArrayList<>();
        for (PasswordAlgorithmName name : authConfig.passwordAlgorithms()) {
            algorithms.add(name == PasswordAlgorithmName.MD5 ? PasswordAlgorithm.MD5 : PasswordAlgorithm.SHA256);
        }
        StatelessNonces nonces = new StatelessNonces(authConfig.nonceLifetime(),
                EnumSet.of(SecurityFeature.PASSWORD_ALGORITHMS, SecurityFeature.USERNAME_ANONYMITY), wallClock);
        RateLimiter limiter = authConfig.unauthenticatedRateLimit().enabled()
                ? new RateLimiter(authConfig.unauthenticatedRateLimit().perSecond(),
                        authConfig.unauthenticatedRateLimit().burst(), 100_000, Duration.ofMinutes(1), System::nanoTime)
                : RateLimiter.disabled();
        Authenticator authenticator = new Authenticator(config.server().realm(), credentials, nonces, limiter,
                algorithms);

        RelayConfig relay = config.relay();
        List<RelayFamily> families = relayFamilies(relay, clock);
        AllocationRegistry registry = new AllocationRegistry(relay.maxAllocations(), relay.maxAllocationsPerUser(),
                new LoggingAllocationListener());
        Lifetimes lifetimes = new Lifetimes(relay.allocationLifetime().defaultLifetime(),
                relay.allocationLifetime().max(), relay.permissionLifetime(), relay.channelLifetime());

        IoTransport io = IoTransport.select(config.server().io().name().toLowerCase(Locale.ROOT));
        int loops = config.server().eventLoops() > 0
                ? config.server().eventLoops()
                : Runtime.getRuntime().availableProcessors();
        EventLoopGroup group = io.newEventLoopGroup(loops);
        List<Channel> channels = new ArrayList<>();
        List<BoundListener> bound = new ArrayList<>();
        TurnService turn;
        CertificateStore certificates = null;
        try {
            certificates = loadCertificates(config);
            PeerPolicy policy = peerPolicy(config, families);
            StunResponder responder = new StunResponder(metrics, config.server().software());
            AllocateHandler allocate = new AllocateHandler(registry, new RelaySockets(io, clock, metrics), families,
                    lifetimes, relay.dontFragment(), clock, responder, metrics);
            turn = new TurnService(authenticator, registry, policy, clock, metrics, responder, allocate);
            StunDispatcher dispatcher = new StunDispatcher(metrics, responder, turn);
            Listeners listeners = new Listeners(io, group, dispatcher, registry, clock, metrics);
            for (ListenerConfig listener : config.listeners()) {
                InetSocketAddress address = new InetSocketAddress(listener.address(), listener.port());
                switch (listener.protocol()) {
                    case UDP: {
                        List<Channel> udp = listeners.bindUdp(address);
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
                        List<Channel> dtls = listeners.bindDtls(address, certificates, config.tls());
                        channels.addAll(dtls);
                        bound.add(new BoundListener(listener.protocol(), (InetSocketAddress) dtls.get(0).localAddress()));
                        break;
                    }
                    default:
                        throw new IllegalStateException("listener " + listener + ": protocol "
                                + listener.protocol().configName() + " is not supported yet");
                }
            }
        } catch (RuntimeException | InterruptedException e) {
            channels.forEach(Channel::close);
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            if (credentialFiles != null) {
                credentialFiles.close();
            }
            if (certificates != null) {
                certificates.close();
            }
            throw e;
        }
        for (BoundListener listener : bound) {
            LOG.info("listening on {} {}", listener.protocol().configName(), listener.address());
        }
        for (RelayFamily family : families) {
            LOG.info("relay address {} (advertised as {}), ports {}-{}", family.bind().getHostAddress(),
                    family.advertised().getHostAddress(), relay.portRange().min(), relay.portRange().max());
        }
        LOG.info("Traverse started: {} event loops, I/O {}", loops, io.name().toLowerCase(Locale.ROOT));
        if (certificates != null) {
            certificates.start();
        }
        return new TraverseServer(group, io, channels, List.copyOf(bound), registry, credentialFiles,
                List.copyOf(families), turn, certificates);
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
                    return a;
                }
            }
        } catch (SocketException e) {
            LOG.warn("cannot list interface addresses: {}", e.toString());
        }
        return null;
    }

    /** The peer policy: defaults, the configured lists, and the server's own addresses (never a valid peer). */
    private static PeerPolicy peerPolicy(TraverseConfig config, List<RelayFamily> families) {
        PeerPolicy.Builder builder = PeerPolicy.builder();
        for (Cidr cidr : config.peers().allow()) {
            builder.allow(IpRange.of(cidr.network(), cidr.prefixLength()));
        }
        for (Cidr cidr : config.peers().deny()) {
            builder.deny(IpRange.of(cidr.network(), cidr.prefixLength()));
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

    /** The first bound listener of {@code protocol} whose address family matches {@code ipv6}. */
    public InetSocketAddress address(Protocol protocol, boolean ipv6) {
        for (BoundListener listener : bound) {
            if (listener.protocol() == protocol && (listener.address().getAddress() instanceof Inet6Address) == ipv6) {
                return listener.address();
            }
        }
        throw new IllegalArgumentException("no " + protocol + (ipv6 ? " IPv6" : " IPv4") + " listener");
    }

    public IoTransport io() {
        return io;
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
     * Applies the reloadable parts of {@code config} without dropping allocations: credentials are re-read and
     * the peer policy is rebuilt. Listeners, relay addresses and limits need a restart.
     */
    public void reload(TraverseConfig config) {
        reloadCredentials();
        turn.policy(peerPolicy(config, families));
        LOG.info("reloaded credentials and peer policy");
    }

    @Override
    public void close() {
        if (credentialFiles != null) {
            credentialFiles.close();
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
