package io.traverse.config;

import io.traverse.net.Cidr;
import io.traverse.stun.auth.PasswordAlgorithm;
import io.traverse.turn.TransportProtocol;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;

/**
 * The schema: binds each section of the document to its record, using the records' {@code defaults()} for
 * absent keys. Key names here are the file's kebab-case names.
 */
final class ConfigBinder {
    private final Binder b;

    ConfigBinder(Binder binder) {
        this.b = binder;
    }

    /** Binds the whole document; returns null if any problem was found (they are in the binder's list). */
    TraverseConfig bind(YamlNode.Mapping root) {
        TraverseConfig d = TraverseConfig.defaults();
        MapReader m = b.mapping("", root);
        ServerConfig server = server(b.section(m, "server"));
        List<ListenerConfig> listeners = b.list(m, "listeners", d.listeners(), this::listener);
        RelayConfig relay = relay(b.section(m, "relay"));
        AuthConfig auth = auth(b.section(m, "auth"));
        PeerPolicyConfig peers = peers(b.section(m, "peers"));
        TlsConfig tls = tls(b.section(m, "tls"));
        AdminConfig admin = admin(b.section(m, "admin"));
        LoggingConfig logging = logging(b.section(m, "logging"));
        NatDiscoveryConfig natDiscovery = natDiscovery(b.section(m, "nat-discovery"));
        DrainConfig drain = drain(b.section(m, "drain"));
        LimitsConfig limits = limits(b.section(m, "limits"));
        ClusterConfig cluster = cluster(b.section(m, "cluster"));
        BandwidthConfig bandwidth = bandwidth(b.section(m, "bandwidth"));
        m.finish();
        return b.construct("",
                () -> new TraverseConfig(server, listeners, relay, auth, peers, tls, admin, logging, natDiscovery,
                        drain, limits, cluster, bandwidth),
                null);
    }

    private BandwidthConfig bandwidth(MapReader m) {
        BandwidthConfig d = BandwidthConfig.defaults();
        int maxBps = b.value(m, "max-bps", d.maxBps(), false, b::integer);
        int capacity = b.value(m, "bps-capacity", d.bpsCapacity(), false, b::integer);
        List<BandwidthConfig.UserLimit> users = b.list(m, "users", d.users(),
                (path, node) -> b.parsed(path, node, "user=bytes-per-second", BandwidthConfig.UserLimit::parse));
        m.finish();
        return b.construct("bandwidth", () -> new BandwidthConfig(maxBps, capacity, users), d);
    }

    private ServerConfig server(MapReader m) {
        ServerConfig d = ServerConfig.defaults();
        String realm = b.value(m, "realm", d.realm(), false, b::text);
        String software = b.value(m, "software", d.software(), true, b::text);
        int eventLoops = b.value(m, "event-loops", d.eventLoops(), false, b::integer);
        IoMode io = b.value(m, "io", d.io(), false, b.enumOf(IoMode.class));
        int spinMicros = b.value(m, "spin-micros", d.spinMicros(), false, b::integer);
        m.finish();
        return b.construct("server", () -> new ServerConfig(realm, software, eventLoops, io, spinMicros), d);
    }

    private ListenerConfig listener(String path, YamlNode node) {
        if (!(node instanceof YamlNode.Mapping)) {
            return b.parsed(path, node, "a listener such as udp://0.0.0.0:3478 or {protocol: udp, address: 0.0.0.0,"
                    + " port: 3478}", ListenerConfig::parse);
        }
        MapReader m = b.mapping(path, node);
        TransportProtocol protocol = b.required(m, "protocol", b.enumOf(TransportProtocol.class));
        InetAddress address = b.required(m, "address", b::address);
        Integer port = b.value(m, "port", null, false, b::integer);
        int socketBuffer = b.value(m, "socket-buffer", 0, false, b::byteSize);
        m.finish();
        if (protocol == null || address == null) {
            b.markFailed(path);
            return null;
        }
        int p = port != null ? port : protocol.defaultPort();
        return b.construct(path, () -> new ListenerConfig(protocol, address, p, socketBuffer), null);
    }

    private RelayConfig relay(MapReader m) {
        RelayConfig d = RelayConfig.defaults();
        List<RelayAddress> addresses = b.list(m, "addresses", d.addresses(), this::relayAddress);
        PortRange portRange = portRange(b.section(m, "port-range"), d.portRange());
        AllocationLifetime lifetime = allocationLifetime(b.section(m, "allocation-lifetime"), d.allocationLifetime());
        Duration permission = b.value(m, "permission-lifetime", d.permissionLifetime(), false, b::duration);
        Duration channel = b.value(m, "channel-lifetime", d.channelLifetime(), false, b::duration);
        int maxAllocations = b.value(m, "max-allocations", d.maxAllocations(), false, b::integer);
        int perUser = b.value(m, "max-allocations-per-user", d.maxAllocationsPerUser(), false, b::integer);
        boolean dontFragment = b.value(m, "dont-fragment", d.dontFragment(), false, b::bool);
        int channels = b.value(m, "max-channels-per-allocation", d.maxChannelsPerAllocation(), false, b::integer);
        int perIp = b.value(m, "max-allocations-per-ip", d.maxAllocationsPerIp(), false, b::integer);
        boolean legacyChannels = b.value(m, "legacy-channel-numbers", d.legacyChannelNumbers(), false, b::bool);
        int socketBuffer = b.value(m, "socket-buffer", d.socketBuffer(), false, b::byteSize);
        int prebound = b.value(m, "prebound-sockets", d.preboundSockets(), false, b::integer);
        m.finish();
        return b.construct("relay", () -> new RelayConfig(addresses, portRange, lifetime, permission, channel,
                maxAllocations, perUser, dontFragment, channels, perIp, legacyChannels, socketBuffer, prebound), d);
    }

    private RelayAddress relayAddress(String path, YamlNode node) {
        if (!(node instanceof YamlNode.Mapping)) {
            return b.parsed(path, node, "a relay address such as 0.0.0.0 or 10.0.0.5=203.0.113.7 or"
                    + " {bind: 10.0.0.5, advertised: 203.0.113.7}", RelayAddress::parse);
        }
        MapReader m = b.mapping(path, node);
        InetAddress bind = b.required(m, "bind", b::address);
        InetAddress advertised = b.value(m, "advertised", null, true, b::address);
        m.finish();
        if (bind == null) {
            b.markFailed(path);
            return null;
        }
        return b.construct(path, () -> new RelayAddress(bind, advertised), null);
    }

    private PortRange portRange(MapReader m, PortRange d) {
        int min = b.value(m, "min", d.min(), false, b::integer);
        int max = b.value(m, "max", d.max(), false, b::integer);
        m.finish();
        return b.construct(m.path(""), () -> new PortRange(min, max), d);
    }

    private AllocationLifetime allocationLifetime(MapReader m, AllocationLifetime d) {
        Duration def = b.value(m, "default", d.defaultLifetime(), false, b::duration);
        Duration max = b.value(m, "max", d.max(), false, b::duration);
        m.finish();
        return b.construct(m.path(""), () -> new AllocationLifetime(def, max), d);
    }

    private AuthConfig auth(MapReader m) {
        AuthConfig d = AuthConfig.defaults();
        var usersFile = b.value(m, "users-file", d.usersFile(), true, b::path);
        var secretsFile = b.value(m, "rest-secrets-file", d.restSecretsFile(), true, b::path);
        List<String> secrets = b.list(m, "rest-secrets", d.restSecrets(), b::secret);
        Duration nonce = b.value(m, "nonce-lifetime", d.nonceLifetime(), false, b::duration);
        List<PasswordAlgorithm> algorithms = b.list(m, "password-algorithms", d.passwordAlgorithms(),
                b.enumOf(PasswordAlgorithm.class));
        CredentialCacheConfig cache = credentialCache(b.section(m, "credential-cache"), d.credentialCache());
        RateLimitConfig rate = rateLimit(b.section(m, "unauthenticated-rate-limit"), d.unauthenticatedRateLimit());
        Duration restMaxTtl = b.value(m, "rest-max-ttl", d.restMaxTtl(), false, b::duration);
        StoreConfig store = store(b.section(m, "store"), d.store());
        m.finish();
        return b.construct("auth",
                () -> new AuthConfig(usersFile, secretsFile, secrets, nonce, algorithms, cache, rate, restMaxTtl,
                        store), d);
    }

    private StoreConfig store(MapReader m, StoreConfig d) {
        String url = b.value(m, "url", d.url(), true, b::secret);
        var passwordFile = b.value(m, "password-file", d.passwordFile(), true, b::path);
        Duration timeout = b.value(m, "timeout", d.timeout(), false, b::duration);
        int poolSize = b.value(m, "pool-size", d.poolSize(), false, b::integer);
        Duration negativeTtl = b.value(m, "negative-ttl", d.negativeTtl(), false, b::duration);
        Duration refreshAfter = b.value(m, "refresh-after", d.refreshAfter(), false, b::duration);
        int perSecond = b.value(m, "lookups-per-second", d.lookupsPerSecond(), false, b::integer);
        int burst = b.value(m, "lookup-burst", d.lookupBurst(), false, b::integer);
        Duration retry = b.value(m, "retry-interval", d.retryInterval(), false, b::duration);
        m.finish();
        return b.construct(m.path(""), () -> new StoreConfig(url, passwordFile, timeout, poolSize, negativeTtl,
                refreshAfter, perSecond, burst, retry), d);
    }

    private CredentialCacheConfig credentialCache(MapReader m, CredentialCacheConfig d) {
        int maxSize = b.value(m, "max-size", d.maxSize(), false, b::integer);
        Duration ttl = b.value(m, "ttl", d.ttl(), false, b::duration);
        m.finish();
        return b.construct(m.path(""), () -> new CredentialCacheConfig(maxSize, ttl), d);
    }

    private RateLimitConfig rateLimit(MapReader m, RateLimitConfig d) {
        int perSecond = b.value(m, "per-second", d.perSecond(), false, b::integer);
        int burst = b.value(m, "burst", d.burst(), false, b::integer);
        m.finish();
        return b.construct(m.path(""), () -> new RateLimitConfig(perSecond, burst), d);
    }

    private PeerPolicyConfig peers(MapReader m) {
        PeerPolicyConfig d = PeerPolicyConfig.defaults();
        List<Cidr> allow = b.list(m, "allow", d.allow(), b::cidr);
        List<Cidr> deny = b.list(m, "deny", d.deny(), b::cidr);
        boolean loopback = b.value(m, "allow-loopback-insecure-test-only", d.allowLoopbackInsecureTestOnly(),
                false, b::bool);
        List<Cidr> nat64 = b.list(m, "nat64-prefixes", d.nat64Prefixes(), b::cidr);
        m.finish();
        return b.construct("peers", () -> new PeerPolicyConfig(allow, deny, loopback, nat64), d);
    }

    private TlsConfig tls(MapReader m) {
        TlsConfig d = TlsConfig.defaults();
        var certificate = b.value(m, "certificate", d.certificate(), true, b::path);
        var privateKey = b.value(m, "private-key", d.privateKey(), true, b::path);
        Duration handshake = b.value(m, "handshake-timeout", d.handshakeTimeout(), false, b::duration);
        Duration idle = b.value(m, "idle-timeout", d.idleTimeout(), false, b::duration);
        m.finish();
        return b.construct("tls", () -> new TlsConfig(certificate, privateKey, handshake, idle), d);
    }

    private DrainConfig drain(MapReader m) {
        DrainConfig d = DrainConfig.defaults();
        Duration grace = b.value(m, "grace-period", d.gracePeriod(), false, b::duration);
        java.net.InetSocketAddress alternate = b.value(m, "alternate-server", d.alternateServer(), true,
                (path, node) -> b.parsed(path, node, "an address such as 203.0.113.7:3478 or [2001:db8::7]:3478",
                        DrainConfig::parseAlternate));
        m.finish();
        return b.construct("drain", () -> new DrainConfig(grace, alternate), d);
    }

    private ClusterConfig cluster(MapReader m) {
        ClusterConfig d = ClusterConfig.defaults();
        String url = b.value(m, "redis-url", d.redisUrl(), true, b::secret);
        var passwordFile = b.value(m, "password-file", d.passwordFile(), true, b::path);
        String instanceId = b.value(m, "instance-id", d.instanceId(), true, b::text);
        Duration timeout = b.value(m, "timeout", d.timeout(), false, b::duration);
        int perUser = b.value(m, "max-allocations-per-user", d.maxAllocationsPerUser(), false, b::integer);
        int total = b.value(m, "max-allocations", d.maxAllocations(), false, b::integer);
        Duration quotaTtl = b.value(m, "quota-ttl", d.quotaTtl(), false, b::duration);
        boolean failOpen = b.value(m, "fail-open", d.failOpen(), false, b::bool);
        Duration report = b.value(m, "report-interval", d.reportInterval(), false, b::duration);
        double threshold = b.value(m, "redirect-threshold", d.redirectThreshold(), false, b::decimal);
        List<ListenerConfig> advertise = b.list(m, "advertise", d.advertise(), this::listener);
        String domain = b.value(m, "alternate-domain", d.alternateDomain(), true, b::text);
        m.finish();
        return b.construct("cluster", () -> new ClusterConfig(url, passwordFile, instanceId, timeout, perUser, total,
                quotaTtl, failOpen, report, threshold, advertise, domain), d);
    }

    private NatDiscoveryConfig natDiscovery(MapReader m) {
        NatDiscoveryConfig d = NatDiscoveryConfig.defaults();
        InetAddress alternate = b.value(m, "alternate-address", d.alternateAddress(), true, b::address);
        int port = b.value(m, "alternate-port", d.alternatePort(), false, b::integer);
        m.finish();
        return b.construct("nat-discovery", () -> new NatDiscoveryConfig(alternate, port), d);
    }

    private AdminConfig admin(MapReader m) {
        AdminConfig d = AdminConfig.defaults();
        boolean enabled = b.value(m, "enabled", d.enabled(), false, b::bool);
        InetAddress address = b.value(m, "address", d.address(), false, b::address);
        int port = b.value(m, "port", d.port(), false, b::integer);
        var tokenFile = b.value(m, "bearer-token-file", d.bearerTokenFile(), true, b::path);
        int perIp = b.value(m, "max-connections-per-ip", d.maxConnectionsPerIp(), false, b::integer);
        Duration requestTimeout = b.value(m, "request-timeout", d.requestTimeout(), false, b::duration);
        m.finish();
        return b.construct("admin", () -> new AdminConfig(enabled, address, port, tokenFile, perIp, requestTimeout),
                d);
    }

    private LoggingConfig logging(MapReader m) {
        LoggingConfig d = LoggingConfig.defaults();
        LogLevel level = b.value(m, "level", d.level(), false, b.enumOf(LogLevel.class));
        LogFormat format = b.value(m, "format", d.format(), false, b.enumOf(LogFormat.class));
        m.finish();
        return b.construct("logging", () -> new LoggingConfig(level, format), d);
    }

    private LimitsConfig limits(MapReader m) {
        LimitsConfig d = LimitsConfig.defaults();
        LimitsConfig.Streams streams = streamLimits(b.section(m, "streams"), d.streams());
        LimitsConfig.TcpRelay tcpRelay = tcpRelayLimits(b.section(m, "tcp-relay"), d.tcpRelay());
        LimitsConfig.Dtls dtls = dtlsLimits(b.section(m, "dtls"), d.dtls());
        m.finish();
        return b.construct("limits", () -> new LimitsConfig(streams, tcpRelay, dtls), d);
    }

    private LimitsConfig.Streams streamLimits(MapReader m, LimitsConfig.Streams d) {
        int max = b.value(m, "max-connections", d.maxConnections(), false, b::integer);
        int perIp = b.value(m, "max-connections-per-ip", d.maxConnectionsPerIp(), false, b::integer);
        int unallocated = b.value(m, "max-without-allocation", d.maxWithoutAllocation(), false, b::integer);
        Duration within = b.value(m, "allocate-within", d.allocateWithin(), false, b::duration);
        int handshakes = b.value(m, "max-tls-handshakes", d.maxTlsHandshakes(), false, b::integer);
        int low = b.value(m, "write-buffer-low", d.writeBufferLow(), false, b::integer);
        int high = b.value(m, "write-buffer-high", d.writeBufferHigh(), false, b::integer);
        int pending = b.value(m, "max-pending-bytes", d.maxPendingBytes(), false, b::integer);
        m.finish();
        return b.construct(m.path(""), () -> new LimitsConfig.Streams(max, perIp, unallocated, within, handshakes,
                low, high, pending), d);
    }

    private LimitsConfig.TcpRelay tcpRelayLimits(MapReader m, LimitsConfig.TcpRelay d) {
        int perAllocation = b.value(m, "connects-per-second-per-allocation", d.connectsPerSecondPerAllocation(),
                false, b::integer);
        int server = b.value(m, "connects-per-second", d.connectsPerSecond(), false, b::integer);
        m.finish();
        return b.construct(m.path(""), () -> new LimitsConfig.TcpRelay(perAllocation, server), d);
    }

    private LimitsConfig.Dtls dtlsLimits(MapReader m, LimitsConfig.Dtls d) {
        int max = b.value(m, "max-associations", d.maxAssociations(), false, b::integer);
        int perIp = b.value(m, "max-associations-per-ip", d.maxAssociationsPerIp(), false, b::integer);
        int handshakes = b.value(m, "max-handshakes-per-ip", d.maxHandshakesPerIp(), false, b::integer);
        m.finish();
        return b.construct(m.path(""), () -> new LimitsConfig.Dtls(max, perIp, handshakes), d);
    }
}
