package io.traverse.config;

import static io.traverse.config.ConfigAssertions.assertProblem;
import static io.traverse.config.ConfigAssertions.fails;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Table test: each YAML snippet is invalid in exactly one way, and the error names the full key. Snippets
 * use YAML flow style so each fits on one line.
 */
class ConfigValidationTest {

    static Stream<Arguments> cases() {
        String realm128 = "r".repeat(128);
        return Stream.of(
                // ---- document ----
                row("a: b: c", "invalid YAML: mapping values are not allowed here (line 1, column 5)"),
                row("- 1", "the configuration must be a mapping of sections"),
                row("server: {}\n---\nrelay: {}", "only one YAML document is allowed"),
                row("admin:\n  address: ::\n", "IPv6 addresses must be quoted in YAML"),
                row("server: {realm: &r x, software: *r}", "server.software: YAML aliases (*r) are not supported"),
                // ---- duplicates ----
                row("server: {}\nserver: {}", "server: duplicate key (first defined on line 1) (line 2)"),
                row("server:\n  realm: a\n  realm: b\n", "server.realm: duplicate key (first defined on line 2) (line 3)"),
                row("relay:\n  port-range:\n    min: 1\n    min: 2\n", "relay.port-range.min: duplicate key"),
                row("listeners:\n  - {protocol: udp, address: 0.0.0.0, protocol: tcp}\n",
                        "listeners[0].protocol: duplicate key"),
                // ---- unknown keys at every level ----
                row("serverx: {}", "serverx: unknown key; did you mean server?"),
                row("bogus: 1", "bogus: unknown key; expected one of server, listeners, relay, auth, peers, tls, admin,"
                        + " logging"),
                row("server: {relm: x}", "server.relm: unknown key; did you mean realm?"),
                row("listeners: [{protocol: udp, address: 0.0.0.0, prot: 1}]", "listeners[0].prot: unknown key"),
                row("relay: {foo: 1}", "relay.foo: unknown key"),
                row("relay: {addresses: [{bind: 0.0.0.0, advertize: 1.2.3.4}]}",
                        "relay.addresses[0].advertize: unknown key; did you mean advertised?"),
                row("relay: {port-range: {minimum: 1}}", "relay.port-range.minimum: unknown key"),
                row("relay: {allocation-lifetime: {defualt: 1}}",
                        "relay.allocation-lifetime.defualt: unknown key; did you mean default?"),
                row("auth: {foo: 1}", "auth.foo: unknown key"),
                row("auth: {credential-cache: {size: 1}}", "auth.credential-cache.size: unknown key"),
                row("auth: {unauthenticated-rate-limit: {rate: 1}}", "auth.unauthenticated-rate-limit.rate: unknown key"),
                row("peers: {alow: []}", "peers.alow: unknown key; did you mean allow?"),
                row("tls: {cert: x}", "tls.cert: unknown key"),
                row("admin: {bind: 127.0.0.1}", "admin.bind: unknown key"),
                row("logging: {lvl: info}", "logging.lvl: unknown key"),
                // ---- types ----
                row("server: 5", "server: must be a mapping, got integer 5"),
                row("server: {realm: [a]}", "server.realm: must be a string, got a list"),
                row("server: {realm: null}", "server.realm: must not be null"),
                row("relay: {max-allocations: '100'}", "relay.max-allocations: must be an integer, got string \"100\""),
                row("relay: {max-allocations: 1.5}", "relay.max-allocations: must be an integer, got number 1.5"),
                row("relay: {max-allocations: 99999999999}", "relay.max-allocations: is out of range, got 99999999999"),
                row("admin: {port: 010}", "admin.port: has a leading zero"),
                row("relay: {dont-fragment: maybe}", "relay.dont-fragment: must be true or false, got string \"maybe\""),
                row("peers: {allow-loopback-insecure-test-only: 1}",
                        "peers.allow-loopback-insecure-test-only: must be true or false, got integer 1"),
                row("relay: {port-range: 5}", "relay.port-range: must be a mapping, got integer 5"),
                row("listeners: 5", "listeners: must be a list, got integer 5"),
                row("listeners: [null]", "listeners[0]: must not be null"),
                row("listeners: [[1]]", "listeners[0]: must be a listener such as udp://0.0.0.0:3478"),
                row("auth: {rest-secrets: abc}", "auth.rest-secrets: must be a list, got string"),
                row("auth: {users-file: 5}", "auth.users-file: must be a file path string, got integer 5"),
                row("auth: {users-file: ''}", "auth.users-file: must not be empty (use null for none)"),
                row("admin: {bearer-token-file: []}", "admin.bearer-token-file: must be a file path string, got a list"),
                // ---- server ----
                row("server: {realm: ''}", "server.realm: must not be empty"),
                row("server: {realm: " + realm128 + "}", "server.realm: must be fewer than 128 characters (RFC 8489), got 128"),
                row("server: {realm: \"a\\tb\"}", "server.realm: must not contain control characters"),
                row("server: {software: " + realm128 + "}", "server.software: must be fewer than 128 characters"),
                row("server: {event-loops: -1}", "server.event-loops: must be between 0 and 1024, got -1"),
                row("server: {event-loops: 1025}", "server.event-loops: must be between 0 and 1024, got 1025"),
                row("server: {spin-micros: -1}", "server.spin-micros: must be between 0 and 1000, got -1"),
                row("server: {spin-micros: 1001}", "server.spin-micros: must be between 0 and 1000, got 1001"),
                row("server: {io: kqueue}", "server.io: must be one of auto, epoll, nio; got string \"kqueue\""),
                // ---- listeners ----
                row("listeners: []", "listeners: must contain at least one listener"),
                row("listeners: ['quic://0.0.0.0:443']", "listeners[0]: unknown protocol \"quic\""),
                row("listeners: ['udp://0.0.0.0:70000']", "listeners[0]: port must be between 0 and 65535, got 70000 in \"udp://0.0.0.0:70000\""),
                row("listeners: ['udp://0.0.0.0:port']", "listeners[0]: port must be a number between 0 and 65535"),
                row("listeners: ['udp://turn.example.org:3478']",
                        "listeners[0]: must be an IP address literal (IPv4 or IPv6), got \"turn.example.org\"; host"
                                + " names are not resolved"),
                row("listeners: ['udp://::1:3478']", "listeners[0]: IPv6 addresses must be in brackets"),
                row("listeners: ['0.0.0.0:3478']", "listeners[0]: must be a listener such as udp://0.0.0.0:3478"),
                row("listeners: [{protocol: udp, address: 0.0.0.0, port: 70000}]",
                        "listeners[0].port: must be between 0 and 65535, got 70000"),
                row("listeners: [{protocol: udp, address: 0.0.0.0, port: -1}]",
                        "listeners[0].port: must be between 0 and 65535, got -1"),
                row("listeners: [{address: 0.0.0.0}]", "listeners[0].protocol: is required"),
                row("listeners: [{protocol: udp}]", "listeners[0].address: is required"),
                row("listeners: [{protocol: sctp, address: 0.0.0.0}]",
                        "listeners[0].protocol: must be one of udp, tcp, tls, dtls"),
                row("listeners: [{protocol: udp, address: localhost}]",
                        "listeners[0].address: must be an IP address literal (IPv4 or IPv6), got \"localhost\""),
                row("listeners: [{protocol: udp, address: 224.0.0.1}]",
                        "listeners[0].address: must not be a multicast address, got 224.0.0.1"),
                row("listeners: ['udp://0.0.0.0:3478', 'tcp://0.0.0.0:3478', {protocol: udp, address: 0.0.0.0}]",
                        "listeners: udp://0.0.0.0:3478 is listed more than once"),
                row("listeners: ['dtls://0.0.0.0']", "tls.certificate: is required by listener dtls://0.0.0.0:5349"),
                row("listeners: ['tls://[::]']", "tls.private-key: is required by listener tls://[::]:5349"),
                row("listeners: ['tcp://0.0.0.0:9641']", "admin.port: 9641 is already used by listener tcp://0.0.0.0:9641"),
                row("listeners: ['tcp://[::]:8000']\nadmin: {port: 8000}",
                        "admin.port: 8000 is already used by listener tcp://[::]:8000"),
                // ---- relay ----
                row("relay: {addresses: []}", "relay.addresses: must contain at least one address"),
                row("relay: {addresses: [0.0.0.0, '10.0.0.1=203.0.113.1', 0.0.0.0]}",
                        "relay.addresses: bind address 0.0.0.0 is listed more than once"),
                row("relay: {addresses: ['10.0.0.1=::1']}",
                        "relay.addresses[0]: advertised must be of the same address family as bind (IPv4)"),
                row("relay: {addresses: [{bind: 10.0.0.1, advertised: 0.0.0.0}]}",
                        "relay.addresses[0].advertised: must be a specific address, not the wildcard 0.0.0.0"),
                row("relay: {addresses: [{bind: '::', advertised: 203.0.113.7}]}",
                        "relay.addresses[0].advertised: must be of the same address family as bind (IPv6)"),
                row("relay: {addresses: [{advertised: 203.0.113.7}]}", "relay.addresses[0].bind: is required"),
                row("relay: {addresses: [{bind: relay.example.com}]}",
                        "relay.addresses[0].bind: must be an IP address literal"),
                row("relay: {addresses: ['10.0.0.1=relay.example.com']}",
                        "relay.addresses[0]: must be an IP address literal"),
                row("relay: {port-range: {min: 70000}}", "relay.port-range.min: must be between 1 and 65535, got 70000"),
                row("relay: {port-range: {min: 0}}", "relay.port-range.min: must be between 1 and 65535, got 0"),
                row("relay: {port-range: {max: 65536}}", "relay.port-range.max: must be between 1 and 65535, got 65536"),
                row("relay: {port-range: {min: 60000, max: 50000}}",
                        "relay.port-range.min: must not exceed max (50000), got 60000"),
                row("relay: {allocation-lifetime: {default: 500ms}}",
                        "relay.allocation-lifetime.default: must be at least 1s, got 500ms"),
                row("relay: {allocation-lifetime: {default: 1500ms}}",
                        "relay.allocation-lifetime.default: must be a whole number of seconds, got 1500ms"),
                row("relay: {allocation-lifetime: {default: 2h, max: 1h}}",
                        "relay.allocation-lifetime.default: must not exceed max (1h), got 2h"),
                row("relay: {allocation-lifetime: {max: 5000000000}}",
                        "relay.allocation-lifetime.max: must be at most 4294967295s"),
                row("relay: {permission-lifetime: 0}", "relay.permission-lifetime: must be at least 1ms, got 0s"),
                row("relay: {channel-lifetime: -5}", "relay.channel-lifetime: must not be negative, got -5"),
                row("relay: {channel-lifetime: 10 minutes}",
                        "relay.channel-lifetime: must be a duration such as 600s, 10m, 12h, 1d, 500ms or a number of"
                                + " seconds, got \"10 minutes\""),
                row("relay: {channel-lifetime: 1.5h}", "relay.channel-lifetime: must be a duration"),
                row("relay: {channel-lifetime: 1.5}", "relay.channel-lifetime: must be a duration such as 600s, 10m, 12h,"
                        + " 1d, 500ms or a number of seconds, got number 1.5"),
                row("relay: {channel-lifetime: 999999999999999999d}", "relay.channel-lifetime: is too large"),
                row("relay: {max-allocations: 0}", "relay.max-allocations: must be at least 1, got 0"),
                row("relay: {max-allocations-per-user: 0}", "relay.max-allocations-per-user: must be at least 1, got 0"),
                // ---- auth ----
                row("auth: {rest-secrets: ['']}", "auth.rest-secrets[0]: must not be empty"),
                row("auth: {nonce-lifetime: 500ms}", "auth.nonce-lifetime: must be at least 1s, got 500ms"),
                row("auth: {password-algorithms: []}", "auth.password-algorithms: must contain at least one of sha256, md5"),
                row("auth: {password-algorithms: [md5, md5]}", "auth.password-algorithms: md5 is listed more than once"),
                row("auth: {password-algorithms: [sha256, sha1]}",
                        "auth.password-algorithms[1]: must be one of md5, sha256; got string \"sha1\""),
                row("auth: {credential-cache: {max-size: -1}}", "auth.credential-cache.max-size: must be at least 0, got -1"),
                row("auth: {credential-cache: {ttl: 0}}", "auth.credential-cache.ttl: must be at least 1ms, got 0s"),
                row("auth: {unauthenticated-rate-limit: {per-second: -1}}",
                        "auth.unauthenticated-rate-limit.per-second: must be at least 0, got -1"),
                row("auth: {unauthenticated-rate-limit: {burst: 0}}",
                        "auth.unauthenticated-rate-limit.burst: must be at least 1, got 0"),
                // ---- peers ----
                row("peers: {allow: [10.1.0.0/8]}", "peers.allow[0]: 10.1.0.0/8 has host bits set; did you mean 10.0.0.0/8?"),
                row("peers: {deny: ['2001:db8::1/32']}",
                        "peers.deny[0]: 2001:db8::1/32 has host bits set; did you mean 2001:db8::/32?"),
                row("peers: {deny: [10.0.0.0/33]}", "peers.deny[0]: prefix length must be between 0 and 32 for IPv4, got 33"),
                row("peers: {deny: ['2001:db8::/129']}",
                        "peers.deny[0]: prefix length must be between 0 and 128 for IPv6, got 129"),
                row("peers: {deny: [10.0.0.0/]}", "peers.deny[0]: must be a CIDR prefix such as 10.0.0.0/8"),
                row("peers: {deny: [10.0.0.0/8/8]}", "peers.deny[0]: must be a CIDR prefix"),
                row("peers: {deny: [internal.example/8]}", "peers.deny[0]: must be an IP address literal"),
                row("peers: {deny: ['::ffff:10.0.0.0/104']}", "peers.deny[0]: must not be an IPv4-mapped IPv6 address"),
                row("peers: {deny: [10.0.0/8]}", "peers.deny[0]: must be an IP address literal, got \"10.0.0\": not a valid"
                        + " IPv4 address"),
                row("peers: {allow: 10.0.0.0/8}", "peers.allow: must be a list, got string"),
                // ---- tls ----
                row("tls: {certificate: cert.pem}", "tls.private-key: is required when certificate is set"),
                row("tls: {private-key: key.pem}", "tls.certificate: is required when private-key is set"),
                row("tls: {handshake-timeout: 0}", "tls.handshake-timeout: must be at least 1ms, got 0s"),
                row("tls: {idle-timeout: 10x}", "tls.idle-timeout: must be a duration"),
                // ---- admin ----
                row("admin: {address: admin.local}", "admin.address: must be an IP address literal (IPv4 or IPv6), got"
                        + " \"admin.local\"; host names are not resolved"),
                row("admin: {address: 300.1.1.1}", "admin.address: must be an IP address literal, got \"300.1.1.1\": not a"
                        + " valid IPv4 address"),
                row("admin: {address: 'fe80::1%eth0'}", "admin.address: must be an IP address literal, got \"fe80::1%eth0\":"
                        + " zone ids"),
                row("admin: {address: 'ff02::1'}", "admin.address: must not be a multicast address, got ff02::1"),
                row("admin: {port: 65536}", "admin.port: must be between 0 and 65535, got 65536"),
                row("admin: {enabled: sometimes}", "admin.enabled: must be true or false"),
                row("admin: {address: 192.0.2.10}", "admin.bearer-token-file: is required when the admin endpoint"
                        + " listens on 192.0.2.10, which is not a loopback address"),
                row("admin: {address: '::'}", "admin.bearer-token-file: is required when the admin endpoint listens on"),
                row("admin: {max-connections-per-ip: 0}", "admin.max-connections-per-ip: must be at least 1, got 0"),
                row("admin: {request-timeout: 0}", "admin.request-timeout: must be at least 1ms, got 0s"),
                // ---- limits ----
                row("limits: {streams: {max-connections: 0}}", "limits.streams.max-connections: must be at least 1"),
                row("limits: {streams: {write-buffer-high: 1024}}", "limits.streams.write-buffer-high: must be above"
                        + " write-buffer-low (32768), got 1024"),
                row("limits: {streams: {max-pending-bytes: 65536}}", "limits.streams.max-pending-bytes: must be above"
                        + " write-buffer-high (65536), got 65536"),
                row("limits: {dtls: {max-handshakes-per-ip: 0}}", "limits.dtls.max-handshakes-per-ip: must be at least 1"),
                row("limits: {tcp-relay: {connects-per-second: -1}}", "limits.tcp-relay.connects-per-second: must be at"
                        + " least 1"),
                // ---- logging ----
                row("logging: {level: verbose}", "logging.level: must be one of trace, debug, info, warn, error; got"
                        + " string \"verbose\""),
                row("logging: {format: xml}", "logging.format: must be one of text, json"));
    }

    private static Arguments row(String yaml, String expected) {
        return Arguments.of(yaml, expected);
    }

    @ParameterizedTest(name = "[{index}] {1}")
    @MethodSource("cases")
    void rejects(String yaml, String expected) {
        assertProblem(fails(yaml), expected);
    }

    /** The snippets are invalid in exactly one way; a second problem would be noise from the first. */
    @ParameterizedTest(name = "[{index}] {1}")
    @MethodSource("cases")
    void reportsOnlyTheProblemItself(String yaml, String expected) {
        ConfigException e = fails(yaml);
        long count = e.problems().size();
        // tls/dtls listeners without a certificate name both files, by design.
        long expectedCount = expected.startsWith("tls.certificate: is required by")
                || expected.startsWith("tls.private-key: is required by") ? 2 : 1;
        assertEquals(expectedCount, count, e::getMessage);
    }
}
