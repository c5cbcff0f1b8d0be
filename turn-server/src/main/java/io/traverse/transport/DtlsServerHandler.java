package io.traverse.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.traverse.metrics.TraverseMetrics;
import io.traverse.metrics.TraverseMetrics.DropReason;
import io.traverse.turn.AllocationRegistry;
import io.traverse.turn.FiveTuple;
import io.traverse.turn.TransportProtocol;
import io.traverse.turn.TurnClock;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.tls.DTLSRequest;
import org.bouncycastle.tls.DTLSTransport;
import org.bouncycastle.tls.DatagramSender;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the datagrams of one DTLS listener socket (one per event loop, like UDP) and keeps the DTLS associations
 * of the clients the kernel steers to it (RFC 8656 §3.1 DTLS transport, RFC 6347).
 *
 * <ul>
 *   <li>Unknown source: only a ClientHello is considered. Without a valid cookie it is answered with a
 *       HelloVerifyRequest by the stateless {@link org.bouncycastle.tls.DTLSVerifier} and forgotten: a flood of
 *       spoofed ClientHellos creates no per-source state. With a valid cookie a {@link DtlsSession} is created
 *       and its handshake runs on the listener's handshake pool ({@link DtlsListener}).</li>
 *   <li>Handshaking: records are queued for the handshake thread.</li>
 *   <li>Established: records are decrypted here, on the loop; STUN goes to the dispatcher and ChannelData to the
 *       relay with {@link TransportProtocol#DTLS} in the 5-tuple. A new ClientHello with a valid cookie from the
 *       same address replaces the association (RFC 6347 §4.2.8).</li>
 * </ul>
 * A periodic sweep closes handshakes older than {@code tls.handshake-timeout} and associations idle for
 * {@code tls.idle-timeout} without an allocation. Closing an established association ends its allocation, as a
 * closed TCP/TLS connection does: the association is what carries the client's traffic.
 */
final class DtlsServerHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(DtlsServerHandler.class);
    /** DTLS content type of a handshake record. */
    private static final int HANDSHAKE = 22;
    /** Handshake message type client_hello. */
    private static final int CLIENT_HELLO = 1;
    private static final int RECORD_HEADER = 13;
    /** Plaintext buffer size: no record decrypts to more than the datagram that carried it. */
    private static final int RECEIVE_BUFFER = DtlsDatagramTransport.RECEIVE_LIMIT;

    private final DtlsListener listener;
    private final ClientMessages messages;
    private final AllocationRegistry registry;
    private final TurnClock clock;
    private final TraverseMetrics metrics;
    private final DtlsLimits limits;
    private final Map<InetSocketAddress, DtlsSession> sessions = new HashMap<>();
    /** Plaintext handed to Bouncy Castle for encryption when it is not in a heap buffer (loop-confined). */
    private byte[] scratch = new byte[RECEIVE_BUFFER];
    private Channel channel;
    private InetSocketAddress local;
    private ScheduledFuture<?> sweep;

    DtlsServerHandler(DtlsListener listener, StunHandler stun, ChannelDataRelay relay, AllocationRegistry registry,
            TurnClock clock, TraverseMetrics metrics, DtlsLimits limits) {
        this.listener = listener;
        this.limits = limits;
        this.messages = new ClientMessages(stun, relay, metrics);
        this.registry = registry;
        this.clock = clock;
        this.metrics = metrics;
    }

    DtlsListener listener() {
        return listener;
    }

    Channel channel() {
        return channel;
    }

    /** A loop-confined array of at least {@code length} bytes for handing plaintext to Bouncy Castle. */
    byte[] scratch(int length) {
        if (scratch.length < length) {
            scratch = new byte[length];
        }
        return scratch;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        channel = ctx.channel();
        local = (InetSocketAddress) channel.localAddress();
        long period = Math.max(TimeUnit.MILLISECONDS.toNanos(50), Math.min(TimeUnit.SECONDS.toNanos(1),
                Math.min(listener.handshakeTimeoutNanos(), listener.idleNanos()) / 4));
        sweep = ctx.executor().scheduleAtFixedRate(this::sweep, period, period, TimeUnit.NANOSECONDS);
        super.channelActive(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (sweep != null) {
            sweep.cancel(false);
        }
        for (DtlsSession session : new ArrayList<>(sessions.values())) {
            close(session, "listener closed");
        }
        super.channelInactive(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof DatagramPacket)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        DatagramPacket packet = (DatagramPacket) msg;
        try {
            onDatagram(packet.sender(), packet.content());
        } finally {
            packet.release();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        messages.flush();
        ctx.flush();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("DTLS listener {}: {}", ctx.channel().localAddress(), cause.toString());
    }

    private void onDatagram(InetSocketAddress sender, ByteBuf content) {
        if (!isDtlsRecord(content)) {
            metrics.dropped(DropReason.UNKNOWN_KIND);
            return;
        }
        DtlsSession session = sessions.get(sender);
        if (session == null) {
            if (isClientHello(content)) {
                verifyAndStart(sender, content, null);
            } else {
                metrics.dropped(DropReason.UNKNOWN_KIND);
            }
        } else if (session.state == DtlsSession.State.HANDSHAKING) {
            if (!session.transport.offer(copy(content))) {
                metrics.dropped(DropReason.RATE_LIMITED);
            }
        } else if (isClientHello(content)) {
            verifyAndStart(sender, content, session);
        } else {
            session.lastActivityNanos = clock.nanos();
            session.transport.current(content);
            try {
                drain(session);
            } finally {
                session.transport.current(null);
            }
        }
    }

    /**
     * Checks the cookie of a ClientHello statelessly. Without a valid cookie the verifier sends a
     * HelloVerifyRequest and nothing is kept. With one, a session is created (replacing {@code previous}).
     */
    private void verifyAndStart(InetSocketAddress sender, ByteBuf content, DtlsSession previous) {
        byte[] data = copy(content);
        DTLSRequest request;
        try {
            request = listener.verifier().verifyRequest(clientId(sender), data, 0, data.length,
                    new HelloVerifySender(channel, sender));
        } catch (RuntimeException e) {
            metrics.dropped(DropReason.MALFORMED);
            return;
        }
        if (request == null) {
            return; // HelloVerifyRequest sent, or not a parsable ClientHello: no state either way
        }
        if (!listener.tryBeginHandshake()) {
            LOG.debug("DTLS ClientHello from {} dropped: {} handshakes running", sender,
                    DtlsListener.MAX_CONCURRENT_HANDSHAKES);
            metrics.dropped(DropReason.RATE_LIMITED);
            return;
        }
        if (previous != null) {
            close(previous, "new association from the same address");
        }
        if (!limits.admit(sender.getAddress())) {
            LOG.debug("DTLS ClientHello from {} dropped: limits.dtls", sender);
            listener.endHandshake();
            return;
        }
        long now = clock.nanos();
        DtlsDatagramTransport transport = new DtlsDatagramTransport(channel, sender,
                TimeUnit.NANOSECONDS.toMillis(listener.handshakeTimeoutNanos()) + 1);
        DtlsSession session = new DtlsSession(sender, new FiveTuple(TransportProtocol.DTLS, sender, local),
                transport, this, now);
        sessions.put(sender, session);
        listener.sessionOpened();
        try {
            listener.executor().execute(() -> handshake(session, request));
        } catch (RejectedExecutionException e) {
            listener.endHandshake();
            close(session, "handshake pool stopped");
        }
    }

    /** On a handshake thread: Bouncy Castle's blocking accept; the outcome is handed back to the loop. */
    private void handshake(DtlsSession session, DTLSRequest request) {
        try {
            DTLSTransport dtls = listener.protocol().accept(listener.newServer(), session.transport, request);
            metrics.handshake(io.traverse.turn.TransportProtocol.DTLS, true);
            onLoop(() -> established(session, dtls), () -> closeQuietly(dtls));
        } catch (IOException | RuntimeException e) {
            metrics.handshake(io.traverse.turn.TransportProtocol.DTLS, false);
            onLoop(() -> close(session, "handshake failed: " + e), () -> { });
        } finally {
            listener.endHandshake();
        }
    }

    private void onLoop(Runnable task, Runnable ifRejected) {
        try {
            channel.eventLoop().execute(task);
        } catch (RejectedExecutionException e) {
            ifRejected.run();
        }
    }

    private void established(DtlsSession session, DTLSTransport dtls) {
        if (session.state != DtlsSession.State.HANDSHAKING) {
            closeQuietly(dtls);
            return;
        }
        session.dtls = dtls;
        session.state = DtlsSession.State.ESTABLISHED;
        limits.handshakeEnded(session.client.getAddress());
        session.lastActivityNanos = clock.nanos();
        session.transport.nonBlocking();
        LOG.debug("DTLS association with {} established", session.client);
        drain(session);
        messages.flush();
        channel.flush();
    }

    /**
     * Decrypts every queued record of an established session and dispatches the application data. Each call
     * to {@link DTLSTransport#receive} consumes one queued datagram; records that share a datagram are then taken
     * with {@link DTLSTransport#receivePending}.
     */
    private void drain(DtlsSession session) {
        ByteBuf plain = null;
        try {
            while (session.state == DtlsSession.State.ESTABLISHED && session.transport.hasQueued()) {
                if (plain == null) {
                    plain = newPlaintextBuffer();
                }
                int n;
                try {
                    n = session.dtls.receive(plain.array(), plain.arrayOffset(), RECEIVE_BUFFER, 1000);
                } catch (DtlsDatagramTransport.WouldBlock e) {
                    n = -1; // the datagram held no application data
                }
                while (true) {
                    if (n >= 0) {
                        if (n > 0) {
                            plain.writerIndex(n);
                            dispatch(session, plain);
                        }
                        plain.release();
                        plain = newPlaintextBuffer();
                    }
                    if (session.state != DtlsSession.State.ESTABLISHED) {
                        break;
                    }
                    n = session.dtls.receivePending(plain.array(), plain.arrayOffset(), RECEIVE_BUFFER);
                    if (n < 0) {
                        break;
                    }
                }
            }
            if (session.transport.isClosed()) {
                close(session, "closed by the client");
            }
        } catch (IOException | RuntimeException e) {
            close(session, "receive failed: " + e);
        } finally {
            if (plain != null) {
                plain.release();
            }
        }
    }

    /** A buffer Bouncy Castle can decrypt into directly (it needs a byte[]); pooled. */
    private ByteBuf newPlaintextBuffer() {
        ByteBuf buf = channel.alloc().heapBuffer(RECEIVE_BUFFER, RECEIVE_BUFFER);
        if (!buf.hasArray() || buf.capacity() < RECEIVE_BUFFER) {
            buf.release();
            buf = Unpooled.wrappedBuffer(new byte[RECEIVE_BUFFER]).clear();
        }
        return buf;
    }

    private void dispatch(DtlsSession session, ByteBuf plain) {
        messages.dispatch(plain, TransportProtocol.DTLS, session.client, local, session);
    }

    /** Closes {@code session} on the loop after the current call (used from inside writes). */
    void closeLater(DtlsSession session, String reason) {
        channel.eventLoop().execute(() -> {
            close(session, reason);
            channel.flush();
        });
    }

    private void close(DtlsSession session, String reason) {
        if (session.state == DtlsSession.State.CLOSED) {
            return;
        }
        boolean established = session.state == DtlsSession.State.ESTABLISHED;
        if (session.state == DtlsSession.State.HANDSHAKING) {
            limits.handshakeEnded(session.client.getAddress());
        }
        limits.associationClosed(session.client.getAddress());
        session.state = DtlsSession.State.CLOSED;
        sessions.remove(session.client, session);
        listener.sessionClosed();
        LOG.debug("DTLS association with {} closed: {}", session.client, reason);
        if (session.dtls != null) {
            closeQuietly(session.dtls); // close_notify, if still possible
        }
        session.transport.close();
        if (established) {
            messages.stun().onClientClosed(session.link);
        }
    }

    private void sweep() {
        if (sessions.isEmpty()) {
            return;
        }
        long now = clock.nanos();
        List<DtlsSession> expired = new ArrayList<>();
        for (DtlsSession session : sessions.values()) {
            if (session.state == DtlsSession.State.HANDSHAKING) {
                if (now - session.startedNanos > listener.handshakeTimeoutNanos()) {
                    expired.add(session);
                }
            } else if (now - session.lastActivityNanos > listener.idleNanos()
                    && registry.find(session.fiveTuple) == null) {
                expired.add(session);
            }
        }
        for (DtlsSession session : expired) {
            close(session, session.state == DtlsSession.State.HANDSHAKING ? "handshake timeout"
                    : "idle without allocation");
        }
        if (!expired.isEmpty()) {
            channel.flush();
        }
    }

    private static void closeQuietly(DTLSTransport dtls) {
        try {
            dtls.close();
        } catch (IOException | RuntimeException e) {
            // already failed or closed
        }
    }

    /** RFC 7983 §7: first byte 20..63 is DTLS. */
    static boolean isDtlsRecord(ByteBuf content) {
        if (content.readableBytes() < RECORD_HEADER) {
            return false;
        }
        int first = content.getUnsignedByte(content.readerIndex());
        return first >= 20 && first <= 63;
    }

    /** A handshake record of epoch 0 carrying (the start of) a ClientHello. */
    static boolean isClientHello(ByteBuf content) {
        int i = content.readerIndex();
        return content.readableBytes() > RECORD_HEADER
                && content.getUnsignedByte(i) == HANDSHAKE
                && content.getUnsignedShort(i + 3) == 0
                && content.getUnsignedByte(i + RECORD_HEADER) == CLIENT_HELLO;
    }

    private static byte[] copy(ByteBuf content) {
        byte[] data = new byte[content.readableBytes()];
        content.getBytes(content.readerIndex(), data);
        return data;
    }

    /** The cookie is bound to the client's address and port. */
    private static byte[] clientId(InetSocketAddress sender) {
        byte[] ip = sender.getAddress().getAddress();
        byte[] id = new byte[ip.length + 2];
        System.arraycopy(ip, 0, id, 0, ip.length);
        id[ip.length] = (byte) (sender.getPort() >> 8);
        id[ip.length + 1] = (byte) sender.getPort();
        return id;
    }

    /** Sends the verifier's HelloVerifyRequest to one address (flushed at the end of the read batch). */
    private static final class HelloVerifySender implements DatagramSender {
        private final Channel channel;
        private final InetSocketAddress to;

        HelloVerifySender(Channel channel, InetSocketAddress to) {
            this.channel = channel;
            this.to = to;
        }

        @Override
        public int getSendLimit() {
            return DtlsDatagramTransport.SEND_LIMIT;
        }

        @Override
        public void send(byte[] buf, int off, int len) {
            channel.write(new DatagramPacket(channel.alloc().directBuffer(len).writeBytes(buf, off, len), to),
                    channel.voidPromise());
        }
    }
}
