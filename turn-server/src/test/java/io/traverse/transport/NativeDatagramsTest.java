package io.traverse.transport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.unix.Socket;
import io.traverse.net.Ip128;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Netty's package-private {@code recvmsg} and {@code sendmmsg}, reached through {@link NativeDatagrams}, on real
 * loopback sockets. The first test fails when the Netty on the class path no longer has them: the server would
 * still work, on the slower public calls, and this says so at build time.
 */
class NativeDatagramsTest {
    @Test
    void nettysBatchedCallsAreReachable() {
        assertTrue(NativeDatagrams.AVAILABLE, "NativeDatagrams could not reach Netty's recvmsg0/sendmmsg0 (see log)");
    }

    @Test
    void recvmsgReadsADatagramAndItsSenderWithoutAnObject() throws Exception {
        check(InetAddress.getByName("127.0.0.1"));
    }

    @Test
    void recvmsgReportsAnIpv6Sender() throws Exception {
        check(InetAddress.getByName("::1"));
    }

    private static void check(InetAddress loopback) throws Exception {
        boolean ipv6 = loopback.getAddress().length == 16;
        Socket socket = new Fd(ipv6);
        ByteBuf buf = Unpooled.directBuffer(64);
        NativeDatagrams.PacketArray packet = new NativeDatagrams.PacketArray();
        try (DatagramSocket peer = new DatagramSocket(new InetSocketAddress(loopback, 0))) {
            socket.bind(new InetSocketAddress(loopback, 0));
            int port = socket.localAddress().getPort();
            packet.add(buf, 4, 60, null);
            assertEquals(NativeDatagrams.EAGAIN, packet.recvmsg(socket.intValue(), ipv6), "nothing to read yet");

            peer.send(new DatagramPacket(new byte[] {5, 6, 7}, 3, new InetSocketAddress(loopback, port)));
            int read = -1;
            for (int i = 0; i < 500 && read < 0; i++) {
                packet.clear();
                packet.add(buf, 4, 60, null);
                read = packet.recvmsg(socket.intValue(), ipv6);
                if (read < 0) {
                    assertEquals(NativeDatagrams.EAGAIN, read);
                    Thread.sleep(10);
                }
            }
            assertEquals(3, read);
            assertArrayEquals(new byte[] {5, 6, 7}, ByteBufUtil.getBytes(buf, 4, 3), "read at the offset given");
            assertEquals(peer.getLocalPort(), packet.senderPort());
            assertEquals(Ip128.hi(loopback), packet.senderHi());
            assertEquals(Ip128.lo(loopback), packet.senderLo());
            assertEquals(new InetSocketAddress(loopback, peer.getLocalPort()), packet.sender());
        } finally {
            packet.release();
            buf.release();
            socket.close();
        }
    }

    @Test
    void sendmmsgSendsToSeveralRecipientsInOneCall() throws Exception {
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        Socket socket = new Fd(false);
        ByteBuf one = Unpooled.directBuffer(8).writeBytes(new byte[] {9, 1, 2});
        ByteBuf two = Unpooled.directBuffer(8).writeBytes(new byte[] {3, 4});
        NativeDatagrams.PacketArray packets = new NativeDatagrams.PacketArray();
        try (DatagramSocket a = new DatagramSocket(new InetSocketAddress(loopback, 0));
                DatagramSocket b = new DatagramSocket(new InetSocketAddress(loopback, 0))) {
            a.setSoTimeout(5000);
            b.setSoTimeout(5000);
            socket.bind(new InetSocketAddress(loopback, 0));
            assertTrue(packets.add(one, 1, 2, (InetSocketAddress) a.getLocalSocketAddress()));
            assertTrue(packets.add(two, 0, 2, (InetSocketAddress) b.getLocalSocketAddress()));
            assertEquals(2, packets.count());
            assertEquals(2, packets.sendmmsg(socket.intValue(), false, 0), "both in one call");
            assertArrayEquals(new byte[] {1, 2}, receive(a), "the bytes at the index and length given");
            assertArrayEquals(new byte[] {3, 4}, receive(b));
            packets.clear();
            assertEquals(0, packets.count());
        } finally {
            packets.release();
            one.release();
            two.release();
            socket.close();
        }
    }

    /** A non-blocking datagram socket of the family asked for (Netty's public factory picks the family itself). */
    private static final class Fd extends Socket {
        Fd(boolean ipv6) {
            super(newSocketDgram0(ipv6));
        }
    }

    private static byte[] receive(DatagramSocket socket) throws Exception {
        DatagramPacket packet = new DatagramPacket(new byte[64], 64);
        socket.receive(packet);
        return Arrays.copyOf(packet.getData(), packet.getLength());
    }
}
