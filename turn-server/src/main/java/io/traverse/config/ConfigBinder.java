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
        m.finish();
        return b.construct("",
                () -> new TraverseConfig(server, listeners, relay, auth, peers, tls, admin, logging, natDiscovery,
                        drain),
                null);
    }

    private ServerConfig server(MapReader m) {
        ServerConfig d = ServerConfig.defaults();
        String realm = b.value(m, "realm", d.realm(), false, b::text);
        String software = b.value(m, "software", d.software(), true, b::text);
        int eventLoops = b.value(m, "event-loops", d.eventLoops(), false, b::integer);
        IoMode io = b.value(m, "io", d.io(), false, b.enumOf(IoMode.class));
        m.finish();
        return b.construct("server", () -> new ServerConfig(realm, software, eventLoops, io), d);
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
        int socketBuffer = b.value(m, "socket-buffer", d.socketBuffer(), false, b::byteSize);
        m.finish();
        return b.construct("relay", () -> new RelayConfig(addresses, portRange, lifetime, permission, channel,
                maxAllocations, perUser, dontFragment, socketBuffer), d);
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
        m.finish();
        return b.construct("auth",
                () -> new AuthConfig(usersFile, secretsFile, secrets, nonce, algorithms, cache, rate), d);
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
        m.finish();
        return b.construct("peers", () -> new PeerPolicyConfig(allow, deny, loopback), d);
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
        m.finish();
        return b.construct("admin", () -> new AdminConfig(enabled, address, port, tokenFile), d);
    }

    private LoggingConfig logging(MapReader m) {
        LoggingConfig d = LoggingConfig.defaults();
        LogLevel level = b.value(m, "level", d.level(), false, b.enumOf(LogLevel.class));
        LogFormat format = b.value(m, "format", d.format(), false, b.enumOf(LogFormat.class));
        m.finish();
        return b.construct("logging", () -> new LoggingConfig(level, format), d);
    }
}
