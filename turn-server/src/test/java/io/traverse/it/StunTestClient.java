package io.traverse.it;

import io.traverse.stun.StunMessage;
import io.traverse.stun.codec.DecodedMessage;
import io.traverse.stun.codec.StunDecoder;
import io.traverse.stun.codec.StunParseException;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Arrays;

/** A blocking STUN client over UDP or TCP for integration tests (plain JDK sockets, not our transport). */
public final class StunTestClient implements AutoCloseable {
    private final DatagramSocket udp;
    private final Socket tcp;
    private final InetSocketAddress server;

    private StunTestClient(DatagramSocket udp, Socket tcp, InetSocketAddress server) {
        this.udp = udp;
        this.tcp = tcp;
        this.server = server;
    }

    /**
     * UDP client ports handed out once each per test JVM, from 20000-31999: below Linux's ephemeral range
     * (32768-60999) and the relay ports (61000+). With ephemeral ports the OS may give a closed session's port to a
     * later one; a long-lived test server still holding the closed session's allocation then rightly answers the new
     * session's Allocate with 437 (RFC 8656 §7.2 step 2), which made tests fail now and then.
     */
    private static final java.util.concurrent.atomic.AtomicInteger NEXT_UDP_PORT =
            new java.util.concurrent.atomic.AtomicInteger((int) (ProcessHandle.current().pid() % 12000));

    private static DatagramSocket unusedPortSocket(java.net.InetAddress address) throws IOException {
        for (int attempt = 0; attempt < 100; attempt++) {
            int port = 20000 + Math.floorMod(NEXT_UDP_PORT.getAndIncrement(), 12000);
            try {
                return new DatagramSocket(new InetSocketAddress(address, port));
            } catch (java.net.BindException taken) {
                // another process holds it: the next one
            }
        }
        return new DatagramSocket(new InetSocketAddress(address, 0));
    }

    public static StunTestClient udp(InetSocketAddress server) throws IOException {
        DatagramSocket socket = unusedPortSocket(server.getAddress());
        socket.setSoTimeout(3000);
        return new StunTestClient(socket, null, server);
    }

    public static StunTestClient tcp(InetSocketAddress server) throws IOException {
        Socket socket = new Socket();
        socket.bind(new InetSocketAddress(server.getAddress(), 0));
        socket.connect(server, 3000);
        socket.setSoTimeout(3000);
        socket.setTcpNoDelay(true);
        return new StunTestClient(null, socket, server);
    }

    /** A client over an already connected stream socket (for TLS: a {@link javax.net.ssl.SSLSocket}). */
    public static StunTestClient stream(Socket socket) throws IOException {
        socket.setSoTimeout(3000);
        return new StunTestClient(null, socket, (InetSocketAddress) socket.getRemoteSocketAddress());
    }

    /** The client's own address: what the server must report as reflexive address on loopback. */
    public InetSocketAddress localAddress() {
        return udp != null ? (InetSocketAddress) udp.getLocalSocketAddress()
                : (InetSocketAddress) tcp.getLocalSocketAddress();
    }

    public void sendRaw(byte[] bytes) throws IOException {
        if (udp != null) {
            udp.send(new DatagramPacket(bytes, bytes.length, server));
        } else {
            OutputStream out = tcp.getOutputStream();
            out.write(bytes);
            out.flush();
        }
    }

    /** Receives one STUN message (UDP datagram, or one framed message on TCP). */
    public DecodedMessage receive() throws IOException, StunParseException {
        if (udp != null) {
            byte[] buf = new byte[65536];
            DatagramPacket packet = new DatagramPacket(buf, buf.length);
            udp.receive(packet);
            return StunDecoder.decode(Arrays.copyOf(buf, packet.getLength()));
        }
        DataInputStream in = new DataInputStream(tcp.getInputStream());
        byte[] header = new byte[20];
        in.readFully(header);
        int length = ((header[2] & 0xff) << 8) | (header[3] & 0xff);
        byte[] whole = Arrays.copyOf(header, 20 + length);
        in.readFully(whole, 20, length);
        return StunDecoder.decode(whole);
    }

    /**
     * Receives one message as raw bytes: a whole UDP datagram, or on TCP one STUN message or one ChannelData frame
     * including its padding to a multiple of 4 (RFC 8656 §12.5).
     */
    public byte[] receiveRaw() throws IOException {
        if (udp != null) {
            byte[] buf = new byte[65536];
            DatagramPacket packet = new DatagramPacket(buf, buf.length);
            udp.receive(packet);
            return Arrays.copyOf(buf, packet.getLength());
        }
        DataInputStream in = new DataInputStream(tcp.getInputStream());
        byte[] header = new byte[4];
        in.readFully(header);
        int length = ((header[2] & 0xff) << 8) | (header[3] & 0xff);
        boolean channelData = (header[0] & 0xC0) == 0x40;
        int rest = channelData ? (length + 3) & ~3 : 16 + length;
        byte[] whole = Arrays.copyOf(header, 4 + rest);
        in.readFully(whole, 4, rest);
        return whole;
    }

    /** Sets the receive timeout. */
    public void timeout(int millis) throws IOException {
        if (udp != null) {
            udp.setSoTimeout(millis);
        } else {
            tcp.setSoTimeout(millis);
        }
    }

    /** True for a TCP client (ChannelData must then be padded, RFC 8656 §12.5). */
    public boolean isStream() {
        return tcp != null;
    }

    public StunMessage exchange(byte[] request) throws IOException, StunParseException {
        sendRaw(request);
        return receive().message();
    }

    @Override
    public void close() throws IOException {
        if (udp != null) {
            udp.close();
        } else {
            tcp.close();
        }
    }
}
