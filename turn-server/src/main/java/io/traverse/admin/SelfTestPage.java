package io.traverse.admin;

import io.traverse.auth.RestCredential;
import io.traverse.net.IpAddresses;
import io.traverse.server.TraverseServer;
import io.traverse.turn.TransportProtocol;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The browser self-test (docs/operations.md): a static page at {@value #PATH} (no secrets in it, so it loads
 * without the token) and its configuration at {@value #CONFIG_PATH} (behind the token): this server's TURN URLs
 * and, when a REST secret is configured, credentials minted for {@value #TTL_SECONDS} s. The page gathers relay
 * candidates from each URL and runs a data-channel round trip through the relay. It loads nothing from elsewhere.
 */
final class SelfTestPage {
    static final String PATH = "/admin/selftest";
    static final String CONFIG_PATH = "/admin/selftest/config";
    static final long TTL_SECONDS = 600;
    /** Script and styles are inline; nothing may load from another origin. */
    static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'unsafe-inline'; "
            + "style-src 'unsafe-inline'; connect-src 'self'; base-uri 'none'; form-action 'none'";

    private static final String HTML = load();

    private SelfTestPage() {}

    static String html() {
        return HTML;
    }

    /**
     * The page's configuration: the server's TURN URLs (UDP, TCP, TLS listeners; a wildcard listener is named by
     * {@code host}, the host the admin request was sent to) and minted credentials when a REST secret exists.
     */
    static Map<String, Object> config(TraverseServer server, String host) {
        List<Map<String, String>> urls = new ArrayList<>();
        for (TraverseServer.BoundListener listener : server.listeners()) {
            TransportProtocol protocol = listener.protocol();
            if (protocol == TransportProtocol.DTLS || urls.size() >= 8) {
                continue; // browsers have no TURN over DTLS
            }
            InetSocketAddress a = listener.address();
            String ip = a.getAddress().isAnyLocalAddress() ? host
                    : a.getAddress() instanceof Inet6Address ? "[" + IpAddresses.format(a.getAddress()) + "]"
                    : IpAddresses.format(a.getAddress());
            String scheme = protocol == TransportProtocol.TLS ? "turns:" : "turn:";
            String transport = protocol == TransportProtocol.UDP ? "udp" : "tcp";
            String url = scheme + ip + ":" + a.getPort() + "?transport=" + transport;
            if (urls.stream().noneMatch(u -> u.get("url").equals(url))) {
                urls.add(Map.of("url", url, "transport", protocol.configName()));
            }
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("urls", urls);
        Optional<RestCredential> minted = server.mintRestCredential("selftest", Duration.ofSeconds(TTL_SECONDS));
        body.put("username", minted.map(RestCredential::username).orElse(null));
        body.put("credential", minted.map(RestCredential::password).orElse(null));
        body.put("expiresAt", minted.map(RestCredential::expiresAtEpochSecond).orElse(null));
        return body;
    }

    private static String load() {
        try (InputStream in = SelfTestPage.class.getResourceAsStream("selftest.html")) {
            if (in == null) {
                throw new IllegalStateException("selftest.html is missing from the jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
