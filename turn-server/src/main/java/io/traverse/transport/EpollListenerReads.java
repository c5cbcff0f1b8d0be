package io.traverse.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.IoEvent;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoEvent;
import io.netty.channel.epoll.EpollIoHandle;
import io.netty.channel.epoll.EpollIoOps;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.channel.unix.FileDescriptor;
import io.netty.channel.unix.Socket;
import io.netty.util.concurrent.FastThreadLocal;
import io.netty.util.concurrent.Future;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The reads of a UDP listener socket on an epoll loop, taken off its Netty channel. Netty's datagram read makes, per
 * datagram, a sliced buffer, the sender's {@code InetSocketAddress} with its {@code InetAddress}, a
 * {@code DatagramPacket} and a pipeline pass, and its edge-triggered loop pays a {@code recvmmsg} that only learns
 * EAGAIN (plus the {@code getsockopt} Netty's native {@code recvmmsg} makes on every call) after each batch. Here:
 *
 * <ul>
 *   <li>Level-triggered {@code EPOLLIN}; each wake-up reads batches of up to {@link #BATCH} datagrams with one
 *       {@code recvmmsg} ({@link NativeDatagrams}) into one reused buffer of {@link Listeners#MAX_DATAGRAM}-byte
 *       slots, and stops at a short batch: what arrives later wakes the loop again.</li>
 *   <li>Each datagram is handed on as that buffer with its indices set to the datagram, no slice; the sender comes
 *       from {@link Senders}, a fixed table that keeps the address object of each recent sender, so a client's
 *       address is made once, not per datagram.</li>
 *   <li>After each batch {@link Datagrams#endOfBatch()} sends what the batch gave the relay sockets, which releases
 *       their references to the buffer; it is then read into again (a new one if something kept a reference).</li>
 * </ul>
 *
 * The channel stays the listener for everything else: STUN responses and relayed datagrams are written to its
 * socket, RFC 5780 and the drain know the listener by it, and closing it closes these reads. Its own reads are off
 * ({@code autoRead} false). Both are registered with the same epoll instance, which takes one registration per
 * descriptor, so the reads use a second descriptor of the same socket: {@link #duplicate} passes the channel's
 * descriptor to this process over a Unix socket ({@code SCM_RIGHTS}), the one way to {@code dup} with Netty's
 * native calls. Where that is not possible the channel keeps reading as before, logged once.
 *
 * <p>Created and used on the channel's loop only.
 */
final class EpollListenerReads implements EpollIoHandle {
    private static final Logger LOG = LoggerFactory.getLogger(EpollListenerReads.class);
    /** Datagrams per {@code recvmmsg}: the batch Netty's read of the listener used ({@link Listeners}). */
    static final int BATCH = Listeners.DATAGRAMS_PER_READ;
    /** Batches per wake-up at most: the other sockets of the loop get their turn; the rest wakes the loop again. */
    static final int BATCHES_PER_WAKE = 8;
    private static final int SLOT = Listeners.MAX_DATAGRAM;

    /** Where the datagrams go: the listener's handler. */
    interface Datagrams {
        /** One datagram from {@code sender}: {@code content}'s readable bytes, valid during the call only. */
        void datagram(ByteBuf content, InetSocketAddress sender);

        /** The end of a batch: what the batch gave the relay sockets leaves now. */
        void endOfBatch();

        /** The end of a wake-up's reads. */
        void endOfReads();
    }

    private static final FastThreadLocal<NativeDatagrams.PacketArray> PACKETS = NativeDatagrams.perThread();
    private static volatile boolean unavailableLogged;

    private final EpollDatagramChannel channel;
    private final Socket fd;
    private final boolean ipv6;
    private final Datagrams sink;
    private final Senders senders = new Senders();
    private IoRegistration registration;
    private ByteBuf buffer;
    private boolean closed;

    private EpollListenerReads(EpollDatagramChannel channel, Socket fd, Datagrams sink) {
        this.channel = channel;
        this.fd = fd;
        this.ipv6 = ((InetSocketAddress) channel.localAddress()).getAddress() instanceof Inet6Address;
        this.sink = sink;
    }

    /**
     * Takes over the reads of {@code channel} (active, on its loop) when it is an epoll datagram channel and
     * Netty's batched calls are reachable: its {@code autoRead} goes off and {@code sink} gets its datagrams until
     * it closes. Returns null, and the channel reads as before, when that is not possible.
     */
    static EpollListenerReads start(io.netty.channel.Channel channel, Datagrams sink) {
        if (!NativeDatagrams.AVAILABLE || !(channel instanceof EpollDatagramChannel epoll)
                || !(channel.eventLoop() instanceof IoEventLoop loop) || !loop.isCompatible(EpollListenerReads.class)) {
            return null;
        }
        Socket copy;
        try {
            copy = duplicate(epoll.fd());
        } catch (IOException | RuntimeException e) {
            if (!unavailableLogged) {
                unavailableLogged = true;
                LOG.info("UDP listeners read through Netty's channel: no second descriptor of the socket ({})",
                        e.toString());
            }
            return null;
        }
        EpollListenerReads reads = new EpollListenerReads(epoll, copy, sink);
        channel.config().setAutoRead(false);
        loop.register(reads).addListener((Future<IoRegistration> f) -> {
            if (!f.isSuccess()) {
                LOG.info("UDP listener {} reads through Netty's channel: {}", channel.localAddress(),
                        f.cause().toString());
                reads.closeDescriptor();
                channel.config().setAutoRead(true);
                return;
            }
            reads.registration = f.getNow();
            if (!channel.isOpen()) {
                reads.close();
                return;
            }
            try {
                reads.registration.submit(EpollIoOps.EPOLLIN);
            } catch (Exception e) {
                reads.close();
                channel.config().setAutoRead(true);
            }
        });
        channel.closeFuture().addListener(f -> reads.close());
        return reads;
    }

    /**
     * A second descriptor of {@code fd}'s socket: Netty's native calls have no {@code dup}, but they can pass a
     * descriptor over a Unix socket ({@code SCM_RIGHTS}), and what arrives is a duplicate. A Unix datagram socket
     * bound to a path in a new private temporary directory, removed before this returns.
     */
    static Socket duplicate(FileDescriptor fd) throws IOException {
        Path dir = Files.createTempDirectory("traverse-fd");
        Path path = dir.resolve("s");
        Socket receiver = null;
        Socket sender = null;
        try {
            receiver = Socket.newSocketDomainDgram();
            receiver.bind(new DomainSocketAddress(path.toString()));
            sender = Socket.newSocketDomainDgram();
            sender.connect(new DomainSocketAddress(path.toString()));
            sender.sendFd(fd.intValue());
            int copy = receiver.recvFd();
            if (copy <= 0) {
                throw new IOException("no descriptor arrived over the Unix socket (" + copy + ")");
            }
            return new Socket(copy);
        } finally {
            EpollRelaySocket.closeQuietly(sender);
            EpollRelaySocket.closeQuietly(receiver);
            Files.deleteIfExists(path);
            Files.deleteIfExists(dir);
        }
    }

    @Override
    public FileDescriptor fd() {
        return fd;
    }

    @Override
    public void handle(IoRegistration registration, IoEvent event) {
        EpollIoOps ops = ((EpollIoEvent) event).ops();
        if (ops.contains(EpollIoOps.EPOLLERR)) {
            // An error the kernel queued on the socket: reading it clears it (else level-triggered epoll repeats it).
            try {
                int error = fd.getSoError();
                if (error != 0) {
                    LOG.debug("UDP listener {}: error {}", channel.localAddress(), error);
                }
            } catch (IOException e) {
                LOG.debug("UDP listener {}: {}", channel.localAddress(), e.toString());
            }
        }
        if (ops.contains(EpollIoOps.EPOLLIN)) {
            read();
        }
    }

    private void read() {
        NativeDatagrams.PacketArray packets = PACKETS.get();
        try {
            for (int batch = 0; batch < BATCHES_PER_WAKE && !closed; batch++) {
                ByteBuf buf = buffer;
                if (buf == null) {
                    buf = channel.alloc().directBuffer(BATCH * SLOT, BATCH * SLOT);
                    buffer = buf;
                }
                packets.clear();
                for (int i = 0; i < BATCH; i++) {
                    packets.add(buf, i * SLOT, SLOT, null);
                }
                int n = packets.recvmmsg(fd.intValue(), ipv6);
                if (n <= 0) {
                    if (n != NativeDatagrams.EAGAIN && n != 0) {
                        // As Netty's read did: a socket error (nothing was read) is logged, the listener stays.
                        LOG.debug("UDP listener {}: read failed: errno {}", channel.localAddress(), -n);
                    }
                    break;
                }
                for (int i = 0; i < n; i++) {
                    int start = i * SLOT;
                    buf.setIndex(start, start + packets.received(i));
                    try {
                        sink.datagram(buf, senders.sender(packets, i));
                    } catch (RuntimeException e) {
                        // What Netty's pipeline did with an exception of a handler: log it, keep the listener.
                        LOG.debug("UDP listener {}: {}", channel.localAddress(), e.toString());
                    }
                }
                sink.endOfBatch();
                if (buf.refCnt() != 1) {
                    // Something kept a reference to a datagram: the next batch reads into a buffer of its own.
                    buf.release();
                    buffer = null;
                }
                if (n < BATCH) {
                    break;
                }
            }
        } finally {
            packets.clear();
            sink.endOfReads();
        }
    }

    /** Whether the reads stopped (the channel closed). */
    boolean isClosed() {
        return closed;
    }

    /** Stops the reads and closes the second descriptor: when the channel closes, or the loop shuts down. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (registration != null) {
            registration.cancel();
        }
        closeDescriptor();
        if (buffer != null) {
            buffer.release();
            buffer = null;
        }
    }

    private void closeDescriptor() {
        try {
            fd.close();
        } catch (IOException e) {
            LOG.debug("UDP listener {}: {}", channel.localAddress(), e.toString());
        }
    }

    /**
     * The address objects of recent senders, found by their address bits and port: a fixed table of {@link #SIZE}
     * entries in sets of two; a sender is kept in the set its bits and port pick, and a third sender of a set takes
     * the place of the older of the two, whose next datagram then gets a new object. The relay looks allocations up
     * by these objects, so one per client saves making one (and hashing it) per datagram; a fixed size bounds what
     * any number of senders can make it hold. The set is the address's hash plus the port, so up to {@link #SIZE}
     * ports of one address (clients behind one NAT) never evict each other; two entries per set keep two clients
     * whose hashes meet from evicting each other on every datagram (with one, 100 clients had ~5 such pairs).
     */
    static final class Senders {
        static final int SIZE = 1024;
        private static final int SETS = SIZE / 2;
        private final long[] hi = new long[SIZE];
        private final long[] lo = new long[SIZE];
        private final InetSocketAddress[] address = new InetSocketAddress[SIZE];

        /** Datagram {@code i}'s sender (after {@code recvmmsg}). */
        InetSocketAddress sender(NativeDatagrams.PacketArray packets, int i) {
            long senderHi = packets.senderHi(i);
            long senderLo = packets.senderLo(i);
            int port = packets.senderPort(i);
            InetSocketAddress known = find(senderHi, senderLo, port);
            if (known != null) {
                return known;
            }
            InetSocketAddress made = packets.sender(i);
            put(senderHi, senderLo, port, made);
            return made;
        }

        /** The object kept for this sender, or null. */
        InetSocketAddress find(long senderHi, long senderLo, int port) {
            int e = 2 * set(senderHi, senderLo, port);
            if (matches(e, senderHi, senderLo, port)) {
                return address[e];
            }
            return matches(e + 1, senderHi, senderLo, port) ? address[e + 1] : null;
        }

        private boolean matches(int e, long senderHi, long senderLo, int port) {
            InetSocketAddress known = address[e];
            return known != null && lo[e] == senderLo && hi[e] == senderHi && known.getPort() == port;
        }

        /**
         * Keeps {@code sender} (not kept yet) in its set: the newer place, the entry there moving to the older place
         * unless that one is free.
         */
        void put(long senderHi, long senderLo, int port, InetSocketAddress sender) {
            int e = 2 * set(senderHi, senderLo, port);
            if (address[e] != null) {
                hi[e + 1] = hi[e];
                lo[e + 1] = lo[e];
                address[e + 1] = address[e];
            }
            hi[e] = senderHi;
            lo[e] = senderLo;
            address[e] = sender;
        }

        static int set(long hi, long lo, int port) {
            long h = (hi * 0x9E3779B97F4A7C15L) ^ lo;
            h *= 0xBF58476D1CE4E5B9L;
            h ^= h >>> 31;
            return ((int) (h >>> 32) + port) & (SETS - 1);
        }
    }
}
