package io.traverse.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.traverse.metrics.TraverseMetrics;
import io.traverse.metrics.TraverseMetrics.DropReason;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A UDP listener's relayed datagrams on epoll: queued outside the listener's channel and sent with {@code sendmmsg}
 * at the end of the loop's round, on real loopback sockets. What a recipient refuses is dropped alone and counted;
 * a full queue is sent at once; every buffer is given back.
 */
class RoundFlushEpollTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    private final TraverseMetrics metrics = TraverseMetrics.inMemory();
    private EventLoopGroup group;
    private EventLoop loop;
    private Channel listener;
    private RoundFlush roundFlush;
    private final List<DatagramChannel> clients = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        assertEquals(IoTransport.EPOLL, IoTransport.select("auto"), "the direct path exists on Linux epoll only");
        group = IoTransport.EPOLL.newEventLoopGroup(1);
        loop = group.next();
        listener = new Bootstrap().group(loop).channelFactory(() -> IoTransport.EPOLL.newDatagramChannel(LOOPBACK))
                .handler(new ChannelInboundHandlerAdapter()).bind(new InetSocketAddress(LOOPBACK, 0)).sync()
                .channel();
        roundFlush = new RoundFlush(listener, metrics);
        assertTrue(NativeDatagrams.AVAILABLE, "Netty's sendmmsg and recvmsg are reachable (the Netty in the pom)");
        assertTrue(roundFlush.direct(), "an epoll listener with metrics sends outside its channel");
    }

    @AfterEach
    void stop() throws Exception {
        for (DatagramChannel client : clients) {
            client.close();
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private DatagramChannel client() throws Exception {
        DatagramChannel client = DatagramChannel.open().bind(new InetSocketAddress(LOOPBACK, 0));
        client.configureBlocking(false);
        clients.add(client);
        return client;
    }

    private <T> T onLoop(Callable<T> task) throws Exception {
        return loop.submit(task).get(10, TimeUnit.SECONDS);
    }

    private static ByteBuf datagram(int... bytes) {
        ByteBuf buf = Unpooled.directBuffer(bytes.length);
        for (int b : bytes) {
            buf.writeByte(b);
        }
        return buf;
    }

    /** Datagrams waiting on {@code client} now, each as its first byte. */
    private static List<Integer> drain(DatagramChannel client) throws Exception {
        List<Integer> got = new ArrayList<>();
        ByteBuffer in = ByteBuffer.allocate(2048);
        while (client.receive(in.clear()) != null) {
            got.add(in.flip().remaining() == 0 ? -1 : in.get(0) & 0xff);
        }
        return got;
    }

    /** Waits until {@code count} datagrams arrived on {@code client} (loopback delivers within the send call). */
    private static List<Integer> receive(DatagramChannel client, int count) throws Exception {
        List<Integer> got = new ArrayList<>();
        for (int i = 0; i < 500 && got.size() < count; i++) {
            got.addAll(drain(client));
            if (got.size() < count) {
                Thread.sleep(10);
            }
        }
        return got;
    }

    private static InetSocketAddress address(DatagramChannel client) throws Exception {
        return (InetSocketAddress) client.getLocalAddress();
    }

    @Test
    void datagramsOfOneRoundLeaveTogetherAfterIt() throws Exception {
        DatagramChannel a = client();
        DatagramChannel b = client();
        ByteBuf first = datagram(1, 0, 0, 0);
        ByteBuf second = datagram(2, 0);
        ByteBuf third = datagram(3);
        int waitingBeforeTheRoundEnded = onLoop(() -> {
            roundFlush.write(first, address(a));
            roundFlush.request(); // one relay socket's batch ends
            roundFlush.write(second, address(b));
            roundFlush.write(third, address(a));
            roundFlush.request(); // another one's
            return drain(a).size() + drain(b).size();
        });
        assertEquals(0, waitingBeforeTheRoundEnded, "nothing leaves before the loop's round ends");
        assertEquals(List.of(1, 3), receive(a, 2), "in the order written");
        assertEquals(List.of(2), receive(b, 1));
        assertEquals(0, first.refCnt() + second.refCnt() + third.refCnt(), "buffers given back once sent");
        assertEquals(0, metrics.droppedCount(DropReason.CLIENT_BACKLOG)
                + metrics.droppedCount(DropReason.RELAY_SOCKET_ERROR));
    }

    @Test
    void anIpv6ListenerSendsToIpv6Clients() throws Exception {
        InetAddress ipv6 = InetAddress.getByName("::1");
        Channel listener6 = new Bootstrap().group(loop).channelFactory(() -> IoTransport.EPOLL.newDatagramChannel(ipv6))
                .handler(new ChannelInboundHandlerAdapter()).bind(new InetSocketAddress(ipv6, 0)).sync().channel();
        try {
            RoundFlush flush6 = new RoundFlush(listener6, metrics);
            assertTrue(flush6.direct());
            DatagramChannel client = DatagramChannel.open().bind(new InetSocketAddress(ipv6, 0));
            client.configureBlocking(false);
            clients.add(client);
            ByteBuf buf = datagram(7, 1);
            onLoop(() -> {
                flush6.write(buf, address(client));
                flush6.request();
                return null;
            });
            assertEquals(List.of(7), receive(client, 1), "sendmmsg builds an IPv6 socket address for an IPv6 socket");
            assertEquals(0, buf.refCnt());
        } finally {
            listener6.close().sync();
        }
    }

    @Test
    void aDatagramTheKernelRefusesIsDroppedAloneAndCounted() throws Exception {
        DatagramChannel a = client();
        ByteBuf before = datagram(1);
        ByteBuf refused = datagram(2);
        ByteBuf after = datagram(3);
        onLoop(() -> {
            roundFlush.write(before, address(a));
            roundFlush.write(refused, new InetSocketAddress(LOOPBACK, 0)); // port 0: EINVAL from sendmmsg
            roundFlush.write(after, address(a));
            roundFlush.request();
            return null;
        });
        assertEquals(List.of(1, 3), receive(a, 2), "the datagrams around the refused one still leave");
        onLoop(() -> null);
        assertEquals(1, metrics.droppedCount(DropReason.RELAY_SOCKET_ERROR), "the refused datagram is counted");
        assertEquals(0, before.refCnt() + refused.refCnt() + after.refCnt(), "every buffer given back");
    }

    @Test
    void aFullQueueIsSentAtOnce() throws Exception {
        // Spread over clients so that no client's receive buffer (212 KB by default) overflows.
        List<DatagramChannel> many = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            many.add(client());
        }
        int total = RoundFlush.MAX_QUEUED + 6;
        List<ByteBuf> written = new ArrayList<>();
        int sentBeforeTheRoundEnded = onLoop(() -> {
            for (int i = 0; i < total; i++) {
                ByteBuf buf = datagram(i % 251, 0, 0, 0);
                written.add(buf);
                roundFlush.write(buf, address(many.get(i % many.size())));
            }
            roundFlush.request();
            int waiting = 0;
            for (DatagramChannel client : many) {
                waiting += drain(client).size();
            }
            return waiting;
        });
        assertEquals(RoundFlush.MAX_QUEUED, sentBeforeTheRoundEnded,
                "the queue went out when it was full, before the round ended");
        int rest = 0;
        for (int i = 0; i < 100 && rest < total - RoundFlush.MAX_QUEUED; i++) {
            for (DatagramChannel client : many) {
                rest += drain(client).size();
            }
            Thread.sleep(10);
        }
        assertEquals(total - RoundFlush.MAX_QUEUED, rest, "the rest at the round's end");
        onLoop(() -> null);
        assertEquals(0, written.stream().mapToInt(ByteBuf::refCnt).sum(), "every buffer given back");
    }

    @Test
    void closingTheListenerGivesQueuedBuffersBack() throws Exception {
        DatagramChannel a = client();
        ByteBuf queued = datagram(1);
        onLoop(() -> {
            roundFlush.write(queued, address(a));
            listener.close(); // before the round's end: the queue never leaves
            return null;
        });
        onLoop(() -> null);
        onLoop(() -> null);
        assertEquals(0, queued.refCnt(), "the queued buffer is released with the listener");
        assertEquals(List.of(), drain(a));
        ByteBuf late = datagram(2);
        onLoop(() -> {
            roundFlush.write(late, address(a));
            roundFlush.request();
            return null;
        });
        onLoop(() -> null);
        onLoop(() -> null);
        assertEquals(0, late.refCnt(), "a datagram for a closed listener is dropped and released");
        assertEquals(List.of(), drain(a));
    }
}
