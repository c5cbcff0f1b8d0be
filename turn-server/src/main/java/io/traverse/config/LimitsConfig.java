package io.traverse.config;

import java.time.Duration;

/**
 * The {@code limits} section: caps on what remote parties can make the server hold (connections, handshakes,
 * buffered bytes, RFC 6062 connects, DTLS associations). docs/security.md lists each with its metric.
 *
 * @param streams   TCP and TLS client connections
 * @param tcpRelay  RFC 6062 Connect requests
 * @param dtls      DTLS associations and handshakes
 */
public record LimitsConfig(Streams streams, TcpRelay tcpRelay, Dtls dtls) {

    public LimitsConfig {
        Validator v = new Validator();
        v.notNull("streams", streams);
        v.notNull("tcp-relay", tcpRelay);
        v.notNull("dtls", dtls);
        v.done();
    }

    /** Every limit at its default. */
    public static LimitsConfig defaults() {
        return new LimitsConfig(Streams.defaults(), TcpRelay.defaults(), Dtls.defaults());
    }

    /**
     * {@code limits.streams}: client TCP and TLS connections.
     *
     * @param maxConnections        open connections, all listeners together
     * @param maxConnectionsPerIp   open connections from one IPv4 address or one IPv6 /64
     * @param maxWithoutAllocation  open connections whose 5-tuple has no allocation yet
     * @param allocateWithin        a connection with no allocation this long after it opened is closed
     * @param maxTlsHandshakes      TLS handshakes in progress at once
     * @param writeBufferLow        bytes queued to a client below which reading from it resumes
     * @param writeBufferHigh       bytes queued to a client above which reading from it stops (and peer data
     *                              for it is dropped)
     * @param maxPendingBytes       bytes queued to a client above which the connection is closed
     */
    public record Streams(int maxConnections, int maxConnectionsPerIp, int maxWithoutAllocation,
            Duration allocateWithin, int maxTlsHandshakes, int writeBufferLow, int writeBufferHigh,
            int maxPendingBytes) {

        public Streams {
            Validator v = new Validator();
            v.atLeast("max-connections", maxConnections, 1);
            v.atLeast("max-connections-per-ip", maxConnectionsPerIp, 1);
            v.atLeast("max-without-allocation", maxWithoutAllocation, 1);
            v.duration("allocate-within", allocateWithin, Duration.ofMillis(1));
            v.atLeast("max-tls-handshakes", maxTlsHandshakes, 1);
            v.atLeast("write-buffer-low", writeBufferLow, 1024);
            if (writeBufferHigh <= writeBufferLow) {
                v.add("write-buffer-high", "must be above write-buffer-low (" + writeBufferLow + "), got "
                        + writeBufferHigh);
            }
            if (maxPendingBytes <= writeBufferHigh) {
                v.add("max-pending-bytes", "must be above write-buffer-high (" + writeBufferHigh + "), got "
                        + maxPendingBytes);
            }
            v.done();
        }

        /** 10000 connections, 100 per IP, 2000 without allocation, 30 s to allocate, 200 handshakes, 32/64 KiB, 1 MiB. */
        public static Streams defaults() {
            return new Streams(10_000, 100, 2_000, Duration.ofSeconds(30), 200, 32 * 1024, 64 * 1024, 1024 * 1024);
        }
    }

    /**
     * {@code limits.tcp-relay}: RFC 6062 Connect requests (each opens an outgoing TCP connection).
     *
     * @param connectsPerSecondPerAllocation Connect requests per second one allocation may make (burst: the same)
     * @param connectsPerSecond              Connect requests per second the whole server accepts (burst: the same)
     */
    public record TcpRelay(int connectsPerSecondPerAllocation, int connectsPerSecond) {

        public TcpRelay {
            Validator v = new Validator();
            v.atLeast("connects-per-second-per-allocation", connectsPerSecondPerAllocation, 1);
            v.atLeast("connects-per-second", connectsPerSecond, 1);
            v.done();
        }

        /** 10 per allocation, 500 server-wide. */
        public static TcpRelay defaults() {
            return new TcpRelay(10, 500);
        }
    }

    /**
     * {@code limits.dtls}: DTLS associations, per listener socket set.
     *
     * @param maxAssociations        established associations, all listeners together
     * @param maxAssociationsPerIp   established associations from one IPv4 address or one IPv6 /64
     * @param maxHandshakesPerIp     handshakes in progress from one IPv4 address or one IPv6 /64 (a share of the
     *                               handshake pool, so a few sources cannot take all of it)
     */
    public record Dtls(int maxAssociations, int maxAssociationsPerIp, int maxHandshakesPerIp) {

        public Dtls {
            Validator v = new Validator();
            v.atLeast("max-associations", maxAssociations, 1);
            v.atLeast("max-associations-per-ip", maxAssociationsPerIp, 1);
            v.atLeast("max-handshakes-per-ip", maxHandshakesPerIp, 1);
            v.done();
        }

        /** 10000 associations, 100 per IP, 4 handshakes per IP. */
        public static Dtls defaults() {
            return new Dtls(10_000, 100, 4);
        }
    }
}
