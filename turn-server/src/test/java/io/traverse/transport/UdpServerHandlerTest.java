package io.traverse.transport;

import static io.traverse.transport.RelayFixture.CLIENT;
import static io.traverse.transport.RelayFixture.PEER;
import static io.traverse.transport.RelayFixture.SERVER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.DatagramPacket;
import io.traverse.metrics.TraverseMetrics.DropReason;
import io.traverse.turn.FiveTuple;
import io.traverse.turn.TransportProtocol;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link UdpServerHandler} on an {@link EmbeddedChannel} standing for one UDP listener socket: each datagram is
 * classified by its first byte (RFC 7983) — STUN to the dispatcher with the client's 5-tuple, ChannelData straight to
 * the relay, anything else dropped and counted; the listener and the relay sockets it wrote to are flushed once per
 * read batch; every datagram is released.
 */
class UdpServerHandlerTest {
    /** A Binding request with no attributes. */
    private static final String BINDING = "000100002112a442" + "0102030405060708090a0b0c";

    private final RelayFixture fixture = new RelayFixture(TransportProtocol.UDP);
    private final RelayFixture.FlushCounter relayFlushes = new RelayFixture.FlushCounter();
    private final EmbeddedChannel relaySocket = fixture.relaySocket(relayFlushes);
    private final RecordingStunHandler stun = new RecordingStunHandler();
    private final RelayFixture.FlushCounter listenerFlushes = new RelayFixture.FlushCounter();
    private final EmbeddedChannel listener = new ListenerChannel(listenerFlushes, new UdpServerHandler(stun,
            new ChannelDataRelay(fixture.registry, fixture.clock, fixture.metrics, false), fixture.metrics));
    private final List<DatagramPacket> received = new ArrayList<>();

    /** An EmbeddedChannel whose local address is the listener's {@link RelayFixture#SERVER}. */
    private static final class ListenerChannel extends EmbeddedChannel {
        ListenerChannel(io.netty.channel.ChannelHandler... handlers) {
            super(handlers);
        }

        @Override
        protected SocketAddress localAddress0() {
            return SERVER;
        }
    }

    /** The dispatcher: records each message with its link and answers it with its own bytes (not flushed). */
    private static final class RecordingStunHandler implements StunHandler {
        final List<String> messages = new ArrayList<>();
        final List<ClientLink> links = new ArrayList<>();

        @Override
        public void onStun(ByteBuf packet, ClientLink link) {
            messages.add(HexFormat.of().formatHex(ByteBufUtil.getBytes(packet)));
            links.add(link);
            link.write(packet.retainedDuplicate());
        }

        @Override
        public void onClientClosed(ClientLink link) {
            throw new AssertionError("UDP has no connection to close");
        }
    }

    @AfterEach
    void everyDatagramReleased() {
        RelayFixture.release(RelayFixture.drain(listener));
        RelayFixture.release(RelayFixture.drain(relaySocket));
        for (DatagramPacket p : received) {
            assertEquals(0, p.refCnt(), "datagram released");
        }
    }

    private DatagramPacket fromClient(String hex) {
        DatagramPacket packet = new DatagramPacket(Unpooled.wrappedBuffer(HexFormat.of().parseHex(hex)), SERVER,
                CLIENT);
        received.add(packet);
        return packet;
    }

    @Test
    void stunGoesToTheDispatcherWithTheClientsFiveTuple() {
        listener.writeInbound(fromClient(BINDING));

        assertEquals(List.of(BINDING), stun.messages);
        ClientLink link = stun.links.get(0);
        assertEquals(new FiveTuple(TransportProtocol.UDP, CLIENT, SERVER), link.fiveTuple());
        assertFalse(link.isStream());
        DatagramPacket answer = assertInstanceOf(DatagramPacket.class, listener.readOutbound());
        assertEquals(CLIENT, answer.recipient(), "the link answers the client");
        answer.release();
    }

    @Test
    void answersAreFlushedOncePerReadBatch() {
        listener.pipeline().fireChannelRead(fromClient(BINDING));
        listener.pipeline().fireChannelRead(fromClient(BINDING));
        assertEquals(0, listenerFlushes.flushes, "no flush within the batch");
        assertEquals(List.of(), RelayFixture.drain(listener));

        listener.pipeline().fireChannelReadComplete();
        assertEquals(1, listenerFlushes.flushes, "one flush for the batch");
        List<Object> answers = RelayFixture.drain(listener);
        assertEquals(2, answers.size());
        RelayFixture.release(answers);
    }

    @Test
    void channelDataGoesToTheRelayFlushedOncePerBatch() {
        listener.pipeline().fireChannelRead(fromClient("40000002" + "0102"));
        listener.pipeline().fireChannelRead(fromClient("40000002" + "0304"));
        assertEquals(0, relayFlushes.flushes, "no flush within the batch");

        listener.pipeline().fireChannelReadComplete();
        assertEquals(1, relayFlushes.flushes, "the relay socket is flushed once for the batch");
        List<Object> sent = RelayFixture.drain(relaySocket);
        assertEquals(2, sent.size());
        for (Object m : sent) {
            assertEquals(PEER, ((DatagramPacket) m).recipient());
        }
        RelayFixture.release(sent);
        assertEquals(List.of(), stun.messages, "ChannelData never reaches the dispatcher");
        assertEquals(2, fixture.metrics.relayedPackets(true));
    }

    /** RFC 7983: what is neither STUN nor ChannelData is not for a plain UDP listener. */
    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "RTP,                          80000001" + "0000000000000000",
        "DTLS record,                  16fefd00" + "0000000000000000",
        "STUN type without the cookie, 00010000" + "0000000000000000" + "0102030405060708",
        "ZRTP range,                   ff000000",
    })
    void anythingElseIsDroppedAndCounted(String what, String hex) {
        listener.writeInbound(fromClient(hex));

        assertEquals(1, fixture.metrics.droppedCount(DropReason.UNKNOWN_KIND), what);
        assertEquals(List.of(), stun.messages);
        assertEquals(List.of(), RelayFixture.drain(listener));
        assertEquals(List.of(), RelayFixture.drain(relaySocket));
    }

    @Test
    void emptyDatagramIsDroppedAndCounted() {
        listener.writeInbound(new DatagramPacket(Unpooled.EMPTY_BUFFER, SERVER, CLIENT));

        assertEquals(1, fixture.metrics.droppedCount(DropReason.UNKNOWN_KIND));
        assertEquals(List.of(), stun.messages);
    }

    @Test
    void malformedChannelDataIsDroppedAndCounted() {
        listener.writeInbound(fromClient("40000010" + "0102"));

        assertEquals(1, fixture.metrics.droppedCount(DropReason.MALFORMED));
        assertEquals(List.of(), RelayFixture.drain(relaySocket));
    }

    @Test
    void somethingElseThanADatagramIsReleased() {
        ByteBuf stray = Unpooled.wrappedBuffer(HexFormat.of().parseHex(BINDING));

        listener.writeInbound(stray);

        assertEquals(0, stray.refCnt());
        assertEquals(List.of(), stun.messages);
    }
}
