package io.traverse.client;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.util.Arrays;

/**
 * A connected {@link DatagramSocket}: only the server's datagrams are received, and an ICMP port
 * unreachable surfaces as {@link java.net.PortUnreachableException} on the next receive.
 */
final class UdpClientTransport implements ClientTransport {
    private final DatagramSocket socket;
    private final InetSocketAddress server;
    private final byte[] buffer = new byte[65_536];

    private UdpClientTransport(DatagramSocket socket, InetSocketAddress server) {
        this.socket = socket;
        this.server = server;
    }

    static UdpClientTransport open(InetSocketAddress server, TurnClientOptions options) throws IOException {
        requireResolved(server);
        InetSocketAddress local = options.localAddress().orElseGet(() -> wildcardFor(server.getAddress()));
        DatagramSocket socket = new DatagramSocket(null);
        try {
            socket.bind(local);
            socket.connect(server);
            return new UdpClientTransport(socket, server);
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    static InetSocketAddress wildcardFor(InetAddress server) {
        try {
            return new InetSocketAddress(InetAddress.getByName(server instanceof Inet6Address ? "::" : "0.0.0.0"), 0);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException("wildcard literal did not parse", e);
        }
    }

    static void requireResolved(InetSocketAddress server) throws java.net.UnknownHostException {
        if (server.isUnresolved()) {
            throw new java.net.UnknownHostException(server.getHostString());
        }
    }

    @Override
    public void send(byte[] frame) throws IOException {
        socket.send(new DatagramPacket(frame, frame.length));
    }

    @Override
    public byte[] receive(long timeoutMillis) throws IOException {
        socket.setSoTimeout((int) Math.max(1, Math.min(Integer.MAX_VALUE, timeoutMillis)));
        DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
        try {
            socket.receive(packet);
        } catch (SocketTimeoutException e) {
            return null;
        }
        return Arrays.copyOf(buffer, packet.getLength());
    }

    @Override
    public boolean reliable() {
        return false;
    }

    @Override
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) socket.getLocalSocketAddress();
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return server;
    }

    @Override
    public void close() {
        socket.close();
    }
}
