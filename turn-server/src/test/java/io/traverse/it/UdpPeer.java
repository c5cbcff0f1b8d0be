package io.traverse.it;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Arrays;

/** A TURN peer for tests: a plain UDP socket on a loopback address. */
public final class UdpPeer implements AutoCloseable {
    /** A datagram as received. */
    public record Received(InetSocketAddress sender, byte[] data) {}

    private final DatagramSocket socket;

    private UdpPeer(DatagramSocket socket) {
        this.socket = socket;
    }

    /** A peer on {@code host} ("127.0.0.1" or "::1"), ephemeral port, 3 s receive timeout. */
    public static UdpPeer on(String host) throws IOException {
        DatagramSocket socket = new DatagramSocket(new InetSocketAddress(InetAddress.getByName(host), 0));
        socket.setSoTimeout(3000);
        return new UdpPeer(socket);
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) socket.getLocalSocketAddress();
    }

    public Received receive() throws IOException {
        byte[] buf = new byte[65536];
        DatagramPacket packet = new DatagramPacket(buf, buf.length);
        socket.receive(packet);
        return new Received((InetSocketAddress) packet.getSocketAddress(),
                Arrays.copyOf(buf, packet.getLength()));
    }

    /** Sets the receive timeout. */
    public void timeout(int millis) throws IOException {
        socket.setSoTimeout(millis);
    }

    public void send(InetSocketAddress to, byte[] data) throws IOException {
        socket.send(new DatagramPacket(data, data.length, to));
    }

    @Override
    public void close() {
        socket.close();
    }
}
