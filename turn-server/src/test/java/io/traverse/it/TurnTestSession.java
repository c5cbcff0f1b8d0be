package io.traverse.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.traverse.stun.MessageClass;
import io.traverse.stun.MessageType;
import io.traverse.stun.Method;
import io.traverse.stun.StunAttribute;
import io.traverse.stun.StunMessage;
import io.traverse.stun.TransactionId;
import io.traverse.stun.attr.ChannelNumber;
import io.traverse.stun.attr.Data;
import io.traverse.stun.attr.ErrorCodeAttribute;
import io.traverse.stun.attr.Nonce;
import io.traverse.stun.attr.PasswordAlgorithms;
import io.traverse.stun.attr.Realm;
import io.traverse.stun.attr.RequestedTransport;
import io.traverse.stun.attr.UserHash;
import io.traverse.stun.attr.Username;
import io.traverse.stun.attr.XorPeerAddress;
import io.traverse.stun.attr.XorRelayedAddress;
import io.traverse.stun.auth.LongTermKey;
import io.traverse.stun.auth.PasswordAlgorithm;
import io.traverse.stun.auth.PrecisException;
import io.traverse.stun.codec.DecodedMessage;
import io.traverse.stun.codec.Integrity;
import io.traverse.stun.codec.StunDecoder;
import io.traverse.stun.codec.StunEncoder;
import io.traverse.stun.codec.StunParseException;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Test side of the long-term credential mechanism (RFC 8489 §9.2) over one {@link StunTestClient}: the 401 challenge,
 * then requests carrying USERNAME or USERHASH, REALM, NONCE, optionally PASSWORD-ALGORITHMS / PASSWORD-ALGORITHM,
 * protected with MESSAGE-INTEGRITY or MESSAGE-INTEGRITY-SHA256 under an MD5 or SHA-256 key. Every response that
 * carries an integrity attribute is verified with the key ({@link LongTermKey#derive}); a wrong MAC fails the test.
 * Deliberately independent of any client library: messages are built with the codec only.
 */
public final class TurnTestSession implements AutoCloseable {
    /** Which identity attribute the requests carry (RFC 8489 §14.3, §14.4). */
    public enum Identity { USERNAME, USERHASH }

    /**
     * How requests authenticate.
     *
     * @param algorithm the password algorithm of the long-term key (RFC 8489 §9.2.2)
     * @param mac MESSAGE-INTEGRITY ({@link Integrity.Kind#SHA1}) or MESSAGE-INTEGRITY-SHA256
     * @param identity USERNAME or USERHASH
     * @param echoAlgorithms whether PASSWORD-ALGORITHMS (as received in the 401) and PASSWORD-ALGORITHM are sent
     */
    public record Options(PasswordAlgorithm algorithm, Integrity.Kind mac, Identity identity, boolean echoAlgorithms) {
        /** What a browser of the RFC 5389 era does: MD5 key, MESSAGE-INTEGRITY, USERNAME, no algorithm echo. */
        public static Options browser() {
            return new Options(PasswordAlgorithm.MD5, Integrity.Kind.SHA1, Identity.USERNAME, false);
        }

        /** Every RFC 8489 feature: SHA-256 key, MESSAGE-INTEGRITY-SHA256, USERHASH, algorithms echoed. */
        public static Options modern() {
            return new Options(PasswordAlgorithm.SHA256, Integrity.Kind.SHA256, Identity.USERHASH, true);
        }

        public Options withAlgorithm(PasswordAlgorithm a) {
            return new Options(a, mac, identity, echoAlgorithms);
        }

        public Options withMac(Integrity.Kind m) {
            return new Options(algorithm, m, identity, echoAlgorithms);
        }

        public Options withIdentity(Identity i) {
            return new Options(algorithm, mac, i, echoAlgorithms);
        }

        public Options withEcho(boolean echo) {
            return new Options(algorithm, mac, identity, echo);
        }
    }

    /** A ChannelData message as received (RFC 8656 §12.4). */
    public record ChannelDataFrame(int channel, byte[] data) {}

    private final StunTestClient client;
    private final String username;
    private final String password;
    private final Options options;
    private String realm;
    private String nonce;
    private PasswordAlgorithms offered;

    public TurnTestSession(StunTestClient client, String username, String password, Options options) {
        this.client = client;
        this.username = username;
        this.password = password;
        this.options = options;
    }

    /** A session for {@code user} on a new UDP or TCP client to {@code server}. */
    public static TurnTestSession open(InetSocketAddress server, boolean tcp, String user, String password,
            Options options) throws IOException {
        StunTestClient client = tcp ? StunTestClient.tcp(server) : StunTestClient.udp(server);
        return new TurnTestSession(client, user, password, options);
    }

    public StunTestClient client() {
        return client;
    }

    public Options options() {
        return options;
    }

    public String username() {
        return username;
    }

    /** The REALM of the last 401/438, or null before {@link #challenge()}. */
    public String realm() {
        return realm;
    }

    /** The NONCE in use. */
    public String nonce() {
        return nonce;
    }

    /** Replaces the NONCE used from now on (tests that tamper with it). */
    public void nonce(String value) {
        this.nonce = value;
    }

    /** The PASSWORD-ALGORITHMS of the last 401/438 (null if it had none). */
    public PasswordAlgorithms offered() {
        return offered;
    }

    /** Copies REALM, NONCE and PASSWORD-ALGORITHMS from another session (same client transport address). */
    public TurnTestSession adoptChallenge(TurnTestSession other) {
        this.realm = other.realm;
        this.nonce = other.nonce;
        this.offered = other.offered;
        return this;
    }

    /** An Allocate request for UDP relaying (RFC 8656 §7.1) plus {@code extra}, not yet authenticated. */
    public static StunMessage.Builder allocateRequest(StunAttribute... extra) {
        return request(Method.ALLOCATE).add(new RequestedTransport(RequestedTransport.UDP)).addAll(Arrays.asList(extra));
    }

    /** A request of {@code method} with a random transaction ID. */
    public static StunMessage.Builder request(Method method) {
        return StunMessage.builder(MessageType.request(method), TransactionId.random());
    }

    /**
     * Sends an unauthenticated Allocate and records REALM, NONCE and PASSWORD-ALGORITHMS of the 401 it must get.
     *
     * @return the 401 as received
     */
    public DecodedMessage challenge() throws Exception {
        DecodedMessage response = exchange(StunEncoder.encode(allocateRequest().build()));
        assertEquals(401, code(response.message()), () -> "expected 401, got " + response.message());
        take(response.message());
        return response;
    }

    private void take(StunMessage response) {
        realm = response.attribute(Realm.class).orElseThrow(() -> new AssertionError("no REALM in " + response))
                .value();
        nonce = response.attribute(Nonce.class).orElseThrow(() -> new AssertionError("no NONCE in " + response))
                .value();
        offered = response.attribute(PasswordAlgorithms.class).orElse(null);
    }

    /** The long-term key for the options' algorithm (RFC 8489 §9.2.2). */
    public byte[] key() {
        return key(options.algorithm());
    }

    /** The long-term key for {@code algorithm}. */
    public byte[] key(PasswordAlgorithm algorithm) {
        try {
            return LongTermKey.derive(algorithm, username, realm, password);
        } catch (PrecisException e) {
            throw new AssertionError(e);
        }
    }

    /** The integrity the requests are protected with. */
    public Integrity integrity() {
        return options.mac() == Integrity.Kind.SHA256 ? Integrity.sha256(key()) : Integrity.sha1(key());
    }

    /** Adds the identity (USERNAME or USERHASH), REALM and NONCE. */
    public StunMessage.Builder identity(StunMessage.Builder request) {
        assertNotNull(nonce, "challenge() first");
        if (options.identity() == Identity.USERHASH) {
            try {
                request.add(new UserHash(LongTermKey.userHash(username, realm)));
            } catch (PrecisException e) {
                throw new AssertionError(e);
            }
        } else {
            request.add(new Username(username));
        }
        return request.add(new Realm(realm)).add(new Nonce(nonce));
    }

    /** {@link #identity} plus, when the options say so, PASSWORD-ALGORITHMS (as offered) and PASSWORD-ALGORITHM. */
    public StunMessage.Builder credentials(StunMessage.Builder request) {
        identity(request);
        if (options.echoAlgorithms()) {
            assertNotNull(offered, "the 401 offered no PASSWORD-ALGORITHMS");
            request.add(offered).add(new io.traverse.stun.attr.PasswordAlgorithm(options.algorithm().code()));
        }
        return request;
    }

    /** Encodes with the session's integrity, attributes unchanged. */
    public byte[] encode(StunMessage message) {
        return StunEncoder.encode(message, integrity(), false);
    }

    /** Adds the credentials and encodes with the session's integrity. */
    public byte[] sign(StunMessage.Builder request) {
        return encode(credentials(request).build());
    }

    /** Sends bytes, receives one STUN message and checks any integrity attribute on it with the session's key. */
    public DecodedMessage exchange(byte[] request) throws IOException, StunParseException {
        client.sendRaw(request);
        DecodedMessage response = StunDecoder.decode(client.receiveRaw());
        TransactionId sent = TransactionId.of(Arrays.copyOfRange(request, 8, 20));
        assertEquals(sent, response.message().transactionId(), "response to another transaction");
        verifyIfProtected(response);
        return response;
    }

    /** Adds the credentials, signs, sends, receives; the response's integrity (if any) is verified. */
    public DecodedMessage send(StunMessage.Builder request) throws IOException, StunParseException {
        return exchange(sign(request));
    }

    /**
     * The whole dance: challenge first if no nonce is known, then the authenticated request; a 438 updates the
     * nonce (the 438 must be protected) and the request is retried once with a new transaction ID.
     */
    public DecodedMessage request(Method method, StunAttribute... attributes) throws Exception {
        if (nonce == null) {
            challenge();
        }
        DecodedMessage response = send(request(method).addAll(Arrays.asList(attributes)));
        if (code(response.message()) == 438) {
            assertProtected(response);
            take(response.message());
            response = send(request(method).addAll(Arrays.asList(attributes)));
        }
        return response;
    }

    /** Allocate (UDP transport) with {@code extra}; asserts success and a protected response. */
    public StunMessage allocate(StunAttribute... extra) throws Exception {
        StunAttribute[] all = new StunAttribute[extra.length + 1];
        all[0] = new RequestedTransport(RequestedTransport.UDP);
        System.arraycopy(extra, 0, all, 1, extra.length);
        return succeed(request(Method.ALLOCATE, all));
    }

    /** CreatePermission for {@code peers}; asserts success. */
    public void createPermission(InetSocketAddress... peers) throws Exception {
        StunAttribute[] attrs = new StunAttribute[peers.length];
        for (int i = 0; i < peers.length; i++) {
            attrs[i] = new XorPeerAddress(peers[i]);
        }
        succeed(request(Method.CREATE_PERMISSION, attrs));
    }

    /** ChannelBind; asserts success. */
    public void channelBind(int channel, InetSocketAddress peer) throws Exception {
        succeed(request(Method.CHANNEL_BIND, new ChannelNumber(channel), new XorPeerAddress(peer)));
    }

    /** A Send indication (RFC 8656 §10.1): never authenticated, never answered. */
    public void sendIndication(InetSocketAddress peer, byte[] data) throws IOException {
        StunMessage indication = StunMessage.builder(MessageType.indication(Method.SEND), TransactionId.random())
                .add(new XorPeerAddress(peer)).add(new Data(data)).build();
        client.sendRaw(StunEncoder.encode(indication));
    }

    /** Sends a ChannelData message, padded to a multiple of 4 on TCP (RFC 8656 §12.5). */
    public void sendChannelData(int channel, byte[] data) throws IOException {
        int length = 4 + data.length;
        byte[] frame = new byte[client.isStream() ? (length + 3) & ~3 : length];
        frame[0] = (byte) (channel >>> 8);
        frame[1] = (byte) channel;
        frame[2] = (byte) (data.length >>> 8);
        frame[3] = (byte) data.length;
        System.arraycopy(data, 0, frame, 4, data.length);
        client.sendRaw(frame);
    }

    /** Receives the next message, which must be ChannelData. */
    public ChannelDataFrame receiveChannelData() throws IOException {
        byte[] raw = client.receiveRaw();
        assertTrue(raw.length >= 4 && (raw[0] & 0xC0) == 0x40, "expected ChannelData, got " + raw.length + " bytes "
                + String.format("0x%02x...", raw.length > 0 ? raw[0] & 0xff : 0));
        int channel = ((raw[0] & 0xff) << 8) | (raw[1] & 0xff);
        int length = ((raw[2] & 0xff) << 8) | (raw[3] & 0xff);
        assertTrue(4 + length <= raw.length, "ChannelData length beyond the message");
        if (client.isStream()) {
            assertEquals((4 + length + 3) & ~3, raw.length, "ChannelData on a stream is padded to 4 (§12.5)");
            for (int i = 4 + length; i < raw.length; i++) {
                // never leftover bytes of a pooled buffer (they could be another client's data)
                assertEquals(0, raw[i], "ChannelData padding must be zero bytes");
            }
        }
        return new ChannelDataFrame(channel, Arrays.copyOfRange(raw, 4, 4 + length));
    }

    /**
     * Client → peer as ChannelData on {@code channel} and back: the peer must see the data coming from
     * {@code relayed}, and its answer to {@code relayed} must reach the client as ChannelData on the same channel.
     * Payload lengths are not multiples of 4, so TCP padding is exercised.
     */
    public void assertChannelRoundTrip(int channel, UdpPeer peer, InetSocketAddress relayed) throws IOException {
        byte[] out = ("to peer " + Integer.toHexString(channel) + " " + System.nanoTime() + "!")
                .getBytes(StandardCharsets.UTF_8);
        sendChannelData(channel, Arrays.copyOf(out, out.length | 1));
        UdpPeer.Received received = peer.receive();
        assertEquals(relayed, received.sender(), "the peer sees the relayed transport address");
        assertArrayEquals(Arrays.copyOf(out, out.length | 1), received.data());
        byte[] back = ("back " + System.nanoTime() + "..").getBytes(StandardCharsets.UTF_8);
        back = Arrays.copyOf(back, back.length | 1);
        peer.send(relayed, back);
        ChannelDataFrame frame = receiveChannelData();
        assertEquals(channel, frame.channel(), "peer data comes back on the bound channel");
        assertArrayEquals(back, frame.data());
    }

    /** The XOR-RELAYED-ADDRESS of {@code family} (IPv6 or not) in an Allocate response. */
    public static InetSocketAddress relayed(StunMessage allocateResponse, boolean ipv6) {
        for (XorRelayedAddress a : allocateResponse.attributes(XorRelayedAddress.class)) {
            if ((a.address().getAddress() instanceof Inet6Address) == ipv6) {
                return a.address();
            }
        }
        throw new AssertionError("no " + (ipv6 ? "IPv6" : "IPv4") + " XOR-RELAYED-ADDRESS in " + allocateResponse);
    }

    /** Asserts a success response protected with the session's MAC kind; returns it. */
    public StunMessage succeed(DecodedMessage response) {
        assertEquals(MessageClass.SUCCESS_RESPONSE, response.message().messageClass(),
                () -> "expected success, got " + response.message());
        assertProtected(response);
        return response.message();
    }

    /** Asserts an error response with {@code code} protected with the session's MAC kind (RFC 8489 §9.2.4). */
    public StunMessage fail(DecodedMessage response, int code) {
        assertEquals(code, code(response.message()), () -> "expected " + code + ", got " + response.message());
        assertProtected(response);
        return response.message();
    }

    /** Asserts that the response carries exactly the integrity attribute the requests use, valid for the key. */
    public void assertProtected(DecodedMessage response) {
        if (options.mac() == Integrity.Kind.SHA256) {
            assertTrue(response.hasMessageIntegritySha256(), "response lacks MESSAGE-INTEGRITY-SHA256");
            assertFalse(response.hasMessageIntegrity(), "response has MESSAGE-INTEGRITY too");
            assertTrue(response.verifyMessageIntegritySha256(key()), "MESSAGE-INTEGRITY-SHA256 does not verify");
        } else {
            assertTrue(response.hasMessageIntegrity(), "response lacks MESSAGE-INTEGRITY");
            assertFalse(response.hasMessageIntegritySha256(), "response has MESSAGE-INTEGRITY-SHA256 too");
            assertTrue(response.verifyMessageIntegrity(key()), "MESSAGE-INTEGRITY does not verify");
        }
    }

    /** Asserts that the response carries no integrity attribute (401, 400 before the key is known). */
    public static void assertUnprotected(DecodedMessage response) {
        assertFalse(response.hasMessageIntegrity(), "unexpected MESSAGE-INTEGRITY");
        assertFalse(response.hasMessageIntegritySha256(), "unexpected MESSAGE-INTEGRITY-SHA256");
    }

    private void verifyIfProtected(DecodedMessage response) {
        if (realm == null) {
            return;
        }
        if (response.hasMessageIntegritySha256() && !response.verifyMessageIntegritySha256(key())) {
            org.junit.jupiter.api.Assertions.fail("response MESSAGE-INTEGRITY-SHA256 does not verify: " + response.message());
        }
        if (response.hasMessageIntegrity() && !response.verifyMessageIntegrity(key())) {
            org.junit.jupiter.api.Assertions.fail("response MESSAGE-INTEGRITY does not verify: " + response.message());
        }
    }

    @Override
    public void close() throws IOException {
        client.close();
    }

    /** The ERROR-CODE of a response, 0 for a success response. */
    public static int code(StunMessage response) {
        if (response.messageClass() == MessageClass.SUCCESS_RESPONSE) {
            return 0;
        }
        assertEquals(MessageClass.ERROR_RESPONSE, response.messageClass(), () -> "not a response: " + response);
        return response.attribute(ErrorCodeAttribute.class)
                .orElseThrow(() -> new AssertionError("error response without ERROR-CODE: " + response)).code();
    }
}
