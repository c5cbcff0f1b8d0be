package io.traverse.cli;

import io.traverse.client.Transport;
import java.net.InetSocketAddress;
import java.util.Locale;
import java.util.Objects;

/**
 * A STUN or TURN server URL (RFC 7064, RFC 7065): {@code stun:host[:port]}, {@code stuns:host[:port]},
 * {@code turn:host[:port][?transport=udp|tcp]}, {@code turns:host[:port][?transport=tcp]}. IPv6 literals are
 * written in brackets. Default ports 3478 ({@code stun}, {@code turn}) and 5349 ({@code stuns},
 * {@code turns}); default transport UDP, TLS for the secure schemes. As an extension {@code stun:} also takes
 * {@code ?transport=tcp}. DTLS ({@code turns:...?transport=udp}) is not supported.
 *
 * @param scheme lower-case scheme
 * @param host host name or IP literal, without brackets
 * @param port port
 * @param transport how to reach it
 */
public record TurnUrl(String scheme, String host, int port, Transport transport) {
    public TurnUrl {
        Objects.requireNonNull(scheme, "scheme");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(transport, "transport");
    }

    static final String EXPECTED = "expected turn:HOST[:PORT][?transport=udp|tcp], turns:HOST[:PORT], "
            + "stun:HOST[:PORT] or stuns:HOST[:PORT]";

    /**
     * Parses a URL.
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    public static TurnUrl parse(String text) {
        String s = text.trim();
        int colon = s.indexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("'" + text + "' is not a STUN/TURN URL; " + EXPECTED);
        }
        String scheme = s.substring(0, colon).toLowerCase(Locale.ROOT);
        boolean secure = scheme.equals("turns") || scheme.equals("stuns");
        if (!secure && !scheme.equals("turn") && !scheme.equals("stun")) {
            throw new IllegalArgumentException("unknown scheme '" + s.substring(0, colon) + "' in '" + text + "'; "
                    + EXPECTED);
        }
        String rest = s.substring(colon + 1);
        if (rest.startsWith("//")) {
            throw new IllegalArgumentException("'" + text + "': STUN/TURN URLs have no '//' (write "
                    + scheme + ":" + rest.substring(2) + ")");
        }
        String query = null;
        int q = rest.indexOf('?');
        if (q >= 0) {
            query = rest.substring(q + 1);
            rest = rest.substring(0, q);
        }
        String host;
        String portText = null;
        if (rest.startsWith("[")) {
            int close = rest.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("missing ']' in '" + text + "'");
            }
            host = rest.substring(1, close);
            String after = rest.substring(close + 1);
            if (!after.isEmpty()) {
                if (!after.startsWith(":")) {
                    throw new IllegalArgumentException("expected ':PORT' after ']' in '" + text + "'");
                }
                portText = after.substring(1);
            }
        } else {
            int c = rest.indexOf(':');
            if (c >= 0 && rest.indexOf(':', c + 1) >= 0) {
                throw new IllegalArgumentException("IPv6 addresses need brackets, e.g. turn:[2001:db8::1]:3478, in '"
                        + text + "'");
            }
            host = c >= 0 ? rest.substring(0, c) : rest;
            portText = c >= 0 ? rest.substring(c + 1) : null;
        }
        if (host.isEmpty() || !host.chars().allMatch(ch -> ch > 0x20 && ch < 0x7F && ch != '/' && ch != '@')) {
            throw new IllegalArgumentException("bad host in '" + text + "'");
        }
        int port = secure ? 5349 : 3478;
        if (portText != null) {
            if (portText.isEmpty() || portText.length() > 5 || !portText.chars().allMatch(ch -> ch >= '0' && ch <= '9')
                    || Integer.parseInt(portText) < 1 || Integer.parseInt(portText) > 65535) {
                throw new IllegalArgumentException("port must be 1..65535, got '" + portText + "' in '" + text + "'");
            }
            port = Integer.parseInt(portText);
        }
        Transport transport = secure ? Transport.TLS : Transport.UDP;
        if (query != null) {
            String t = query.toLowerCase(Locale.ROOT);
            if (t.equals("transport=tcp")) {
                transport = secure ? Transport.TLS : Transport.TCP;
            } else if (t.equals("transport=udp")) {
                if (secure) {
                    throw new IllegalArgumentException("'" + text + "' means DTLS, which turn-cli does not support");
                }
            } else {
                throw new IllegalArgumentException("unknown query '" + query + "' in '" + text
                        + "'; only ?transport=udp or ?transport=tcp");
            }
        }
        return new TurnUrl(scheme, host, port, transport);
    }

    /** True for {@code turn:} and {@code turns:}. */
    public boolean isTurn() {
        return scheme.startsWith("turn");
    }

    /** The server address, resolved now (host names through DNS); keeps the name for TLS. */
    public InetSocketAddress address() {
        return new InetSocketAddress(host, port);
    }

    /** Host with brackets around an IPv6 literal. */
    public String hostForUrl() {
        return host.indexOf(':') >= 0 ? "[" + host + "]" : host;
    }

    /** The canonical form: {@code turn:host:port?transport=udp}, {@code turns:host:port?transport=tcp}, ... */
    @Override
    public String toString() {
        String base = scheme + ":" + hostForUrl() + ":" + port;
        if (scheme.startsWith("turn") || transport == Transport.TCP) {
            return base + "?transport=" + (transport == Transport.UDP ? "udp" : "tcp");
        }
        return base;
    }
}
