package io.traverse.transport;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.ChannelOption;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.epoll.EpollChannelOption;
import java.io.IOException;
import java.io.InputStream;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The socket options every UDP socket of the server gets, listener or relay: the read batch
 * ({@code recvmmsg} on epoll), {@code IPV6_V6ONLY} and the kernel buffers {@code SO_RCVBUF} / {@code SO_SNDBUF}.
 *
 * <p>The buffers matter more than anything else for loss: the kernel default (212 KiB, a few hundred small
 * datagrams) overflows during any pause of an event loop (GC, JIT, a burst) and the kernel then drops silently
 * (counted in {@code /proc/net/snmp} RcvbufErrors, exported as
 * {@link io.traverse.metrics.TraverseMetrics#UDP_KERNEL_ERRORS}). The kernel caps the value at
 * {@code net.core.rmem_max} / {@code wmem_max}; {@link #warnIfKernelCaps(int)} says so once at start.
 */
public final class DatagramSockets {
    private static final Logger LOG = LoggerFactory.getLogger(DatagramSockets.class);
    private static final Path SYSCTL = Path.of("/proc/sys/net/core");

    private DatagramSockets() {}

    /**
     * Applies the options of a relay socket that is a Netty channel to {@code b}, for a socket bound to {@code ip}
     * (on epoll relay sockets are {@link EpollRelaySocket}s; this is the path of any other loop). Its read buffer
     * adapts (Netty's {@link AdaptiveRecvByteBufAllocator}): one datagram's size while reads stay small, growing to
     * a batch of {@link Listeners#DATAGRAMS_PER_READ} when the reads fill it (a busy peer).
     */
    static Bootstrap configure(Bootstrap b, IoTransport io, InetAddress ip, int socketBuffer) {
        return configure(b, io, ip, socketBuffer, new AdaptiveRecvByteBufAllocator(Listeners.MAX_DATAGRAM,
                Listeners.MAX_DATAGRAM, Listeners.MAX_DATAGRAM * Listeners.DATAGRAMS_PER_READ));
    }

    /**
     * Applies the options of a listener socket to {@code b}: every client of the loop sends to it, so it always
     * reads batches of {@link Listeners#DATAGRAMS_PER_READ} datagrams with one {@code recvmmsg} on epoll.
     */
    static Bootstrap configureListener(Bootstrap b, IoTransport io, InetAddress ip, int socketBuffer) {
        return configure(b, io, ip, socketBuffer,
                new FixedRecvByteBufAllocator(Listeners.MAX_DATAGRAM * Listeners.DATAGRAMS_PER_READ));
    }

    private static Bootstrap configure(Bootstrap b, IoTransport io, InetAddress ip, int socketBuffer,
            RecvByteBufAllocator reads) {
        b.option(ChannelOption.SO_RCVBUF, socketBuffer)
                .option(ChannelOption.SO_SNDBUF, socketBuffer);
        if (io == IoTransport.EPOLL) {
            b.option(EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, Listeners.MAX_DATAGRAM)
                    .option(ChannelOption.RECVBUF_ALLOCATOR, reads);
            if (ip instanceof Inet6Address) {
                b.option(IoTransport.IPV6_V6ONLY, 1);
            }
        } else {
            b.option(ChannelOption.RECVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(65536));
        }
        return b;
    }

    /**
     * Logs one warning when the kernel caps a socket buffer of {@code largest} bytes below that size, naming
     * the sysctl to raise. Silent where {@code /proc/sys/net/core} cannot be read (not Linux).
     */
    public static void warnIfKernelCaps(int largest) {
        long rmemMax = readSysctl("rmem_max");
        long wmemMax = readSysctl("wmem_max");
        kernelCapWarning(largest, rmemMax, wmemMax).ifPresent(LOG::warn);
    }

    /**
     * The warning for socket buffers of {@code requested} bytes under the caps {@code rmemMax} and
     * {@code wmemMax} (negative: unknown), or empty when neither cap bites.
     */
    static Optional<String> kernelCapWarning(int requested, long rmemMax, long wmemMax) {
        List<String> raise = new ArrayList<>();
        List<String> now = new ArrayList<>();
        if (rmemMax >= 0 && rmemMax < requested) {
            raise.add("net.core.rmem_max=" + requested);
            now.add("net.core.rmem_max is " + rmemMax);
        }
        if (wmemMax >= 0 && wmemMax < requested) {
            raise.add("net.core.wmem_max=" + requested);
            now.add("net.core.wmem_max is " + wmemMax);
        }
        if (raise.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of("UDP socket buffers of " + requested + " bytes are capped by the kernel ("
                + String.join(", ", now) + "): bursts may be dropped (metric traverse_udp_kernel_errors). Raise with"
                + " `sysctl -w " + String.join(" ", raise) + "` and persist it in /etc/sysctl.d/ (see"
                + " docs/operations.md)");
    }

    /** Reads with a stream: {@code Files.readString} trusts the size that /proc reports and returns one byte. */
    private static long readSysctl(String name) {
        try (InputStream in = Files.newInputStream(SYSCTL.resolve(name))) {
            return Long.parseLong(new String(in.readAllBytes(), StandardCharsets.US_ASCII).trim());
        } catch (IOException | NumberFormatException | SecurityException e) {
            return -1;
        }
    }
}
