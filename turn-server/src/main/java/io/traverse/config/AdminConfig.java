package io.traverse.config;

import io.traverse.net.IpAddresses;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The {@code admin} section: the HTTP endpoint for /metrics, /healthz and /readyz. It listens on loopback
 * unless another address is configured explicitly.
 *
 * @param enabled         whether the endpoint runs
 * @param address         IP address to bind, default {@code 127.0.0.1}
 * @param port            TCP port 0..65535, 0 = ephemeral (tests)
 * @param bearerTokenFile file holding the bearer token required by the endpoint, or {@code null} for none;
 *                        required when the endpoint is enabled on an address that is not loopback
 * @param maxConnectionsPerIp open connections from one client IP address, at least 1
 * @param requestTimeout  a connection must deliver a whole request within this time from its first byte (not
 *                        reset by further bytes), at least 1 ms
 */
public record AdminConfig(boolean enabled, InetAddress address, int port, Path bearerTokenFile,
        int maxConnectionsPerIp, Duration requestTimeout) {

    /** Default {@code max-connections-per-ip}. */
    public static final int DEFAULT_MAX_CONNECTIONS_PER_IP = 8;
    /** Default {@code request-timeout}. */
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(10);

    public AdminConfig {
        Validator v = new Validator();
        v.unicast("address", address);
        v.range("port", port, 0, 65535);
        if (enabled && address != null && !v.hasProblem("address") && !address.isLoopbackAddress()
                && bearerTokenFile == null) {
            v.add("bearer-token-file", "is required when the admin endpoint listens on " + address.getHostAddress()
                    + ", which is not a loopback address (anyone who reaches it could read the metrics and"
                    + " sessions); set a token file or bind admin.address to 127.0.0.1 or ::1");
        }
        v.atLeast("max-connections-per-ip", maxConnectionsPerIp, 1);
        v.duration("request-timeout", requestTimeout, Duration.ofMillis(1));
        v.done();
    }

    /** With the default connection limit and request timeout. */
    public AdminConfig(boolean enabled, InetAddress address, int port, Path bearerTokenFile) {
        this(enabled, address, port, bearerTokenFile, DEFAULT_MAX_CONNECTIONS_PER_IP, DEFAULT_REQUEST_TIMEOUT);
    }

    /** Enabled on 127.0.0.1:9641 without a token, 8 connections per IP, 10 s per request. */
    public static AdminConfig defaults() {
        return new AdminConfig(true, IpAddresses.parse("127.0.0.1"), 9641, null);
    }
}
