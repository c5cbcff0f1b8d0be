package io.traverse.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.socket.DatagramPacket;
import io.traverse.metrics.TraverseMetrics;
import io.traverse.metrics.TraverseMetrics.DropReason;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.util.Arrays;

/**
 * What the relay sends to clients from one UDP listener socket, sent once per event-loop round instead of once per
 * caller. A UDP listener socket carries what every relay socket of its loop receives for its clients: each relay
 * socket's read batch used to flush the listener at once, one {@code sendto} per datagram; deferred to a task, the
 * send runs after the loop has handled every socket that was ready in this round (Netty runs tasks after the I/O of
 * a round), and the datagrams queued meanwhile leave in one {@code sendmmsg}. The delay is the rest of the round,
 * microseconds.
 *
 * <p>On epoll the datagrams do not go through the listener's Netty channel at all: they are queued here and sent
 * with {@link NativeDatagrams}' {@code sendmmsg} on the channel's socket, with no pipeline, outbound-buffer entry,
 * promise or {@code DatagramPacket} per datagram. A full send buffer (EAGAIN) drops what is left, as a relay socket
 * does and as the network would: counted as {@link DropReason#CLIENT_BACKLOG}, since the clients are not reading.
 * At most {@link #MAX_QUEUED} datagrams wait; the queue is sent at once when it is full. STUN responses still go
 * through the channel.
 *
 * <p>Elsewhere (NIO, or a Netty without those calls) the datagrams are written to the channel and the round's end
 * flushes it. What waits for the round's end must not look like backpressure there: the relay drops a datagram when
 * the client's channel is not writable (above Netty's high water mark, 64 KiB by default). So a request flushes at
 * once when fewer than {@link #FLUSH_NOW_BELOW} bytes are left before that mark, room for one more relay socket's
 * read batch.
 *
 * <p>One per listener channel, used on its loop only: not thread-safe.
 */
final class RoundFlush implements Runnable {
    /** A relay socket's read batch at most: 16 datagrams (Netty's messages per read) of up to 2 KiB. */
    static final int FLUSH_NOW_BELOW = 32 * 1024;
    /** Datagrams queued at most before they are sent (Netty's descriptor array holds 1024). */
    static final int MAX_QUEUED = 1024;

    private final Channel channel;
    private final TraverseMetrics metrics;
    /** The listener's socket for {@code sendmmsg}, or -1 when datagrams go through the channel. */
    private final int fd;
    private final boolean ipv6;
    private boolean scheduled;
    /** Created with the first datagram (a listener that never relays has none). */
    private NativeDatagrams.PacketArray queue;
    private ByteBuf[] queued;

    /** Through the channel (tests of the portable path). */
    RoundFlush(Channel channel) {
        this(channel, null);
    }

    /** With {@code metrics}, on an epoll datagram channel, datagrams bypass the channel (see above). */
    RoundFlush(Channel channel, TraverseMetrics metrics) {
        this.channel = channel;
        this.metrics = metrics;
        boolean direct = metrics != null && NativeDatagrams.AVAILABLE && channel instanceof EpollDatagramChannel;
        this.fd = direct ? ((EpollDatagramChannel) channel).fd().intValue() : -1;
        this.ipv6 = direct && ((InetSocketAddress) channel.localAddress()).getAddress() instanceof Inet6Address;
    }

    /** Whether relayed datagrams bypass the channel. */
    boolean direct() {
        return fd >= 0;
    }

    /** Queues {@code buf} (ownership passes) for {@code client}; it leaves at the round's end or with a flush. */
    void write(ByteBuf buf, InetSocketAddress client) {
        if (fd < 0) {
            channel.write(new DatagramPacket(buf, client), channel.voidPromise());
            return;
        }
        if (!buf.isReadable()) {
            buf.release(); // nothing to send (the relay never makes an empty frame)
            return;
        }
        if (!channel.isOpen()) {
            buf.release(); // the listener is closed (the server stops)
            metrics.dropped(DropReason.RELAY_SOCKET_ERROR);
            return;
        }
        if (queue == null) {
            queue = new NativeDatagrams.PacketArray();
            queued = new ByteBuf[16];
            // Netty tells a channel's close-future listeners on the channel's loop.
            channel.closeFuture().addListener(f -> releaseQueue());
        }
        if (queue.count() == MAX_QUEUED || !add(buf, client)) {
            send();
            if (!add(buf, client)) {
                buf.release(); // cannot happen with an empty queue; never leak
                metrics.dropped(DropReason.ENCODE_FAILED);
            }
        }
    }

    private boolean add(ByteBuf buf, InetSocketAddress client) {
        int i = queue.count();
        if (!queue.add(buf, buf.readerIndex(), buf.readableBytes(), client)) {
            return false;
        }
        if (i == queued.length) {
            queued = Arrays.copyOf(queued, Math.min(MAX_QUEUED, i * 2));
        }
        queued[i] = buf;
        return true;
    }

    /** Asks for a send (or flush) after the current round; many requests in a round make one. */
    void request() {
        if (fd < 0 && channel.bytesBeforeUnwritable() < FLUSH_NOW_BELOW) {
            channel.flush();
        } else if (!scheduled) {
            scheduled = true;
            channel.eventLoop().execute(this);
        }
    }

    @Override
    public void run() {
        scheduled = false;
        if (fd < 0) {
            channel.flush();
        } else {
            send();
        }
    }

    /** Sends the queue with as few {@code sendmmsg} calls as the kernel allows, then gives the buffers back. */
    private void send() {
        NativeDatagrams.PacketArray q = queue;
        if (q == null || q.count() == 0) {
            return;
        }
        int count = q.count();
        if (!channel.isOpen()) {
            for (int i = 0; i < count; i++) {
                metrics.dropped(DropReason.RELAY_SOCKET_ERROR); // the listener is closed (the server stops)
            }
        } else {
            q.sendAll(fd, ipv6, metrics, DropReason.CLIENT_BACKLOG, this);
        }
        for (int i = 0; i < count; i++) {
            queued[i].release();
            queued[i] = null;
        }
        q.clear();
    }

    @Override
    public String toString() {
        return "UDP listener " + channel.localAddress();
    }

    private void releaseQueue() {
        if (queue != null) {
            for (int i = 0; i < queue.count(); i++) {
                queued[i].release();
                queued[i] = null;
            }
            queue.release();
            queue = null;
        }
    }
}
