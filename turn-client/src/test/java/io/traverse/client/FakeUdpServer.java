package io.traverse.client;

import io.traverse.stun.ErrorCode;
import io.traverse.stun.StunMessage;
import io.traverse.stun.codec.DecodedMessage;
import io.traverse.stun.codec.Integrity;
import io.traverse.stun.codec.StunDecoder;
import io.traverse.stun.codec.StunEncoder;
import io.traverse.stun.codec.StunParseException;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Arrays;

/** A scripted STUN "server" for codec-level client tests: a plain DatagramSocket on 127.0.0.1. */
final class FakeUdpServer implements AutoCloseable {
    private final DatagramSocket socket;
    private SocketAddress lastSender;
    private byte[] lastBytes;

    FakeUdpServer() throws IOException {
        socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        socket.setSoTimeout(5000);
    }

    InetSocketAddress address() {
        return (InetSocketAddress) socket.getLocalSocketAddress();
    }

    /** The next datagram's raw bytes. */
    byte[] receiveRaw() throws IOException {
        byte[] buf = new byte[65536];
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        socket.receive(p);
        lastSender = p.getSocketAddress();
        lastBytes = Arrays.copyOf(buf, p.getLength());
        return lastBytes;
    }

    /** The next datagram, decoded as STUN. */
    DecodedMessage receive() throws IOException, StunParseException {
        return StunDecoder.decode(receiveRaw());
    }

    byte[] lastBytes() {
        return lastBytes.clone();
    }

    void setTimeout(int millis) throws IOException {
        socket.setSoTimeout(millis);
    }

    void sendRaw(byte[] bytes) throws IOException {
        socket.send(new DatagramPacket(bytes, bytes.length, lastSender));
    }

    void reply(StunMessage message, Integrity integrity) throws IOException {
        sendRaw(StunEncoder.encode(message, integrity, false));
    }

    void reply(StunMessage.Builder message, Integrity integrity) throws IOException {
        reply(message.build(), integrity);
    }

    /** An error response without integrity. */
    void replyError(StunMessage request, ErrorCode code) throws IOException {
        reply(StunMessage.errorResponseTo(request, code), Integrity.none());
    }

    @Override
    public void close() {
        socket.close();
    }
}
