package io.traverse.cli;

import io.traverse.stun.ErrorCode;
import io.traverse.stun.MessageClass;
import io.traverse.stun.MessageType;
import io.traverse.stun.Method;
import io.traverse.stun.StunMessage;
import io.traverse.stun.TransactionId;
import io.traverse.stun.attr.ChannelNumber;
import io.traverse.stun.attr.Data;
import io.traverse.stun.attr.Lifetime;
import io.traverse.stun.attr.Nonce;
import io.traverse.stun.attr.PasswordAlgorithms;
import io.traverse.stun.attr.Realm;
import io.traverse.stun.attr.XorMappedAddress;
import io.traverse.stun.attr.XorPeerAddress;
import io.traverse.stun.attr.XorRelayedAddress;
import io.traverse.stun.auth.LongTermKey;
import io.traverse.stun.auth.NonceCookie;
import io.traverse.stun.auth.PasswordAlgorithm;
import io.traverse.stun.codec.DecodedMessage;
import io.traverse.stun.codec.Integrity;
import io.traverse.stun.codec.StunDecoder;
import io.traverse.stun.codec.StunEncoder;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A scripted TURN server over UDP for probe tests, standing in until the real server implements TURN: answers
 * Binding, challenges Allocate (401 with REALM, a nonce cookie and PASSWORD-ALGORITHMS sha256, md5) and
 * accepts MESSAGE-INTEGRITY-SHA256 with the SHA-256 key of one user, hands out made-up relayed addresses,
 * and relays between its own allocations (ChannelData and Send in, ChannelData or Data indications out).
 * Knobs: {@link #silent}, {@link #rejectCredentials}, {@link #denyPermissions}, {@link #echoUnknownPeers}.
 */
final class FakeTurnServer implements AutoCloseable {
    static final String REALM = "fake.example";
    static final String NONCE = NonceCookie.encode(1) + "fake-nonce";
    static final PasswordAlgorithms OFFERED = new PasswordAlgorithms(List.of(
            io.traverse.stun.attr.PasswordAlgorithm.sha256(), io.traverse.stun.attr.PasswordAlgorithm.md5()));

    volatile boolean silent;
    volatile boolean rejectCredentials;
    volatile boolean denyPermissions;
    volatile boolean echoUnknownPeers;

    private final DatagramSocket socket;
    private final byte[] key;
    private final Thread thread;
    private final Map<InetSocketAddress, InetSocketAddress> relayOfClient = new HashMap<>();
    private final Map<InetSocketAddress, InetSocketAddress> clientOfRelay = new HashMap<>();
    private final Map<InetSocketAddress, Map<Integer, InetSocketAddress>> channels = new HashMap<>();
    private int nextRelayPort = 50000;

    FakeTurnServer(String user, String password) throws Exception {
        key = LongTermKey.derive(PasswordAlgorithm.SHA256, user, REALM, password);
        socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        thread = new Thread(this::loop, "fake-turn-server");
        thread.setDaemon(true);
        thread.start();
    }

    InetSocketAddress address() {
        return (InetSocketAddress) socket.getLocalSocketAddress();
    }

    String url() {
        return "turn:127.0.0.1:" + address().getPort() + "?transport=udp";
    }

    private void loop() {
        byte[] buf = new byte[65536];
        while (!socket.isClosed()) {
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            try {
                socket.receive(p);
                if (!silent) {
                    handle(Arrays.copyOf(buf, p.getLength()), (InetSocketAddress) p.getSocketAddress());
                }
            } catch (SocketException e) {
                return; // closed
            } catch (Exception e) {
                // a broken packet must not stop the fake
            }
        }
    }

    private synchronized void handle(byte[] packet, InetSocketAddress from) throws Exception {
        if ((packet[0] & 0xC0) == 0x40) {
            int channel = ((packet[0] & 0xFF) << 8) | (packet[1] & 0xFF);
            int length = ((packet[2] & 0xFF) << 8) | (packet[3] & 0xFF);
            InetSocketAddress peer = channels.getOrDefault(from, Map.of()).get(channel);
            if (peer != null) {
                relay(from, peer, Arrays.copyOfRange(packet, 4, 4 + length), channel);
            }
            return;
        }
        DecodedMessage decoded = StunDecoder.decode(packet);
        StunMessage m = decoded.message();
        if (m.messageClass() == MessageClass.INDICATION && m.method().equals(Method.SEND)) {
            relay(from, m.attribute(XorPeerAddress.class).orElseThrow().address(),
                    m.attribute(Data.class).orElseThrow().data(), -1);
            return;
        }
        if (m.messageClass() != MessageClass.REQUEST) {
            return;
        }
        if (m.method().equals(Method.BINDING)) {
            send(StunMessage.successResponseTo(m).add(new XorMappedAddress(from)).build(), Integrity.none(), from);
            return;
        }
        boolean authentic = decoded.hasMessageIntegritySha256() && decoded.verifyMessageIntegritySha256(key);
        if (!authentic || rejectCredentials) {
            send(StunMessage.errorResponseTo(m, ErrorCode.UNAUTHENTICATED).add(new Realm(REALM)).add(new Nonce(NONCE))
                    .add(OFFERED).build(), Integrity.none(), from);
            return;
        }
        Integrity protect = Integrity.sha256(key);
        if (m.method().equals(Method.ALLOCATE)) {
            InetSocketAddress relay = new InetSocketAddress(InetAddress.getByName("192.0.2.1"), nextRelayPort++);
            relayOfClient.put(from, relay);
            clientOfRelay.put(relay, from);
            send(StunMessage.successResponseTo(m).add(new XorRelayedAddress(relay)).add(new Lifetime(600))
                    .add(new XorMappedAddress(from)).build(), protect, from);
        } else if (m.method().equals(Method.CREATE_PERMISSION)) {
            send(denyPermissions
                    ? StunMessage.errorResponseTo(m, ErrorCode.FORBIDDEN).build()
                    : StunMessage.successResponseTo(m).build(), protect, from);
        } else if (m.method().equals(Method.CHANNEL_BIND)) {
            channels.computeIfAbsent(from, k -> new HashMap<>()).put(
                    m.attribute(ChannelNumber.class).orElseThrow().number(),
                    m.attribute(XorPeerAddress.class).orElseThrow().address());
            send(StunMessage.successResponseTo(m).build(), protect, from);
        } else if (m.method().equals(Method.REFRESH)) {
            send(StunMessage.successResponseTo(m).add(m.attribute(Lifetime.class).orElse(new Lifetime(600))).build(),
                    protect, from);
        } else {
            send(StunMessage.errorResponseTo(m, ErrorCode.BAD_REQUEST).build(), protect, from);
        }
    }

    /** Data from {@code client}'s relay to {@code peer}: another fake allocation, or echoed by an unknown peer. */
    private void relay(InetSocketAddress client, InetSocketAddress peer, byte[] data, int channel) throws IOException {
        InetSocketAddress fromRelay = relayOfClient.get(client);
        InetSocketAddress owner = clientOfRelay.get(peer);
        if (owner != null) {
            deliver(owner, fromRelay, data);
        } else if (echoUnknownPeers) {
            deliver(client, peer, data);
        }
    }

    /** Peer data to a client: ChannelData when it bound a channel to that peer, else a Data indication. */
    private void deliver(InetSocketAddress client, InetSocketAddress peer, byte[] data) throws IOException {
        for (Map.Entry<Integer, InetSocketAddress> e : channels.getOrDefault(client, Map.of()).entrySet()) {
            if (e.getValue().equals(peer)) {
                byte[] frame = new byte[4 + data.length];
                frame[0] = (byte) (e.getKey() >> 8);
                frame[1] = (byte) (int) e.getKey();
                frame[2] = (byte) (data.length >> 8);
                frame[3] = (byte) data.length;
                System.arraycopy(data, 0, frame, 4, data.length);
                socket.send(new DatagramPacket(frame, frame.length, client));
                return;
            }
        }
        send(StunMessage.builder(MessageType.indication(Method.DATA), TransactionId.random())
                .add(new XorPeerAddress(peer)).add(new Data(data)).build(), Integrity.none(), client);
    }

    private void send(StunMessage m, Integrity integrity, InetSocketAddress to) throws IOException {
        byte[] bytes = StunEncoder.encode(m, integrity, false);
        socket.send(new DatagramPacket(bytes, bytes.length, to));
    }

    @Override
    public void close() {
        socket.close();
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
