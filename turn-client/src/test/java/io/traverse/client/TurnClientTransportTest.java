package io.traverse.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.traverse.stun.MessageType;
import io.traverse.stun.Method;
import io.traverse.stun.StunMessage;
import io.traverse.stun.TransactionId;
import io.traverse.stun.attr.Data;
import io.traverse.stun.attr.XorMappedAddress;
import io.traverse.stun.attr.XorPeerAddress;
import io.traverse.stun.codec.DecodedMessage;
import io.traverse.stun.codec.Integrity;
import io.traverse.stun.codec.StunDecoder;
import io.traverse.stun.codec.StunEncoder;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Transaction and transport behaviour against scripted fake servers: UDP retransmission (RFC 8489 §6.2.1),
 * timeouts, transaction ID matching, ICMP port unreachable, peer data over UDP, and the TCP stream framing of
 * RFC 8656 §12.5 (split frames, ChannelData padding).
 */
class TurnClientTransportTest {
    static final InetSocketAddress PEER = new InetSocketAddress("203.0.113.50", 4000);

    private FakeUdpServer server;
    private ExecutorService executor;

    @BeforeEach
    void setUp() throws Exception {
        server = new FakeUdpServer();
        executor = Executors.newSingleThreadExecutor();
    }

    @AfterEach
    void tearDown() {
        executor.shutdownNow();
        server.close();
    }

    private static StunMessage.Builder bindingSuccess(StunMessage request, InetSocketAddress mapped) {
        return StunMessage.successResponseTo(request).add(new XorMappedAddress(mapped));
    }

    @Test
    void udpRetransmitsTheSameBytesWithDoublingIntervals() throws Exception {
        TurnClientOptions options = TurnClientOptions.builder().rto(Duration.ofMillis(100)).build();
        try (TurnClient client = TurnClient.connect(Transport.UDP, server.address(), options)) {
            Future<InetSocketAddress> result = executor.submit(client::binding);
            long t0 = System.nanoTime();
            byte[] first = server.receiveRaw();
            long t1 = System.nanoTime();
            byte[] second = server.receiveRaw();
            long t2 = System.nanoTime();
            byte[] third = server.receiveRaw();
            long t3 = System.nanoTime();
            assertArrayEquals(first, second, "a retransmission is the same request");
            assertArrayEquals(first, third);
            long gap1 = (t2 - t1) / 1_000_000;
            long gap2 = (t3 - t2) / 1_000_000;
            assertTrue(gap1 >= 80 && gap1 < 400, "first gap ~RTO, was " + gap1 + " ms");
            assertTrue(gap2 >= 170 && gap2 < 700, "second gap ~2*RTO, was " + gap2 + " ms");
            assertTrue((t1 - t0) / 1_000_000 < 2000);
            InetSocketAddress mapped = new InetSocketAddress("198.51.100.1", 1234);
            server.reply(bindingSuccess(StunDecoder.decode(third).message(), mapped), Integrity.none());
            assertEquals(mapped, result.get(5, TimeUnit.SECONDS));
        }
    }

    @Test
    void udpGivesUpAfterRcTransmissionsAndRmTimesRto() throws Exception {
        TurnClientOptions options = TurnClientOptions.builder().rto(Duration.ofMillis(20)).maxTransmissions(3)
                .lastWaitFactor(4).build();
        try (TurnClient client = TurnClient.connect(Transport.UDP, server.address(), options)) {
            long start = System.nanoTime();
            TurnTimeoutException e = assertThrows(TurnTimeoutException.class, client::binding);
            long elapsed = (System.nanoTime() - start) / 1_000_000;
            assertEquals(3, e.transmissions());
            // sends at 0, 20, 60 ms, then waits 4 * 20 ms: about 140 ms
            assertTrue(elapsed >= 130 && elapsed < 2000, "elapsed " + elapsed + " ms");
            server.setTimeout(500);
            for (int i = 0; i < 3; i++) {
                server.receiveRaw();
            }
            server.setTimeout(200);
            assertThrows(java.net.SocketTimeoutException.class, server::receiveRaw, "exactly Rc transmissions");
        }
    }

    @Test
    void transactionTimeoutCapsTheSchedule() throws Exception {
        TurnClientOptions options = TurnClientOptions.builder().transactionTimeout(Duration.ofMillis(300)).build();
        try (TurnClient client = TurnClient.connect(Transport.UDP, server.address(), options)) {
            long start = System.nanoTime();
            TurnTimeoutException e = assertThrows(TurnTimeoutException.class, client::binding);
            long elapsed = (System.nanoTime() - start) / 1_000_000;
            assertTrue(elapsed >= 290 && elapsed < 2000, "elapsed " + elapsed + " ms");
            assertEquals(1, e.transmissions(), "500 ms RTO: one transmission within 300 ms");
            assertTrue(e.getMessage().contains("BINDING"), e.getMessage());
        }
    }

    @Test
    void responsesWithAnotherTransactionIdOrMethodAreIgnored() throws Exception {
        try (TurnClient client = TurnClient.connect(Transport.UDP, server.address(), TurnClientAuthTest.fast())) {
            Future<InetSocketAddress> result = executor.submit(client::binding);
            StunMessage request = server.receive().message();
            StunMessage other = StunMessage.builder(MessageType.request(Method.BINDING), TransactionId.random()).build();
            server.reply(bindingSuccess(other, new InetSocketAddress("198.51.100.2", 1)), Integrity.none());
            StunMessage wrongMethod = StunMessage.builder(MessageType.successResponse(Method.ALLOCATE),
                    request.transactionId()).add(new XorMappedAddress(new InetSocketAddress("198.51.100.3", 1))).build();
            server.reply(wrongMethod, Integrity.none());
            server.sendRaw(new byte[] {0, 1, 2}); // garbage
            InetSocketAddress mapped = new InetSocketAddress("198.51.100.4", 4444);
            server.reply(bindingSuccess(request, mapped), Integrity.none());
            assertEquals(mapped, result.get(5, TimeUnit.SECONDS));
        }
    }

    @Test
    void unknownComprehensionRequiredAttributeFailsTheTransaction() throws Exception {
        try (TurnClient client = TurnClient.connect(Transport.UDP, server.address(), TurnClientAuthTest.fast())) {
            Future<InetSocketAddress> result = executor.submit(client::binding);
            StunMessage request = server.receive().message();
            server.reply(bindingSuccess(request, new InetSocketAddress("198.51.100.4", 1))
                    .add(new io.traverse.stun.attr.UnknownAttribute(0x7F11, new byte[4])), Integrity.none());
            Exception e = assertThrows(Exception.class, () -> result.get(5, TimeUnit.SECONDS));
            assertInstanceOf(TurnProtocolException.class, e.getCause());
            assertTrue(e.getCause().getMessage().contains("0x7F11"), e.getCause().getMessage());
        }
    }

    @Test
    void errorResponseIsTyped() throws Exception {
        try (TurnClient client = TurnClient.connect(Transport.UDP, server.address(), TurnClientAuthTest.fast())) {
            Future<StunMessage> result = executor.submit(() -> client.request(Method.ALLOCATE, List.of()));
            StunMessage request = server.receive().message();
            server.replyError(request, io.traverse.stun.ErrorCode.BAD_REQUEST);
            Exception e = assertThrows(Exception.class, () -> result.get(5, TimeUnit.SECONDS));
            TurnErrorException error = assertInstanceOf(TurnErrorException.class, e.getCause());
            assertEquals(400, error.code());
            assertEquals("Bad Request", error.reason());
            assertEquals("ALLOCATE failed: 400 Bad Request", error.getMessage());
        }
    }

    @Test
    void closedUdpPortIsReportedAsPortUnreachable() throws Exception {
        InetSocketAddress closed;
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            closed = (InetSocketAddress) s.getLocalSocketAddress();
        }
        try (TurnClient client = TurnClient.connect(Transport.UDP, closed, TurnClientAuthTest.fast())) {
            assertThrows(PortUnreachableException.class, client::binding);
        }
    }

    @Test
    void closedTcpPortIsConnectionRefused() throws Exception {
        InetSocketAddress closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = (InetSocketAddress) s.getLocalSocketAddress();
        }
        assertThrows(java.net.ConnectException.class, () -> TurnClient.connect(Transport.TCP, closed));
    }

    @Test
    void sendIndicationAndChannelDataOverUdp() throws Exception {
        try (TurnClient client = TurnClient.connect(Transport.UDP, server.address(), TurnClientAuthTest.fast())) {
            byte[] payload = "hello".getBytes(StandardCharsets.US_ASCII);
            client.send(PEER, payload);
            DecodedMessage send = server.receive();
            assertEquals(MessageType.indication(Method.SEND), send.message().type());
            assertEquals(PEER, send.message().attribute(XorPeerAddress.class).orElseThrow().address());
            assertArrayEquals(payload, send.message().attribute(Data.class).orElseThrow().data());
            assertTrue(!send.hasMessageIntegrity() && !send.hasMessageIntegritySha256());

            client.sendChannelData(0x4001, payload);
            byte[] frame = server.receiveRaw();
            assertArrayEquals(new byte[] {0x40, 0x01, 0, 5, 'h', 'e', 'l', 'l', 'o'}, frame, "no padding over UDP");
            assertThrows(IllegalArgumentException.class, () -> client.sendChannelData(0x3FFF, payload));
        }
    }

    @Test
    void peerDataArrivingDuringATransactionIsQueuedForReceive() throws Exception {
        try (TurnClient client = TurnClient.connect(Transport.UDP, server.address(), TurnClientAuthTest.fast())) {
            Future<InetSocketAddress> result = executor.submit(client::binding);
            StunMessage request = server.receive().message();
            StunMessage data = StunMessage.builder(MessageType.indication(Method.DATA), TransactionId.random())
                    .add(new XorPeerAddress(PEER)).add(new Data(new byte[] {1, 2, 3})).build();
            server.reply(data, Integrity.none());
            server.sendRaw(new byte[] {0x40, 0x00, 0, 2, 9, 8, 0, 0}); // padded ChannelData is fine over UDP
            server.reply(bindingSuccess(request, new InetSocketAddress("198.51.100.4", 1)), Integrity.none());
            result.get(5, TimeUnit.SECONDS);
            assertEquals(new DataIndication(PEER, new byte[] {1, 2, 3}), client.receive(Duration.ofMillis(10)));
            assertEquals(new ChannelDataMessage(0x4000, new byte[] {9, 8}), client.receive(Duration.ofMillis(10)));
            long start = System.nanoTime();
            assertThrows(TurnTimeoutException.class, () -> client.receive(Duration.ofMillis(100)));
            assertTrue((System.nanoTime() - start) / 1_000_000 >= 90);
        }
    }

    @Test
    void tcpFramingSplitsCoalescedAndPartialFramesAndPadsChannelData() throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            InetSocketAddress address = (InetSocketAddress) listener.getLocalSocketAddress();
            try (TurnClient client = TurnClient.connect(Transport.TCP, address, TurnClientAuthTest.fast());
                 Socket peer = listener.accept()) {
                peer.setSoTimeout(5000);
                DataInputStream in = new DataInputStream(peer.getInputStream());
                OutputStream out = peer.getOutputStream();

                client.sendChannelData(0x4002, new byte[] {1, 2, 3, 4, 5});
                byte[] frame = new byte[12];
                in.readFully(frame);
                assertArrayEquals(new byte[] {0x40, 0x02, 0, 5, 1, 2, 3, 4, 5, 0, 0, 0}, frame,
                        "ChannelData padded to a multiple of 4 on TCP (RFC 8656 §12.5)");

                Future<InetSocketAddress> result = executor.submit(client::binding);
                byte[] header = new byte[20];
                in.readFully(header);
                int length = ((header[2] & 0xFF) << 8) | (header[3] & 0xFF);
                byte[] whole = Arrays.copyOf(header, 20 + length);
                in.readFully(whole, 20, length);
                StunMessage request = StunDecoder.decode(whole).message();

                InetSocketAddress mapped = new InetSocketAddress("198.51.100.9", 999);
                byte[] channelData = {0x40, 0x02, 0, 3, 7, 7, 7, 0};
                byte[] response = StunEncoder.encode(bindingSuccess(request, mapped).build());
                List<byte[]> pieces = new ArrayList<>();
                byte[] all = new byte[channelData.length + response.length];
                System.arraycopy(channelData, 0, all, 0, channelData.length);
                System.arraycopy(response, 0, all, channelData.length, response.length);
                // ChannelData and the first 3 bytes of the response together, the rest in two pieces.
                pieces.add(Arrays.copyOfRange(all, 0, channelData.length + 3));
                pieces.add(Arrays.copyOfRange(all, channelData.length + 3, channelData.length + 11));
                pieces.add(Arrays.copyOfRange(all, channelData.length + 11, all.length));
                for (byte[] piece : pieces) {
                    out.write(piece);
                    out.flush();
                    Thread.sleep(30);
                }
                assertEquals(mapped, result.get(5, TimeUnit.SECONDS));
                assertEquals(new ChannelDataMessage(0x4002, new byte[] {7, 7, 7}), client.receive(Duration.ofMillis(10)));
            }
        }
    }

    @Test
    void tcpGarbageIsAProtocolError() throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            InetSocketAddress address = (InetSocketAddress) listener.getLocalSocketAddress();
            try (TurnClient client = TurnClient.connect(Transport.TCP, address, TurnClientAuthTest.fast());
                 Socket peer = listener.accept()) {
                peer.getOutputStream().write(new byte[] {(byte) 0x80, 0, 0, 0});
                peer.getOutputStream().flush();
                assertThrows(TurnProtocolException.class, client::binding);
            }
        }
    }

    @Test
    void tcpServerClosingIsAnIoError() throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            InetSocketAddress address = (InetSocketAddress) listener.getLocalSocketAddress();
            try (TurnClient client = TurnClient.connect(Transport.TCP, address, TurnClientAuthTest.fast())) {
                listener.accept().close();
                IOException e = assertThrows(IOException.class, client::binding);
                assertTrue(e instanceof java.io.EOFException || e instanceof java.net.SocketException, e.toString());
            }
        }
    }
}
