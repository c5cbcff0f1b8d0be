package io.traverse.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.socket.DatagramPacket;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetSocketAddress;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.tls.DatagramTransport;

/**
 * Bouncy Castle's view of one DTLS client: records received for the client are queued by the listener's event
 * loop ({@link #offer}); records Bouncy Castle sends go out of the shared listener channel to the client's address.
 *
 * <p>Two modes. While handshaking, {@link #receive} runs on a handshake thread and blocks up to Bouncy Castle's
 * retransmission wait. Once established ({@link #nonBlocking()}), it runs on the event loop and never blocks: an
 * empty queue throws {@link WouldBlock}, which Bouncy Castle passes through untouched (it is an
 * {@link InterruptedIOException}, not a timeout) so the caller knows every queued record was consumed.
 */
final class DtlsDatagramTransport implements DatagramTransport {
    /** Handshake messages are fragmented to this: fits the IPv6 minimum MTU (1280) minus IP/UDP headers. */
    static final int SEND_LIMIT = 1200;
    /** The largest datagram the listener reads. */
    static final int RECEIVE_LIMIT = Listeners.MAX_DATAGRAM;
    /** Records queued for a client before more are dropped (the client retransmits handshake flights). */
    static final int QUEUE_LIMIT = 64;
    private static final byte[] CLOSED = new byte[0];

    /** "No record queued" in non-blocking mode; no stack trace, one shared instance. */
    static final class WouldBlock extends InterruptedIOException {
        private static final long serialVersionUID = 1L;
        static final WouldBlock INSTANCE = new WouldBlock();

        private WouldBlock() {
            super("no DTLS record queued");
        }

        @Override
        public synchronized Throwable fillInStackTrace() {
            return this;
        }
    }

    private final Channel channel;
    private final InetSocketAddress client;
    private final long maxWaitMillis;
    private final BlockingQueue<byte[]> inbound = new ArrayBlockingQueue<>(QUEUE_LIMIT);
    private volatile boolean blocking = true;
    private volatile boolean closed;
    /** Established mode: the datagram being processed on the loop (not copied, not retained). */
    private ByteBuf current;

    DtlsDatagramTransport(Channel channel, InetSocketAddress client, long maxWaitMillis) {
        this.channel = channel;
        this.client = client;
        this.maxWaitMillis = maxWaitMillis;
    }

    /** Queues one received datagram; false when the queue is full or the transport closed (datagram dropped). */
    boolean offer(byte[] datagram) {
        return !closed && inbound.offer(datagram);
    }

    /**
     * Established mode, on the loop: makes {@code datagram} the next thing {@link #receive} returns, after any
     * datagrams still queued from the handshake; {@code null} clears it. The caller keeps ownership.
     */
    void current(ByteBuf datagram) {
        current = datagram;
    }

    /** Whether a datagram is waiting for {@link #receive}. */
    boolean hasQueued() {
        if (current != null) {
            return true;
        }
        byte[] head = inbound.peek();
        return head != null && head != CLOSED;
    }

    /** From now on {@link #receive} never waits (called on the event loop once the handshake is done). */
    void nonBlocking() {
        blocking = false;
    }

    /** Whether Bouncy Castle (close_notify, fatal alert) or the listener closed this transport. */
    boolean isClosed() {
        return closed;
    }

    @Override
    public int getReceiveLimit() {
        return RECEIVE_LIMIT;
    }

    @Override
    public int getSendLimit() {
        return SEND_LIMIT;
    }

    @Override
    public int receive(byte[] buf, int off, int len, int waitMillis) throws IOException {
        byte[] datagram;
        if (blocking) {
            long wait = waitMillis <= 0 ? maxWaitMillis : Math.min(waitMillis, maxWaitMillis);
            try {
                datagram = inbound.poll(wait, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("DTLS handshake interrupted");
            }
            if (datagram == null) {
                return -1; // a timeout: Bouncy Castle retransmits its last flight
            }
        } else {
            datagram = inbound.poll();
            if (datagram == null) {
                ByteBuf next = current;
                if (next == null) {
                    throw WouldBlock.INSTANCE;
                }
                current = null;
                int n = Math.min(len, next.readableBytes());
                next.getBytes(next.readerIndex(), buf, off, n);
                return n;
            }
        }
        if (datagram == CLOSED) {
            inbound.offer(CLOSED);
            throw new IOException("DTLS transport closed");
        }
        int n = Math.min(len, datagram.length);
        System.arraycopy(datagram, 0, buf, off, n);
        return n;
    }

    @Override
    public void send(byte[] buf, int off, int len) {
        if (closed || !channel.isActive()) {
            return;
        }
        ByteBuf out = channel.alloc().directBuffer(len).writeBytes(buf, off, len);
        DatagramPacket packet = new DatagramPacket(out, client);
        if (channel.eventLoop().inEventLoop()) {
            channel.write(packet, channel.voidPromise()); // flushed at the end of the read batch or by the caller
        } else {
            channel.writeAndFlush(packet, channel.voidPromise()); // handshake thread
        }
    }

    /** Marks the transport closed and wakes a handshake thread blocked in {@link #receive}. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            inbound.clear();
            inbound.offer(CLOSED);
        }
    }
}
