package io.traverse.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.EventLoop;
import io.netty.channel.IoEvent;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.EpollIoEvent;
import io.netty.channel.epoll.EpollIoHandle;
import io.netty.channel.epoll.EpollIoOps;
import io.netty.channel.unix.DatagramSocketAddress;
import io.netty.channel.unix.FileDescriptor;
import io.netty.channel.unix.Socket;
import io.netty.util.concurrent.FastThreadLocal;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.traverse.metrics.TraverseMetrics;
import io.traverse.metrics.TraverseMetrics.DropReason;
import io.traverse.stun.codec.ChannelData;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A UDP relay socket registered directly with an epoll event loop, without a Netty channel: no pipeline, promise,
 * outbound buffer or read-allocation handle per allocation, and per datagram only what relaying needs.
 *
 * <ul>
 *   <li><b>Peer → client</b>: level-triggered {@code EPOLLIN}; each wake-up reads at most {@link #READS_PER_WAKE}
 *       datagrams with {@code recvmsg} ({@link NativeDatagrams}; {@code recvfrom} without it), each into a pooled
 *       buffer with {@link #HEADROOM} bytes free in front, so {@link PeerToClient} turns it into ChannelData in place.
 *       The peer arrives as address bits and becomes an object only when it differs from the last peer's
 *       ({@link #sender}). Level-triggered: a socket a quiet peer wakes costs one system call, not a second one that
 *       only learns EAGAIN; what is left is reported again by the next {@code epoll_wait}.</li>
 *   <li><b>Client → peer</b>: {@link #send} keeps a reference to the client's frame (no slice, no packet object);
 *       {@link #flush()}, at the end of the listener's read batch, sends them with one {@code sendmmsg} straight
 *       from the frames' memory ({@link NativeDatagrams}; a {@code sendto} each without it). A full send buffer
 *       (EAGAIN) drops the datagram, as the network would: UDP is not queued in user space.</li>
 * </ul>
 *
 * Created and used on its event loop only; {@link #close()} from another thread hands the close to the loop.
 */
final class EpollRelaySocket implements RelayEndpoint, EpollIoHandle {
    private static final Logger LOG = LoggerFactory.getLogger(EpollRelaySocket.class);
    /** Room in front of each datagram read: a ChannelData header, written there in place. */
    static final int HEADROOM = ChannelData.HEADER_LENGTH;
    /** Headroom, the largest datagram relayed, one byte to see a larger one, and padding for a stream client. */
    private static final int READ_BUFFER = HEADROOM + Listeners.MAX_DATAGRAM + 1 + 3;
    /** Datagrams read per wake-up at most; more wait for the next round of the loop. */
    static final int READS_PER_WAKE = 1;
    /** Sends queued before a flush at most; past it the queue is sent at once. */
    private static final int MAX_PENDING = 64;
    private static final int IPPROTO_IP = 0;
    private static final int IPPROTO_IPV6 = 41;
    private static final int IP_MTU_DISCOVER = 10;
    private static final int IPV6_MTU_DISCOVER = 23;
    private static final int IPV6_V6ONLY = 26;
    private static final int PMTUDISC_DO = 2;

    private final EventLoop loop;
    private final RelayFd socket;
    private final int port;
    private final boolean ipv6;
    private final TraverseMetrics metrics;
    private IoRegistration registration;
    private PeerToClient target;
    private ByteBufAllocator alloc = ByteBufAllocator.DEFAULT;
    private boolean closed;
    private boolean dirty;
    /** Datagrams waiting for {@link #flush}; created with the first send (an idle socket has none). */
    private Pending pending;
    /** The peer of the last datagram read and its address bits ({@link #sender}). */
    private InetSocketAddress lastPeer;
    private long lastPeerHi;
    private long lastPeerLo;

    /** The descriptors {@code sendmmsg} sends from, one array per event loop. */
    private static final FastThreadLocal<NativeDatagrams.PacketArray> SEND_PACKETS = NativeDatagrams.perThread();

    /** The descriptor {@code recvmsg} reads into, one per event loop. */
    private static final FastThreadLocal<NativeDatagrams.PacketArray> READ_PACKET = NativeDatagrams.perThread();

    /** The datagrams of one read batch of the listener, sent at its end. */
    private static final class Pending {
        int count;
        ByteBuf[] data = new ByteBuf[4];
        int[] index = new int[4];
        int[] length = new int[4];
        InetSocketAddress[] peer = new InetSocketAddress[4];

        void grow() {
            int size = count * 2;
            data = Arrays.copyOf(data, size);
            index = Arrays.copyOf(index, size);
            length = Arrays.copyOf(length, size);
            peer = Arrays.copyOf(peer, size);
        }
    }

    private EpollRelaySocket(EventLoop loop, RelayFd socket, int port, boolean ipv6, TraverseMetrics metrics) {
        this.loop = loop;
        this.socket = socket;
        this.port = port;
        this.ipv6 = ipv6;
        this.metrics = metrics;
    }

    /**
     * Opens a socket bound to {@code address} and registers it with {@code loop}; it reads and drops until
     * {@link #claim}ed. Call on {@code loop}. Fails with the bind's error (EADDRINUSE: {@link
     * RelaySockets#addressInUse}) or the socket's (EMFILE, ...); nothing is left open then.
     */
    static Future<RelayEndpoint> open(EventLoop loop, InetSocketAddress address, int socketBuffer,
            TraverseMetrics metrics) {
        boolean ipv6 = address.getAddress() instanceof Inet6Address;
        RelayFd fd = null;
        try {
            fd = RelayFd.open(ipv6);
            fd.setReceiveBufferSize(socketBuffer);
            fd.setSendBufferSize(socketBuffer);
            if (ipv6) {
                fd.setIntOpt(IPPROTO_IPV6, IPV6_V6ONLY, 1);
            }
            fd.bind(address);
        } catch (IOException | RuntimeException e) {
            closeQuietly(fd);
            return loop.newFailedFuture(e);
        }
        int port = address.getPort() != 0 ? address.getPort() : fd.localAddress().getPort();
        EpollRelaySocket relay = new EpollRelaySocket(loop, fd, port, ipv6, metrics);
        Promise<RelayEndpoint> promise = loop.newPromise();
        ((IoEventLoop) loop).register(relay).addListener((Future<IoRegistration> f) -> {
            if (!f.isSuccess()) {
                closeQuietly(relay.socket);
                promise.setFailure(f.cause());
                return;
            }
            relay.registration = f.getNow();
            try {
                relay.registration.submit(EpollIoOps.EPOLLIN);
                promise.setSuccess(relay);
            } catch (Exception e) {
                relay.close();
                promise.setFailure(e);
            }
        });
        return promise;
    }

    /** Whether {@code loop} can carry these sockets (an epoll loop of Netty 4.2). */
    static boolean supports(EventLoop loop) {
        return loop instanceof IoEventLoop io && io.isCompatible(EpollRelaySocket.class);
    }

    /** Closes a descriptor nothing was registered with or depends on; the descriptor is gone either way. */
    static void closeQuietly(FileDescriptor fd) {
        if (fd != null) {
            try {
                fd.close();
            } catch (IOException ignored) {
                // nothing to do: see above
            }
        }
    }

    @Override
    public FileDescriptor fd() {
        return socket;
    }

    @Override
    public int port() {
        return port;
    }

    @Override
    public boolean isOpen() {
        return !closed;
    }

    @Override
    public void claim(RelaySession session, PeerToClient target, boolean dontFragment) {
        if (dontFragment) {
            try {
                if (ipv6) {
                    socket.setIntOpt(IPPROTO_IPV6, IPV6_MTU_DISCOVER, PMTUDISC_DO);
                } else {
                    socket.setIntOpt(IPPROTO_IP, IP_MTU_DISCOVER, PMTUDISC_DO);
                }
            } catch (IOException e) {
                LOG.debug("relay socket {}: DONT-FRAGMENT not set: {}", port, e.toString());
            }
        }
        this.alloc = session.link().channel().alloc();
        this.target = target;
    }

    @Override
    public void handle(IoRegistration registration, IoEvent event) {
        EpollIoOps ops = ((EpollIoEvent) event).ops();
        if (ops.contains(EpollIoOps.EPOLLERR)) {
            // An error the kernel queued on the socket (an ICMP error for an earlier send): reading it clears it.
            try {
                int error = socket.getSoError();
                if (error != 0) {
                    metrics.dropped(DropReason.RELAY_SOCKET_ERROR);
                    LOG.debug("relay socket {}: error {}", port, error);
                }
            } catch (IOException e) {
                LOG.debug("relay socket {}: {}", port, e.toString());
            }
        }
        if (ops.contains(EpollIoOps.EPOLLIN)) {
            read();
        }
    }

    private void read() {
        ByteBuf buf = null;
        try {
            for (int i = 0; i < READS_PER_WAKE && !closed; i++) {
                if (buf == null) {
                    buf = alloc.directBuffer(READ_BUFFER, READ_BUFFER);
                }
                InetSocketAddress from;
                int length;
                if (NativeDatagrams.AVAILABLE) {
                    NativeDatagrams.PacketArray packet = READ_PACKET.get();
                    packet.clear();
                    packet.add(buf, HEADROOM, Listeners.MAX_DATAGRAM + 1, null);
                    length = packet.recvmsg(socket.intValue(), ipv6);
                    if (length < 0) {
                        if (length != NativeDatagrams.EAGAIN) {
                            metrics.dropped(DropReason.RELAY_SOCKET_ERROR);
                            LOG.debug("relay socket {}: read failed: errno {}", port, -length);
                        }
                        break; // EAGAIN: nothing more
                    }
                    from = sender(packet);
                } else {
                    DatagramSocketAddress read = buf.hasMemoryAddress()
                            ? socket.recvFromAddress(buf.memoryAddress(), HEADROOM,
                                    HEADROOM + Listeners.MAX_DATAGRAM + 1)
                            : socket.recvFrom(buf.internalNioBuffer(0, READ_BUFFER), HEADROOM,
                                    HEADROOM + Listeners.MAX_DATAGRAM + 1);
                    if (read == null) {
                        break; // EAGAIN: nothing more
                    }
                    from = read;
                    length = read.receivedAmount();
                }
                if (target == null) {
                    metrics.dropped(DropReason.NO_ALLOCATION); // not claimed yet: belongs to no allocation
                    continue;
                }
                if (length > Listeners.MAX_DATAGRAM) {
                    metrics.dropped(DropReason.ENCODE_FAILED); // larger than the server relays
                    continue;
                }
                buf.setIndex(HEADROOM, HEADROOM + length);
                ByteBuf datagram = buf;
                buf = null;
                target.relay(datagram, from);
            }
        } catch (IOException | RuntimeException e) {
            metrics.dropped(DropReason.RELAY_SOCKET_ERROR);
            LOG.debug("relay socket {}: read failed: {}", port, e.toString());
        } finally {
            if (buf != null) {
                buf.release();
            }
        }
        if (target != null) {
            target.endOfBatch();
        }
    }

    /**
     * The sender of the datagram just read: the object made for the last peer when it sent again (an allocation
     * mostly hears from one peer), else a new one, kept for the next datagram.
     */
    private InetSocketAddress sender(NativeDatagrams.PacketArray packet) {
        long hi = packet.senderHi();
        long lo = packet.senderLo();
        int senderPort = packet.senderPort();
        InetSocketAddress last = lastPeer;
        if (last != null && lastPeerLo == lo && lastPeerHi == hi && last.getPort() == senderPort) {
            return last;
        }
        InetSocketAddress sender = packet.sender();
        lastPeer = sender;
        lastPeerHi = hi;
        lastPeerLo = lo;
        return sender;
    }

    @Override
    public boolean send(ByteBuf data, int index, int length, InetSocketAddress peer) {
        if (closed) {
            metrics.dropped(DropReason.NO_ALLOCATION);
            return false;
        }
        Pending p = pending;
        if (p == null) {
            p = new Pending();
            pending = p;
        } else if (p.count == p.data.length) {
            if (p.count >= MAX_PENDING) {
                sendPending();
            } else {
                p.grow();
            }
        }
        int i = p.count;
        if (data.hasMemoryAddress() || data.isDirect()) {
            p.data[i] = data.retain();
        } else {
            // A frame in a heap buffer (DTLS decrypts into byte arrays): sendto needs native memory.
            p.data[i] = alloc.directBuffer(length).writeBytes(data, index, length);
            index = 0;
        }
        p.index[i] = index;
        p.length[i] = length;
        p.peer[i] = peer;
        p.count = i + 1;
        boolean first = !dirty;
        dirty = true;
        return first;
    }

    @Override
    public void flush() {
        dirty = false;
        sendPending();
    }

    private void sendPending() {
        Pending p = pending;
        if (p == null || p.count == 0) {
            return;
        }
        if (NativeDatagrams.AVAILABLE) {
            sendBatch(p);
        } else {
            for (int i = 0; i < p.count; i++) {
                sendOne(p.data[i], p.index[i], p.length[i], p.peer[i]);
            }
        }
        for (int i = 0; i < p.count; i++) {
            p.data[i].release();
            p.data[i] = null;
            p.peer[i] = null;
        }
        p.count = 0;
    }

    /**
     * The queue with {@code sendmmsg}: usually one datagram, several when a client's read batch held more than one
     * frame for this allocation; what the kernel refuses is counted as {@link NativeDatagrams.PacketArray#sendAll}
     * says. An empty datagram (ChannelData without data) goes with {@code sendto}.
     */
    private void sendBatch(Pending p) {
        NativeDatagrams.PacketArray out = SEND_PACKETS.get();
        out.clear();
        for (int i = 0; i < p.count; i++) {
            if (!out.add(p.data[i], p.index[i], p.length[i], p.peer[i])) {
                sendOne(p.data[i], p.index[i], p.length[i], p.peer[i]); // empty (MAX_PENDING < the array's size)
            }
        }
        out.sendAll(socket.intValue(), ipv6, metrics, DropReason.RELAY_SOCKET_ERROR, this);
        out.clear();
    }

    /** One datagram with {@code sendto}. */
    private void sendOne(ByteBuf data, int index, int length, InetSocketAddress peer) {
        try {
            int end = index + length;
            int sent = data.hasMemoryAddress()
                    ? socket.sendToAddress(data.memoryAddress(), index, end, peer.getAddress(), peer.getPort())
                    : socket.sendTo(data.internalNioBuffer(0, data.capacity()), index, end, peer.getAddress(),
                            peer.getPort());
            if (sent == 0 && length > 0) {
                // EAGAIN: the socket's send buffer is full; UDP is not queued here
                metrics.dropped(DropReason.RELAY_SOCKET_ERROR);
            }
        } catch (IOException | RuntimeException e) {
            // ENETUNREACH, EPERM (a firewall), EMSGSIZE (DONT-FRAGMENT): one peer says nothing about the others
            metrics.dropped(DropReason.RELAY_SOCKET_ERROR);
            LOG.debug("relay socket {}: send to {} failed: {}", port, peer, e.toString());
        }
    }

    /**
     * Closes the socket on its loop: called from another thread (an allocation deleted through the admin API, say),
     * the close runs as a task of the loop, so the descriptor never closes under a read or a send of the loop.
     */
    @Override
    public void close() {
        if (!loop.inEventLoop()) {
            try {
                loop.execute(this::close);
            } catch (RejectedExecutionException stopped) {
                // the loop has shut down, and its shutdown closed every handle registered with it
            }
            return;
        }
        if (closed) {
            return;
        }
        closed = true;
        Pending p = pending;
        if (p != null) {
            for (int i = 0; i < p.count; i++) {
                p.data[i].release();
            }
            pending = null;
        }
        // Closing the descriptor takes it out of the epoll set; cancelling then only forgets the registration.
        closeQuietly(socket);
        if (registration != null) {
            try {
                registration.cancel();
            } catch (Exception e) {
                LOG.debug("relay socket {}: {}", port, e.toString());
            }
        }
    }

    @Override
    public String toString() {
        return "relay socket :" + port;
    }

    /** A datagram socket descriptor; a subclass only to reach Netty's socket constructor. */
    private static final class RelayFd extends Socket {
        private RelayFd(int fd) {
            super(fd);
        }

        static RelayFd open(boolean ipv6) {
            return new RelayFd(newSocketDgram0(ipv6));
        }
    }
}
