package io.traverse.config;

import io.traverse.net.IpAddresses;
import io.traverse.turn.TransportProtocol;
import java.net.InetAddress;
import java.util.Locale;

/**
 * One client-facing listener ({@code listeners[]}). In the file either a mapping
 * {@code {protocol: udp, address: 0.0.0.0, port: 3478}} or a URI string {@code udp://0.0.0.0:3478},
 * {@code tcp://[::]:3478} (see {@link #parse(String)}).
 *
 * @param protocol transport
 * @param address  local IP address to bind; {@code 0.0.0.0} / {@code ::} for all addresses of a family
 * @param port     local port 0..65535; 0 binds an ephemeral port (tests)
 * @param socketBuffer SO_RCVBUF and SO_SNDBUF of a UDP or DTLS listener's sockets in bytes
 *                 ({@link RelayConfig#MIN_SOCKET_BUFFER}..{@link RelayConfig#MAX_SOCKET_BUFFER}), or 0 for
 *                 {@code relay.socket-buffer}; only in the mapping form, and not for TCP/TLS
 */
public record ListenerConfig(TransportProtocol protocol, InetAddress address, int port, int socketBuffer) {

    /** A listener with the default socket buffer ({@code relay.socket-buffer}). */
    public ListenerConfig(TransportProtocol protocol, InetAddress address, int port) {
        this(protocol, address, port, 0);
    }

    public ListenerConfig {
        Validator v = new Validator();
        v.notNull("protocol", protocol);
        v.unicast("address", address);
        v.range("port", port, 0, 65535);
        if (socketBuffer != 0) {
            v.range("socket-buffer", socketBuffer, RelayConfig.MIN_SOCKET_BUFFER, RelayConfig.MAX_SOCKET_BUFFER);
            if (protocol != null && protocol.isStream()) {
                v.add("socket-buffer", "applies to udp and dtls listeners only, got " + protocol.configName());
            }
        }
        v.done();
    }

    /**
     * Parses the string form {@code scheme://address[:port]}: scheme {@code udp|tcp|tls|dtls}, an IP
     * literal (IPv6 in brackets), optional port (default {@link TransportProtocol#defaultPort()}).
     *
     * @throws IllegalArgumentException naming the problem
     */
    public static ListenerConfig parse(String uri) {
        String s = uri.trim();
        int sep = s.indexOf("://");
        if (sep <= 0) {
            throw new IllegalArgumentException(
                    "must be a listener such as udp://0.0.0.0:3478 or tcp://[::]:3478, got \"" + uri + "\"");
        }
        String scheme = s.substring(0, sep).toLowerCase(Locale.ROOT);
        TransportProtocol protocol = null;
        for (TransportProtocol p : TransportProtocol.values()) {
            if (p.configName().equals(scheme)) {
                protocol = p;
            }
        }
        if (protocol == null) {
            throw new IllegalArgumentException("unknown protocol \"" + s.substring(0, sep)
                    + "\" in \"" + uri + "\"; expected udp, tcp, tls or dtls");
        }
        String rest = s.substring(sep + 3);
        String host;
        String portText = null;
        if (rest.startsWith("[")) {
            int close = rest.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("missing ] in \"" + uri + "\"");
            }
            host = rest.substring(0, close + 1);
            String after = rest.substring(close + 1);
            if (!after.isEmpty()) {
                if (!after.startsWith(":")) {
                    throw new IllegalArgumentException("expected :port after ] in \"" + uri + "\"");
                }
                portText = after.substring(1);
            }
        } else {
            int colon = rest.indexOf(':');
            if (colon >= 0 && rest.indexOf(':', colon + 1) >= 0) {
                throw new IllegalArgumentException("IPv6 addresses must be in brackets, e.g. tcp://[::]:3478, got \""
                        + uri + "\"");
            }
            host = colon >= 0 ? rest.substring(0, colon) : rest;
            portText = colon >= 0 ? rest.substring(colon + 1) : null;
        }
        InetAddress address = IpAddresses.parse(host);
        int port = protocol.defaultPort();
        if (portText != null) {
            if (portText.isEmpty() || portText.length() > 5 || !portText.chars().allMatch(c -> c >= '0' && c <= '9')) {
                throw new IllegalArgumentException("port must be a number between 0 and 65535, got \"" + portText
                        + "\" in \"" + uri + "\"");
            }
            port = Integer.parseInt(portText);
        }
        try {
            return new ListenerConfig(protocol, address, port);
        } catch (InvalidConfigException e) {
            throw new IllegalArgumentException(e.oneLine() + " in \"" + uri + "\"", e);
        }
    }

    /** {@code udp://0.0.0.0:3478}, {@code tcp://[::]:3478}: the string form, accepted by {@link #parse}. */
    public String uri() {
        return protocol.configName() + "://" + IpAddresses.formatForUri(address) + ":" + port;
    }

    /** Same as {@link #uri()}. */
    @Override
    public String toString() {
        return uri();
    }
}
