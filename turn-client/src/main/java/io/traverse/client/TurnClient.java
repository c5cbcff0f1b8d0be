package io.traverse.client;

import io.traverse.stun.ErrorCode;
import io.traverse.stun.MessageClass;
import io.traverse.stun.MessageType;
import io.traverse.stun.Method;
import io.traverse.stun.StunAttribute;
import io.traverse.stun.StunMessage;
import io.traverse.stun.TransactionId;
import io.traverse.stun.attr.AdditionalAddressFamily;
import io.traverse.stun.attr.AddressErrorCode;
import io.traverse.stun.attr.ChannelNumber;
import io.traverse.stun.attr.Data;
import io.traverse.stun.attr.DontFragment;
import io.traverse.stun.attr.ErrorCodeAttribute;
import io.traverse.stun.attr.EvenPort;
import io.traverse.stun.attr.Lifetime;
import io.traverse.stun.attr.MappedAddress;
import io.traverse.stun.attr.RequestedAddressFamily;
import io.traverse.stun.attr.RequestedTransport;
import io.traverse.stun.attr.ReservationToken;
import io.traverse.stun.attr.Software;
import io.traverse.stun.attr.XorMappedAddress;
import io.traverse.stun.attr.XorPeerAddress;
import io.traverse.stun.attr.XorRelayedAddress;
import io.traverse.stun.codec.ChannelData;
import io.traverse.stun.codec.DecodedMessage;
import io.traverse.stun.codec.Integrity;
import io.traverse.stun.codec.StunDecoder;
import io.traverse.stun.codec.StunEncoder;
import io.traverse.stun.codec.StunParseException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A blocking, single-threaded STUN/TURN client (RFC 8489 client side, RFC 8656 §7–§12 client side) over UDP,
 * TCP or TLS, for tests, probes and tools. Not thread-safe: one thread drives one client.
 *
 * <p><b>Transactions.</b> Over UDP a request is retransmitted per RFC 8489 §6.2.1 (initial RTO 500 ms,
 * doubling, Rc transmissions, then Rm × RTO), bounded by {@link TurnClientOptions#transactionTimeout()};
 * over TCP/TLS it is sent once (§6.2.2). A response counts only when its transaction ID matches; once
 * credentials are in use a success response must carry a MESSAGE-INTEGRITY(-SHA256) that verifies with the
 * key, else it is ignored as if never received (§9.2.5). Error responses without integrity are reported
 * (see {@link TurnErrorException#integrityProtected()}).
 *
 * <p><b>Authentication</b> (RFC 8489 §9.2). {@link #allocate} first sends Allocate without credentials; the
 * 401 names REALM, NONCE and, from an RFC 8489 server, PASSWORD-ALGORITHMS. The retry carries USERNAME (or
 * USERHASH when the nonce cookie asks for username anonymity or {@link AllocateOptions#userHash()} is set),
 * REALM, NONCE, the PASSWORD-ALGORITHMS echo and PASSWORD-ALGORITHM (the first offered algorithm the
 * client supports, §9.2.5), and MESSAGE-INTEGRITY-SHA256 for an RFC 8489 server or MESSAGE-INTEGRITY
 * otherwise. A 438 (Stale Nonce) is retried with the new nonce. Later requests reuse the session.
 *
 * <p><b>Peer data.</b> Data indications and ChannelData arriving while a transaction waits are queued (at
 * most {@value #MAX_QUEUED}, oldest dropped first) and returned by {@link #receive}.
 */
public final class TurnClient implements AutoCloseable {
    static final int MAX_QUEUED = 1024;
    private static final int MAX_STALE_NONCE_RETRIES = 2;

    private final Transport transport;
    private final ClientTransport io;
    private final TurnClientOptions options;
    private final Software software;
    private final ArrayDeque<Inbound> queue = new ArrayDeque<>();
    private LongTermSession session;

    private TurnClient(Transport transport, ClientTransport io, TurnClientOptions options) {
        this.transport = transport;
        this.io = io;
        this.options = options;
        this.software = options.software().map(Software::new).orElse(null);
    }

    /**
     * Opens a client: binds a UDP socket and connects it to the server, or connects TCP (and completes the
     * TLS handshake).
     *
     * @throws java.net.ConnectException when TCP is refused
     * @throws javax.net.ssl.SSLException when the TLS handshake fails (untrusted certificate, wrong name, ...)
     * @throws java.net.UnknownHostException when {@code server} is unresolved
     */
    public static TurnClient connect(Transport transport, InetSocketAddress server, TurnClientOptions options)
            throws IOException {
        Objects.requireNonNull(transport, "transport");
        Objects.requireNonNull(server, "server");
        Objects.requireNonNull(options, "options");
        ClientTransport io = transport == Transport.UDP
                ? UdpClientTransport.open(server, options)
                : StreamClientTransport.open(server, transport == Transport.TLS, options);
        return new TurnClient(transport, io, options);
    }

    /** {@link #connect(Transport, InetSocketAddress, TurnClientOptions)} with the default options. */
    public static TurnClient connect(Transport transport, InetSocketAddress server) throws IOException {
        return connect(transport, server, TurnClientOptions.defaults());
    }

    public Transport transport() {
        return transport;
    }

    /** The client's local transport address (the host candidate). */
    public InetSocketAddress localAddress() {
        return io.localAddress();
    }

    public InetSocketAddress serverAddress() {
        return io.remoteAddress();
    }

    /** What was negotiated for authentication, once a 401 challenge has been answered. */
    public Optional<AuthSummary> authSummary() {
        return session == null ? Optional.empty() : Optional.of(session.summary());
    }

    // ---------------------------------------------------------------- STUN Binding

    /**
     * Binding (RFC 8489 §3, §14.2): the client's server-reflexive address from XOR-MAPPED-ADDRESS (or
     * MAPPED-ADDRESS from an old server).
     */
    public InetSocketAddress binding() throws IOException, TurnException {
        StunMessage response = request(Method.BINDING, List.of());
        Optional<XorMappedAddress> xor = response.attribute(XorMappedAddress.class);
        if (xor.isPresent()) {
            return xor.get().address();
        }
        return response.attribute(MappedAddress.class)
                .orElseThrow(() -> new TurnProtocolException("Binding response without XOR-MAPPED-ADDRESS"))
                .address();
    }

    // ---------------------------------------------------------------- TURN

    /** {@link #allocate(TurnCredentials, AllocateOptions)} with the defaults. */
    public AllocateResult allocate(TurnCredentials credentials) throws IOException, TurnException {
        return allocate(credentials, AllocateOptions.defaults());
    }

    /**
     * Allocate (RFC 8656 §7.1) with REQUESTED-TRANSPORT UDP, authenticating per RFC 8489 §9.2 as described in
     * the class comment. With a session from an earlier Allocate of the same credentials, no new challenge is
     * needed.
     *
     * @throws TurnErrorException e.g. 401 (credentials rejected), 437, 440, 442, 486, 508
     * @throws TurnProtocolException when the 401 cannot be answered (see {@link LongTermSession})
     */
    public AllocateResult allocate(TurnCredentials credentials, AllocateOptions allocateOptions)
            throws IOException, TurnException {
        Objects.requireNonNull(credentials, "credentials");
        Objects.requireNonNull(allocateOptions, "allocateOptions");
        List<StunAttribute> attributes = allocateAttributes(allocateOptions);
        if (session != null && session.credentials() == credentials) {
            return allocateResult(authenticated(Method.ALLOCATE, attributes));
        }
        // RFC 8489 §9.2.3.1: the first request carries no credentials.
        Reply first = transact(newRequest(Method.ALLOCATE, attributes, null), Integrity.none(), null);
        if (first.isSuccess()) {
            return allocateResult(first.message()); // a server that does not authenticate
        }
        if (first.errorCode() != ErrorCode.UNAUTHENTICATED.code()) {
            throw first.error(Method.ALLOCATE);
        }
        session = LongTermSession.fromChallenge(credentials, allocateOptions, first.message());
        return allocateResult(authenticated(Method.ALLOCATE, attributes));
    }

    private static List<StunAttribute> allocateAttributes(AllocateOptions o) {
        List<StunAttribute> attributes = new ArrayList<>();
        attributes.add(new RequestedTransport(o.tcpRelay() ? RequestedTransport.TCP : RequestedTransport.UDP));
        o.lifetime().ifPresent(s -> attributes.add(new Lifetime(s)));
        o.requestedFamily().ifPresent(f -> attributes.add(new RequestedAddressFamily(f.code())));
        o.additionalFamily().ifPresent(f -> attributes.add(new AdditionalAddressFamily(f.code())));
        o.evenPort().ifPresent(r -> attributes.add(new EvenPort(r)));
        if (o.dontFragment()) {
            attributes.add(new DontFragment());
        }
        o.reservationToken().ifPresent(t -> attributes.add(new ReservationToken(t)));
        return attributes;
    }

    private static AllocateResult allocateResult(StunMessage response) throws TurnProtocolException {
        List<InetSocketAddress> relayed = new ArrayList<>();
        for (XorRelayedAddress a : response.attributes(XorRelayedAddress.class)) {
            relayed.add(a.address());
        }
        if (relayed.isEmpty()) {
            throw new TurnProtocolException("Allocate success response without XOR-RELAYED-ADDRESS");
        }
        Lifetime lifetime = response.attribute(Lifetime.class)
                .orElseThrow(() -> new TurnProtocolException("Allocate success response without LIFETIME"));
        InetSocketAddress mapped = response.attribute(XorMappedAddress.class).map(XorMappedAddress::address)
                .orElse(null);
        Long token = response.attribute(ReservationToken.class).map(ReservationToken::token).orElse(null);
        return new AllocateResult(relayed, mapped, lifetime.seconds(), token,
                response.attributes(AddressErrorCode.class));
    }

    /**
     * Refresh (RFC 8656 §8.1) with LIFETIME {@code seconds}; 0 deletes the allocation.
     *
     * @return the LIFETIME granted (0 after a delete)
     */
    public long refresh(long seconds) throws IOException, TurnException {
        StunMessage response = authenticated(Method.REFRESH, List.of(new Lifetime(seconds)));
        return response.attribute(Lifetime.class).map(Lifetime::seconds).orElse(seconds == 0 ? 0L : -1L);
    }

    /** Refresh with LIFETIME 0: deletes the allocation (RFC 8656 §8). */
    public void deallocate() throws IOException, TurnException {
        refresh(0);
    }

    /** CreatePermission (RFC 8656 §9.1) for the IP addresses of these peers, in one request. */
    public void createPermission(InetSocketAddress... peers) throws IOException, TurnException {
        if (peers.length == 0) {
            throw new IllegalArgumentException("CreatePermission needs at least one peer");
        }
        List<StunAttribute> attributes = new ArrayList<>();
        for (InetSocketAddress peer : peers) {
            attributes.add(new XorPeerAddress(peer));
        }
        authenticated(Method.CREATE_PERMISSION, attributes);
    }

    /** ChannelBind (RFC 8656 §12.1): binds channel 0x4000..0x4FFF to {@code peer} (also installs a permission). */
    public void channelBind(int channel, InetSocketAddress peer) throws IOException, TurnException {
        requireChannel(channel);
        authenticated(Method.CHANNEL_BIND, List.of(new ChannelNumber(channel), new XorPeerAddress(peer)));
    }

    /**
     * Sends a request of any method with these attributes and returns the success response. Once a 401 has
     * been answered (after {@link #allocate}) the request is authenticated and 438 is retried; before that it
     * is sent as it is.
     *
     * @throws TurnErrorException for an error response
     */
    public StunMessage request(Method method, List<StunAttribute> attributes) throws IOException, TurnException {
        if (session != null) {
            return authenticated(method, attributes);
        }
        Reply reply = transact(newRequest(method, attributes, null), Integrity.none(), null);
        if (!reply.isSuccess()) {
            throw reply.error(method);
        }
        return reply.message();
    }

    /** A Send indication (RFC 8656 §10.1): XOR-PEER-ADDRESS and DATA, no integrity (indications are not authenticated). */
    public void send(InetSocketAddress peer, byte[] data) throws IOException {
        StunMessage.Builder b = StunMessage.builder(MessageType.indication(Method.SEND), TransactionId.random())
                .add(new XorPeerAddress(peer))
                .add(new Data(data));
        if (software != null) {
            b.add(software);
        }
        io.send(StunEncoder.encode(b.build(), Integrity.none(), options.fingerprint()));
    }

    /** A ChannelData message (RFC 8656 §12.4) on a bound channel; padded to 4 bytes on TCP/TLS (§12.5). */
    public void sendChannelData(int channel, byte[] data) throws IOException {
        requireChannel(channel);
        if (data.length > 0xFFFF) {
            throw new IllegalArgumentException("ChannelData carries at most 65535 bytes: " + data.length);
        }
        int size = ChannelData.HEADER_LENGTH + (io.reliable() ? (data.length + 3) & ~3 : data.length);
        byte[] frame = new byte[size];
        frame[0] = (byte) (channel >>> 8);
        frame[1] = (byte) channel;
        frame[2] = (byte) (data.length >>> 8);
        frame[3] = (byte) data.length;
        System.arraycopy(data, 0, frame, ChannelData.HEADER_LENGTH, data.length);
        io.send(frame);
    }

    /**
     * The next Data indication or ChannelData message from the server: a queued one, else the first to
     * arrive within {@code timeout}. Other traffic (late responses) is skipped.
     *
     * @throws TurnTimeoutException when nothing arrives in time
     */
    public Inbound receive(Duration timeout) throws IOException, TurnException {
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        while (queue.isEmpty()) {
            long remaining = deadline - System.nanoTime();
            if (remaining <= 0) {
                throw new TurnTimeoutException("no peer data within " + timeout.toMillis() + " ms",
                        Duration.ofNanos(System.nanoTime() - start));
            }
            byte[] packet = io.receive(Math.max(1, remaining / 1_000_000L));
            if (packet != null) {
                absorb(packet);
            }
        }
        return queue.removeFirst();
    }

    @Override
    public void close() {
        try {
            io.close();
        } catch (IOException e) {
            // nothing useful to do: the socket is gone either way
        }
    }

    @Override
    public String toString() {
        return "TurnClient[" + transport + " " + localAddress() + " -> " + serverAddress() + "]";
    }

    // ---------------------------------------------------------------- transactions

    private StunMessage authenticated(Method method, List<StunAttribute> attributes) throws IOException, TurnException {
        if (session == null) {
            throw new IllegalStateException(method + " needs credentials: call allocate first");
        }
        for (int stale = 0; ; stale++) {
            Reply reply = transact(newRequest(method, attributes, session), session.integrity(), session);
            if (reply.isSuccess()) {
                return reply.message();
            }
            // RFC 8489 §9.2.5: 438 → retry with the NONCE (and REALM) of the response, in a new transaction.
            if (reply.errorCode() == ErrorCode.STALE_NONCE.code() && stale < MAX_STALE_NONCE_RETRIES) {
                session = session.withChallenge(reply.message());
                continue;
            }
            throw reply.error(method);
        }
    }

    private StunMessage newRequest(Method method, List<StunAttribute> attributes, LongTermSession auth) {
        StunMessage.Builder b = StunMessage.builder(MessageType.request(method), TransactionId.random());
        b.addAll(attributes);
        if (auth != null) {
            auth.addTo(b);
        }
        if (software != null) {
            b.add(software);
        }
        return b.build();
    }

    /**
     * One transaction: sends (and over UDP retransmits) the request until a matching acceptable response
     * arrives. A response to a protected request must verify with {@code auth}'s key unless it is an error
     * response without any integrity attribute.
     */
    private Reply transact(StunMessage request, Integrity integrity, LongTermSession auth)
            throws IOException, TurnException {
        byte[] bytes = StunEncoder.encode(request, integrity, options.fingerprint());
        long start = System.nanoTime();
        long hardDeadline = start + options.transactionTimeout().toNanos();
        long rto = options.rto().toNanos();
        int maxTransmissions = io.reliable() ? 1 : options.maxTransmissions();
        // Over a stream there is one transmission and the transaction timeout alone bounds the wait (§6.2.2).
        long lastWait = io.reliable() ? options.transactionTimeout().toNanos() : options.lastWaitFactor() * rto;
        int sent = 0;
        long nextSend = start;
        long interval = rto;
        long giveUp = Long.MAX_VALUE;
        int unverified = 0;
        while (true) {
            long now = System.nanoTime();
            if (sent < maxTransmissions && now - nextSend >= 0) {
                io.send(bytes);
                sent++;
                if (sent < maxTransmissions) {
                    nextSend = now + interval;
                    interval *= 2;
                } else {
                    giveUp = now + lastWait;
                }
            }
            long wakeUp = sent < maxTransmissions ? nextSend : giveUp;
            if (hardDeadline - wakeUp < 0) {
                wakeUp = hardDeadline;
            }
            if (wakeUp - now <= 0 && (sent >= maxTransmissions || hardDeadline - now <= 0)) {
                Duration elapsed = Duration.ofNanos(now - start);
                if (unverified > 0) {
                    throw new TurnProtocolException(request.method() + ": " + unverified + " response(s) failed the "
                            + "integrity check and none was authentic (wrong password or key?)");
                }
                throw new TurnTimeoutException(request.method().toString(), sent, elapsed);
            }
            byte[] packet = io.receive(Math.max(1, (wakeUp - now) / 1_000_000L));
            if (packet == null) {
                continue;
            }
            DecodedMessage response = absorb(packet);
            if (response == null || !response.message().transactionId().equals(request.transactionId())) {
                continue;
            }
            StunMessage message = response.message();
            if (!message.method().equals(request.method())) {
                continue;
            }
            boolean success = message.messageClass() == MessageClass.SUCCESS_RESPONSE;
            boolean protectedResponse = response.hasMessageIntegrity() || response.hasMessageIntegritySha256();
            boolean authentic = false;
            if (auth != null) {
                authentic = protectedResponse && auth.verify(response);
                if (!authentic && (success || protectedResponse)) {
                    unverified++; // RFC 8489 §9.2.5: as if never received
                    continue;
                }
            }
            List<Integer> unknown = message.unknownComprehensionRequired();
            if (!unknown.isEmpty()) {
                // RFC 8489 §7.3.3, §7.3.4: unknown comprehension-required attributes fail the transaction.
                throw new TurnProtocolException(request.method() + " response has unknown comprehension-required "
                        + "attributes " + hex(unknown));
            }
            if (!success && message.attribute(ErrorCodeAttribute.class).isEmpty()) {
                throw new TurnProtocolException(request.method() + " error response without ERROR-CODE");
            }
            return new Reply(message, authentic);
        }
    }

    /**
     * Handles one packet from the server: queues peer data and returns a decoded STUN response for the
     * transaction logic; anything else gives null.
     */
    private DecodedMessage absorb(byte[] packet) {
        if (packet.length == 0) {
            return null;
        }
        int first = packet[0] & 0xFF;
        if (first >= 0x40 && first <= 0x4F) {
            if (packet.length >= ChannelData.HEADER_LENGTH) {
                int channel = ((packet[0] & 0xFF) << 8) | (packet[1] & 0xFF);
                int length = ((packet[2] & 0xFF) << 8) | (packet[3] & 0xFF);
                if (length <= packet.length - ChannelData.HEADER_LENGTH) {
                    enqueue(new ChannelDataMessage(channel, Arrays.copyOfRange(packet, 4, 4 + length)));
                }
            }
            return null;
        }
        if (first > 3) {
            return null;
        }
        DecodedMessage decoded;
        try {
            decoded = StunDecoder.decode(packet);
        } catch (StunParseException e) {
            return null;
        }
        if (decoded.hasFingerprint() && !decoded.fingerprintValid()) {
            return null;
        }
        StunMessage message = decoded.message();
        if (message.messageClass() == MessageClass.INDICATION && message.method().equals(Method.DATA)) {
            Optional<XorPeerAddress> peer = message.attribute(XorPeerAddress.class);
            Optional<Data> data = message.attribute(Data.class);
            if (peer.isPresent() && data.isPresent() && message.unknownComprehensionRequired().isEmpty()) {
                enqueue(new DataIndication(peer.get().address(), data.get().data()));
            }
            return null;
        }
        return message.messageClass().isResponse() ? decoded : null;
    }

    private void enqueue(Inbound inbound) {
        if (queue.size() >= MAX_QUEUED) {
            queue.removeFirst();
        }
        queue.addLast(inbound);
    }

    private static void requireChannel(int channel) {
        if (!ChannelData.isChannelNumber(channel)) {
            throw new IllegalArgumentException(String.format("channel number must be 0x4000..0x4FFF: 0x%X", channel));
        }
    }

    private static String hex(List<Integer> types) {
        List<String> out = new ArrayList<>();
        for (int t : types) {
            out.add(String.format("0x%04X", t));
        }
        return out.toString();
    }

    /** An accepted response. */
    private record Reply(StunMessage message, boolean authentic) {
        boolean isSuccess() {
            return message.messageClass() == MessageClass.SUCCESS_RESPONSE;
        }

        int errorCode() {
            return message.attribute(ErrorCodeAttribute.class).map(ErrorCodeAttribute::code).orElse(0);
        }

        TurnErrorException error(Method method) {
            ErrorCodeAttribute e = message.attribute(ErrorCodeAttribute.class).orElseThrow();
            return new TurnErrorException(method, e.code(), e.reason(), message, authentic);
        }
    }
}
