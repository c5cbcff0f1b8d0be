package io.traverse.transport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.unix.Socket;
import io.traverse.metrics.TraverseMetrics;
import io.traverse.turn.TransportProtocol;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A UDP listener socket read by {@link EpollListenerReads} instead of its Netty channel, on real loopback sockets:
 * every datagram arrives once, in order, with its sender; a sender's address object is reused; a wake-up with more
 * than a batch waiting reads them all in batches; a datagram something kept a reference to is not overwritten;
 * closing the channel closes the second descriptor; {@link UdpServerHandler} answers STUN through it.
 */
class EpollListenerReadsTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    private final TraverseMetrics metrics = TraverseMetrics.inMemory();
    private final List<DatagramChannel> clients = new ArrayList<>();
    private EventLoopGroup group;
    private EventLoop loop;
    private Channel listener;
    private Recorder recorder;

    /** The listener's handler: takes over the reads and records what arrives (on the loop). */
    private static class Recorder extends ChannelInboundHandlerAdapter implements EpollListenerReads.Datagrams {
        final List<String> payloads = new CopyOnWriteArrayList<>();
        final List<InetSocketAddress> senders = new CopyOnWriteArrayList<>();
        final List<Integer> batches = new CopyOnWriteArrayList<>();
        volatile int channelReads;
        volatile EpollListenerReads reads;
        int inBatch;

        @Override
        public void channelActive(ChannelHandlerContext ctx) throws Exception {
            reads = EpollListenerReads.start(ctx.channel(), this);
            super.channelActive(ctx);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            channelReads++;
            io.netty.util.ReferenceCountUtil.release(msg);
        }

        @Override
        public void datagram(ByteBuf content, InetSocketAddress sender) {
            payloads.add(HexFormat.of().formatHex(ByteBufUtil.getBytes(content)));
            senders.add(sender);
            inBatch++;
        }

        @Override
        public void endOfBatch() {
            batches.add(inBatch);
            inBatch = 0;
        }

        @Override
        public void endOfReads() {
        }
    }

    @BeforeEach
    void start() {
        assertEquals(IoTransport.EPOLL, IoTransport.select("auto"), "the direct reads exist on Linux epoll only");
        assertTrue(NativeDatagrams.AVAILABLE, "Netty's recvmmsg is reachable (the Netty in the pom)");
        group = IoTransport.EPOLL.newEventLoopGroup(1);
        loop = group.next();
    }

    private void bind(ChannelInboundHandlerAdapter handler) throws Exception {
        bind(handler, LOOPBACK);
    }

    private void bind(ChannelInboundHandlerAdapter handler, InetAddress address) throws Exception {
        listener = new Bootstrap().group(loop).channelFactory(() -> IoTransport.EPOLL.newDatagramChannel(address))
                .handler(handler).bind(new InetSocketAddress(address, 0)).sync().channel();
        // channelActive runs as a task after the bind's promise: wait for it.
        loop.submit(() -> { }).get(10, TimeUnit.SECONDS);
    }

    @AfterEach
    void stop() throws Exception {
        for (DatagramChannel client : clients) {
            client.close();
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private DatagramChannel client() throws Exception {
        return client(LOOPBACK);
    }

    private DatagramChannel client(InetAddress address) throws Exception {
        DatagramChannel client = DatagramChannel.open().bind(new InetSocketAddress(address, 0));
        clients.add(client);
        return client;
    }

    private void send(DatagramChannel client, int... bytes) throws Exception {
        byte[] data = new byte[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            data[i] = (byte) bytes[i];
        }
        client.send(ByteBuffer.wrap(data), listener.localAddress());
    }

    private static void await(java.util.function.BooleanSupplier done, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(5);
        }
    }

    @Test
    void theSocketIsReadWithoutTheChannel() throws Exception {
        recorder = new Recorder();
        bind(recorder);
        assertNotNull(recorder.reads, "an epoll listener's reads are taken over");
        assertFalse(listener.config().isAutoRead(), "the channel's own reads are off");
        DatagramChannel a = client();
        DatagramChannel b = client();

        send(a, 1, 2, 3);
        send(b, 4);
        send(a, 5, 6);
        await(() -> recorder.payloads.size() == 3, "three datagrams");

        assertEquals(List.of("010203", "04", "0506"), recorder.payloads);
        assertEquals(List.of(a.getLocalAddress(), b.getLocalAddress(), a.getLocalAddress()), recorder.senders);
        assertEquals(0, recorder.channelReads, "nothing went through the channel's read path");
    }

    @Test
    void anIpv6ListenerReportsItsSenders() throws Exception {
        InetAddress v6 = InetAddress.getByName("::1");
        recorder = new Recorder();
        bind(recorder, v6);
        assertNotNull(recorder.reads);
        DatagramChannel a = client(v6);
        DatagramChannel b = client(v6);

        send(a, 1);
        send(b, 2);
        send(a, 3);
        await(() -> recorder.payloads.size() == 3, "three datagrams");

        assertEquals(List.of("01", "02", "03"), recorder.payloads);
        assertEquals(List.of(a.getLocalAddress(), b.getLocalAddress(), a.getLocalAddress()), recorder.senders);
        assertSame(recorder.senders.get(0), recorder.senders.get(2));
    }

    @Test
    void aSenderKeepsItsAddressObject() throws Exception {
        recorder = new Recorder();
        bind(recorder);
        DatagramChannel a = client();
        DatagramChannel b = client();

        send(a, 1);
        send(b, 2);
        send(a, 3);
        await(() -> recorder.payloads.size() == 3, "three datagrams");

        assertSame(recorder.senders.get(0), recorder.senders.get(2), "one address object per sender");
        assertNotEquals(recorder.senders.get(0), recorder.senders.get(1));
    }

    @Test
    void whatWaitsIsReadInBatchesInOrder() throws Exception {
        recorder = new Recorder();
        bind(recorder);
        DatagramChannel a = client();
        int count = EpollListenerReads.BATCH * 5 + 3;
        // The loop is held while they are sent, so they all wait in the socket for one wake-up.
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch holding = new CountDownLatch(1);
        loop.execute(() -> {
            holding.countDown();
            try {
                held.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assertTrue(holding.await(10, TimeUnit.SECONDS), "the loop is held");
        for (int i = 0; i < count; i++) {
            send(a, i);
        }
        held.countDown();
        await(() -> recorder.payloads.size() == count, count + " datagrams");

        List<String> expected = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            expected.add(String.format("%02x", i));
        }
        assertEquals(expected, recorder.payloads, "all of them, in order");
        assertEquals(List.of(8, 8, 8, 8, 8, 3), recorder.batches, "batches of " + EpollListenerReads.BATCH);
    }

    @Test
    void aDatagramSomethingKeepsIsNotOverwritten() throws Exception {
        List<ByteBuf> kept = new CopyOnWriteArrayList<>();
        recorder = new Recorder() {
            @Override
            public void datagram(ByteBuf content, InetSocketAddress sender) {
                if (kept.isEmpty()) {
                    kept.add(content.retainedSlice()); // as a relay socket keeps a frame until its flush
                }
                super.datagram(content, sender);
            }
        };
        bind(recorder);
        DatagramChannel a = client();

        send(a, 0xAA, 0xBB);
        await(() -> recorder.payloads.size() == 1, "the first datagram");
        for (int i = 0; i < 20; i++) {
            send(a, i, i, i);
        }
        await(() -> recorder.payloads.size() == 21, "the others");

        ByteBuf first = kept.get(0);
        assertArrayEquals(new byte[] {(byte) 0xAA, (byte) 0xBB}, ByteBufUtil.getBytes(first),
                "later reads went into another buffer");
        first.release();
    }

    @Test
    void closingTheChannelClosesTheSecondDescriptor() throws Exception {
        recorder = new Recorder();
        bind(recorder);
        InetSocketAddress address = (InetSocketAddress) listener.localAddress();

        listener.close().sync();
        await(() -> recorder.reads.isClosed(), "the reads to stop");

        // Without SO_REUSEPORT the port binds again only when no descriptor of the old socket is left.
        try (DatagramChannel again = DatagramChannel.open().bind(address)) {
            assertEquals(address, again.getLocalAddress());
        }
    }

    @Test
    void theSecondDescriptorIsTheSameSocket() throws Exception {
        bind(new ChannelInboundHandlerAdapter());
        EpollDatagramChannel epoll = (EpollDatagramChannel) listener;

        Socket copy = EpollListenerReads.duplicate(epoll.fd());
        try {
            assertNotEquals(epoll.fd().intValue(), copy.intValue(), "another descriptor");
            assertEquals(listener.localAddress(), copy.localAddress(), "of the same socket");
        } finally {
            copy.close();
        }
    }

    @Test
    void theUdpHandlerAnswersStunThroughIt() throws Exception {
        RelayFixture fixture = new RelayFixture(TransportProtocol.UDP);
        StunHandler echo = new StunHandler() {
            @Override
            public void onStun(ByteBuf packet, ClientLink link) {
                link.write(packet.copy()); // answered, not flushed: the end of the reads flushes
            }

            @Override
            public void onClientClosed(ClientLink link) {
            }
        };
        UdpServerHandler handler = new UdpServerHandler(echo,
                new ChannelDataRelay(fixture.registry, fixture.clock, metrics, false), metrics);
        bind(handler);
        assertTrue(loop.submit(handler::readsDirectly).get(10, TimeUnit.SECONDS), "reads without the channel");
        DatagramChannel client = client();
        byte[] binding = HexFormat.of().parseHex("000100002112a442" + "0102030405060708090a0b0c");

        client.send(ByteBuffer.wrap(binding), listener.localAddress());
        ByteBuffer answer = ByteBuffer.allocate(64);
        client.socket().setSoTimeout(10_000);
        client.socket().receive(new java.net.DatagramPacket(answer.array(), answer.capacity()));

        assertArrayEquals(binding, java.util.Arrays.copyOf(answer.array(), binding.length));
    }

    @Test
    void theSenderTableKeepsAsManyPortsOfOneAddressAsItHasEntries() {
        EpollListenerReads.Senders table = new EpollListenerReads.Senders();
        long lo = 0xffff_7f00_0001L; // ::ffff:127.0.0.1
        int first = 40000;
        for (int port = first; port < first + EpollListenerReads.Senders.SIZE; port++) {
            assertNull(table.find(0, lo, port), "not kept yet");
            table.put(0, lo, port, new InetSocketAddress(LOOPBACK, port));
        }
        for (int port = first; port < first + EpollListenerReads.Senders.SIZE; port++) {
            InetSocketAddress found = table.find(0, lo, port);
            assertNotNull(found, "port " + port + " is still kept");
            assertEquals(port, found.getPort());
        }
    }

    @Test
    void aThirdSenderOfASetTakesTheOlderPlaceAndNothingAnswersWrong() {
        EpollListenerReads.Senders table = new EpollListenerReads.Senders();
        // Three senders of one set: one address, ports a set count apart.
        long lo = 0xffff_7f00_0001L;
        int a = 40000;
        int b = a + EpollListenerReads.Senders.SIZE / 2;
        int c = b + EpollListenerReads.Senders.SIZE / 2;
        assertEquals(EpollListenerReads.Senders.set(0, lo, a), EpollListenerReads.Senders.set(0, lo, c));
        InetSocketAddress first = new InetSocketAddress(LOOPBACK, a);
        InetSocketAddress second = new InetSocketAddress(LOOPBACK, b);
        table.put(0, lo, a, first);
        table.put(0, lo, b, second);
        assertSame(first, table.find(0, lo, a), "two senders of a set are both kept");
        assertSame(second, table.find(0, lo, b));

        table.put(0, lo, c, new InetSocketAddress(LOOPBACK, c));
        assertNull(table.find(0, lo, a), "the oldest gave its place");
        assertSame(second, table.find(0, lo, b));
        assertEquals(c, table.find(0, lo, c).getPort());
        assertNull(table.find(0, 0xffff_7f00_0002L, b), "another address with a kept port misses");
        assertNull(table.find(1, lo, b), "as does an IPv6 address with the same low bits");
    }
}
