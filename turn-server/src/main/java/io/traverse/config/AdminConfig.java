package io.traverse.config;

import io.traverse.net.IpAddresses;
import java.net.InetAddress;
import java.nio.file.Path;

/**
 * The {@code admin} section: the HTTP endpoint for /metrics, /healthz and /readyz. It listens on loopback
 * unless another address is configured explicitly.
 *
 * @param enabled         whether the endpoint runs
 * @param address         IP address to bind, default {@code 127.0.0.1}
 * @param port            TCP port 0..65535, 0 = ephemeral (tests)
 * @param bearerTokenFile file holding the bearer token required by the endpoint, or {@code null} for none
 */
public record AdminConfig(boolean enabled, InetAddress address, int port, Path bearerTokenFile) {

    public AdminConfig {
        Validator v = new Validator();
        v.unicast("address", address);
        v.range("port", port, 0, 65535);
        v.done();
    }

    /** Enabled on 127.0.0.1:9641 without a token. */
    public static AdminConfig defaults() {
        return new AdminConfig(true, IpAddresses.parse("127.0.0.1"), 9641, null);
    }
}
