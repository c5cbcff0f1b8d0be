package io.traverse.transport;

import static io.traverse.transport.RelayFixture.CHANNEL;
import static io.traverse.transport.RelayFixture.CLIENT;
import static io.traverse.transport.RelayFixture.OTHER_PEER;
import static io.traverse.transport.RelayFixture.PEER;
import static io.traverse.transport.RelayFixture.RELAY;
import static io.traverse.transport.RelayFixture.STRANGER;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.DatagramPacket;
import io.traverse.metrics.TraverseMetrics.DropReason;
import io.traverse.stun.MessageType;
import io.traverse.stun.Method;
import io.traverse.stun.StunMessage;
import io.traverse.stun.attr.Data;
import io.traverse.stun.attr.XorPeerAddress;
import io.traverse.stun.codec.StunDecoder;
import io.traverse.turn.TransportProtocol;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link RelayPeerHandler} on an {@link EmbeddedChannel} (RFC 8656 §11.5 / §12.5): a peer's datagram goes to the
 * client as ChannelData when a channel is bound to the peer, otherwise as a Data indication; ChannelData on a stream
 * is padded with zeros to 4 bytes; the client is flushed once per read batch; whatever is dropped is counted, and no
 * buffer outlives its packet (every test ends by checking that each buffer the handler allocated and each packet it
 * received was released).
 */
class RelayPeerHandlerTest {
    private static final byte[] FIVE = {1, 2, 3, 4, 5};

    private RelayFixture fixture;
    private EmbeddedChannel relay;
    private final List<DatagramPacket> received = new ArrayList<>();

    private void start(TransportProtocol protocol) {
        fixture = new RelayFixture(protocol);
        relay = fixture.relaySocket(new RelayFixture.FlushCounter(), new RelayPeerHandler(
                new PeerToClient(fixture.session, fixture.clock, fixture.metrics)));
    }

    @AfterEach
    void everyBufferReleased() {
        RelayFixture.release(RelayFixture.drain(fixture.client));
        for (DatagramPacket p : received) {
            assertEquals(0, p.refCnt(), "the peer's datagram is released");
        }
        assertEquals(List.of(), fixture.allocator.unreleased(), "buffers allocated by the handler, not released");
    }

    /** A datagram from {@code peer} to the relay address, as the relay socket reads it. */
    private DatagramPacket fromPeer(InetSocketAddress peer, byte[] payload) {
        DatagramPacket packet = new DatagramPacket(Unpooled.wrappedBuffer(payload), RELAY, peer);
        received.add(packet);
        return packet;
    }

    /** What reached the client once the loop's round is over (a UDP listener is flushed then). */
    private List<Object> toClient() {
        fixture.client.runPendingTasks();
        return RelayFixture.drain(fixture.client);
    }

    private static byte[] bytes(Object message) {
        ByteBuf content = message instanceof DatagramPacket ? ((DatagramPacket) message).content() : (ByteBuf) message;
        byte[] bytes = ByteBufUtil.getBytes(content);
        content.release();
        return bytes;
    }

    private static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }

    @Test
    void boundChannelGoesAsChannelDataUnpaddedOverUdp() {
        start(TransportProtocol.UDP);
        relay.writeInbound(fromPeer(PEER, FIVE));

        List<Object> out = toClient();
        assertEquals(1, out.size());
        DatagramPacket datagram = assertInstanceOf(DatagramPacket.class, out.get(0));
        assertEquals(CLIENT, datagram.recipient());
        assertEquals("4000" + "0005" + "0102030405", hex(bytes(datagram)), "RFC 8656 §12.4: no padding over UDP");
        assertEquals(1, fixture.metrics.relayedPackets(false));
    }

    @Test
    void channelDataOnAStreamIsPaddedWithZerosToFourBytes() {
        start(TransportProtocol.TCP);
        relay.writeInbound(fromPeer(PEER, FIVE));
        relay.writeInbound(fromPeer(PEER, new byte[] {9, 9, 9, 9, 9, 9, 9, 9}));

        List<Object> out = toClient();
        assertEquals(2, out.size());
        assertEquals("40000005" + "0102030405" + "000000", hex(bytes(out.get(0))), "RFC 8656 §12.5: padded");
        assertEquals("40000008" + "0909090909090909", hex(bytes(out.get(1))), "already a multiple of 4");
    }

    @Test
    void peerWithoutChannelGoesAsDataIndication() throws Exception {
        start(TransportProtocol.UDP);
        relay.writeInbound(fromPeer(OTHER_PEER, FIVE));

        List<Object> out = toClient();
        assertEquals(1, out.size());
        DatagramPacket datagram = assertInstanceOf(DatagramPacket.class, out.get(0));
        assertEquals(CLIENT, datagram.recipient());
        StunMessage indication = StunDecoder.decode(bytes(datagram)).message();
        assertEquals(MessageType.indication(Method.DATA), indication.type());
        assertEquals(OTHER_PEER, indication.attribute(XorPeerAddress.class).orElseThrow().address());
        assertArrayEquals(FIVE, indication.attribute(Data.class).orElseThrow().data());
    }

    @Test
    void clientIsFlushedOncePerReadBatch() {
        start(TransportProtocol.UDP);
        relay.pipeline().fireChannelRead(fromPeer(PEER, FIVE));
        relay.pipeline().fireChannelRead(fromPeer(OTHER_PEER, FIVE));
        relay.pipeline().fireChannelRead(fromPeer(PEER, FIVE));
        assertEquals(0, fixture.clientFlushes.flushes, "no flush within the batch");
        assertEquals(List.of(), toClient(), "written, not yet flushed");

        relay.pipeline().fireChannelReadComplete();
        List<Object> batch = toClient();
        assertEquals(1, fixture.clientFlushes.flushes, "one flush for the batch");
        assertEquals(3, batch.size());
        RelayFixture.release(batch);

        relay.writeInbound(fromPeer(STRANGER, FIVE)); // a batch that relays nothing
        assertEquals(List.of(), toClient());
        assertEquals(1, fixture.clientFlushes.flushes, "nothing written, nothing flushed");
    }

    @Test
    void streamClientIsFlushedAtTheEndOfEachBatch() {
        start(TransportProtocol.TCP);
        relay.writeInbound(fromPeer(PEER, FIVE));
        assertEquals(1, fixture.clientFlushes.flushes, "a client's own connection: flushed with the batch");
        RelayFixture.release(RelayFixture.drain(fixture.client));
    }

    @Test
    void peerWithoutPermissionIsDroppedAndCounted() {
        start(TransportProtocol.UDP);
        relay.writeInbound(fromPeer(STRANGER, FIVE));

        assertEquals(List.of(), toClient());
        assertEquals(1, fixture.metrics.droppedCount(DropReason.NO_PERMISSION));
        assertEquals(0, fixture.metrics.relayedPackets(false));
    }

    /** Backpressure (issue 10): a client above its high water mark gets no more; the datagram is counted, not queued. */
    @Test
    void clientAboveItsHighWaterMarkIsNotWrittenAndTheDropCounted() {
        start(TransportProtocol.TCP);
        fixture.client.config().setWriteBufferWaterMark(new WriteBufferWaterMark(8, 16));
        fixture.client.write(Unpooled.wrappedBuffer(new byte[32])); // unflushed: the client does not read
        assertFalse(fixture.client.isWritable());

        relay.writeInbound(fromPeer(PEER, FIVE), fromPeer(OTHER_PEER, FIVE));

        assertEquals(2, fixture.metrics.droppedCount(DropReason.CLIENT_BACKLOG));
        assertEquals(0, fixture.metrics.relayedPackets(false));
        assertEquals(List.of(), fixture.allocator.allocated, "nothing encoded for a client that does not read");
        fixture.client.flush();
        List<Object> out = toClient();
        assertEquals(1, out.size(), "only what was queued before");
        assertEquals(32, bytes(out.get(0)).length);
    }

    @Test
    void closedClientIsNotWrittenAndTheDropCounted() {
        start(TransportProtocol.TCP);
        fixture.client.close();

        relay.writeInbound(fromPeer(PEER, FIVE));

        assertEquals(1, fixture.metrics.droppedCount(DropReason.CLIENT_BACKLOG));
        assertEquals(0, fixture.metrics.relayedPackets(false));
        assertEquals(List.of(), fixture.allocator.allocated);
    }

    /**
     * A datagram too large for a Data indication's DATA attribute (65,507 bytes, the most an IPv4 peer can send)
     * cannot be encoded: the output buffer goes back, the drop is counted, and the next datagram still goes through.
     * Over a channel the same datagram fits (ChannelData has a 16-bit length).
     */
    @Test
    void dataIndicationThatCannotBeEncodedReleasesItsBufferAndCounts() {
        start(TransportProtocol.UDP);
        byte[] largest = new byte[65_507];
        relay.writeInbound(fromPeer(OTHER_PEER, largest));

        assertEquals(1, fixture.metrics.droppedCount(DropReason.ENCODE_FAILED));
        assertEquals(0, fixture.metrics.relayedPackets(false));
        assertEquals(1, fixture.allocator.allocated.size(), "one output buffer was taken");
        assertEquals(0, fixture.allocator.allocated.get(0).refCnt(), "and given back");
        assertEquals(List.of(), toClient());

        relay.writeInbound(fromPeer(PEER, largest));
        relay.writeInbound(fromPeer(OTHER_PEER, FIVE));
        List<Object> out = toClient();
        assertEquals(2, out.size());
        assertEquals(4 + largest.length, bytes(out.get(0)).length);
        bytes(out.get(1));
        assertEquals(2, fixture.metrics.relayedPackets(false));
    }

    @Test
    void noAllocationYetIsDroppedAndCounted() {
        start(TransportProtocol.UDP);
        fixture.session.allocation(null); // the relay socket is bound before the allocation is registered

        relay.writeInbound(fromPeer(PEER, FIVE));

        assertEquals(1, fixture.metrics.droppedCount(DropReason.NO_ALLOCATION));
        assertEquals(List.of(), toClient());
    }

    @Test
    void somethingElseThanADatagramIsReleased() {
        start(TransportProtocol.UDP);
        ByteBuf stray = Unpooled.wrappedBuffer(FIVE);

        relay.writeInbound(stray);

        assertEquals(0, stray.refCnt());
        assertEquals(List.of(), toClient());
    }

    @Test
    void aRelaySocketErrorIsCountedAndTheSocketStaysOpen() {
        start(TransportProtocol.UDP);

        relay.pipeline().fireExceptionCaught(new java.net.PortUnreachableException("ICMP port unreachable"));

        assertEquals(1, fixture.metrics.droppedCount(DropReason.RELAY_SOCKET_ERROR));
        assertTrue(relay.isOpen());
        relay.checkException(); // nothing escaped the handler
    }
}
