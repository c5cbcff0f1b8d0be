package io.traverse.config;

import io.traverse.net.IpAddresses;
import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * The {@code drain} section: what SIGTERM does. New allocations are refused at once (300 with ALTERNATE-SERVER
 * when {@code alternate-server} is set, otherwise 508), /readyz turns false, and existing allocations keep
 * relaying until they end or the grace period passes; then the server exits.
 *
 * @param gracePeriod     how long existing allocations may go on relaying, 0s..1h
 * @param alternateServer where to send new clients while draining (an IP literal with port), or {@code null}
 */
public record DrainConfig(Duration gracePeriod, InetSocketAddress alternateServer) {

    public DrainConfig {
        Validator v = new Validator();
        if (v.notNull("grace-period", gracePeriod)) {
            if (gracePeriod.isNegative() || gracePeriod.compareTo(Duration.ofHours(1)) > 0) {
                v.add("grace-period", "must be between 0s and 1h, got " + Durations.format(gracePeriod));
            }
        }
        if (alternateServer != null && (alternateServer.isUnresolved() || alternateServer.getPort() == 0)) {
            v.add("alternate-server", "must be an IP address with a port, got " + alternateServer);
        }
        v.done();
    }

    /** 30 s grace, no alternate server. */
    public static DrainConfig defaults() {
        return new DrainConfig(Duration.ofSeconds(30), null);
    }

    /** Parses {@code 203.0.113.7:3478} or {@code [2001:db8::7]:3478}. */
    static InetSocketAddress parseAlternate(String text) {
        String host;
        String port;
        if (text.startsWith("[")) {
            int close = text.indexOf("]:");
            if (close < 0) {
                throw new IllegalArgumentException("expected [IPv6]:port, got '" + text + "'");
            }
            host = text.substring(1, close);
            port = text.substring(close + 2);
        } else {
            int colon = text.lastIndexOf(':');
            if (colon < 0 || text.indexOf(':') != colon) {
                throw new IllegalArgumentException("expected IPv4:port or [IPv6]:port, got '" + text + "'");
            }
            host = text.substring(0, colon);
            port = text.substring(colon + 1);
        }
        int p;
        try {
            p = Integer.parseInt(port);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad port in '" + text + "'");
        }
        if (p < 1 || p > 65535) {
            throw new IllegalArgumentException("port must be between 1 and 65535 in '" + text + "'");
        }
        return new InetSocketAddress(IpAddresses.parse(host), p);
    }
}
