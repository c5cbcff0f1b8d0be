package io.traverse.transport;

import static io.traverse.transport.RelayFixture.CLIENT;
import static io.traverse.transport.RelayFixture.LEGACY_CHANNEL;
import static io.traverse.transport.RelayFixture.OTHER_PEER;
import static io.traverse.transport.RelayFixture.PEER;
import static io.traverse.transport.RelayFixture.SERVER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.DatagramPacket;
import io.traverse.metrics.TraverseMetrics.DropReason;
import io.traverse.turn.TransportProtocol;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * {@link ChannelDataRelay} with the allocation's relay socket on an {@link EmbeddedChannel} (RFC 8656 §12.4): the
 * payload of a client's ChannelData goes to the peer bound to the channel, without its header or stream padding, as a
 * slice of the client's buffer; relay sockets are flushed once per read batch; malformed frames and frames nobody can
 * take are dropped and counted. The caller keeps ownership of each frame: after the test, every frame is back to the
 * one reference the caller releases.
 */
class ChannelDataRelayTest {
    private final RelayFixture fixture = new RelayFixture(TransportProtocol.UDP, true);
    private final RelayFixture.FlushCounter relayFlushes = new RelayFixture.FlushCounter();
    private final EmbeddedChannel relaySocket = fixture.relaySocket(relayFlushes);
    private final List<ByteBuf> frames = new ArrayList<>();

    @AfterEach
    void framesStayTheCallers() {
        RelayFixture.release(RelayFixture.drain(relaySocket));
        for (ByteBuf frame : frames) {
            assertEquals(1, frame.refCnt(), "the relay holds no reference to a frame once its datagram is gone");
            frame.release();
        }
    }

    private ChannelDataRelay relay(boolean legacyChannelNumbers) {
        return new ChannelDataRelay(fixture.registry, fixture.clock, fixture.metrics, legacyChannelNumbers);
    }

    private ByteBuf frame(String hex) {
        ByteBuf frame = Unpooled.wrappedBuffer(HexFormat.of().parseHex(hex));
        frames.add(frame);
        return frame;
    }

    /** What the relay socket sent, as "peer payload-hex", after {@code relay} flushed. */
    private List<String> sent() {
        List<String> out = new ArrayList<>();
        for (Object m : RelayFixture.drain(relaySocket)) {
            DatagramPacket p = assertInstanceOf(DatagramPacket.class, m);
            out.add(p.recipient() + " " + HexFormat.of().formatHex(ByteBufUtil.getBytes(p.content())));
            p.release();
        }
        return out;
    }

    @Test
    void payloadGoesToTheChannelsPeerWithoutHeaderOrPadding() {
        ChannelDataRelay relay = relay(false);
        relay.relay(frame("40000005" + "0102030405"), TransportProtocol.UDP, CLIENT, SERVER);
        relay.relay(frame("40000005" + "0a0b0c0d0e" + "000000"), TransportProtocol.UDP, CLIENT, SERVER); // padded
        relay.flush();

        assertEquals(List.of(PEER + " 0102030405", PEER + " 0a0b0c0d0e"), sent());
        assertEquals(2, fixture.metrics.relayedPackets(true));
    }

    @Test
    void payloadIsASliceOfTheClientsBufferNotACopy() {
        ChannelDataRelay relay = relay(false);
        ByteBuf frame = frame("40000004" + "01020304");
        relay.relay(frame, TransportProtocol.UDP, CLIENT, SERVER);
        assertEquals(2, frame.refCnt(), "the datagram to the peer holds the frame until it is sent");
        relay.flush();

        DatagramPacket out = relaySocket.readOutbound();
        frame.setByte(4, 0x7f);
        assertEquals(0x7f, out.content().getByte(0), "the payload shares the client's bytes");
        out.release();
    }

    @Test
    void relaySocketIsFlushedOncePerBatch() {
        ChannelDataRelay relay = relay(false);
        for (int i = 0; i < 3; i++) {
            relay.relay(frame("40000001" + "0" + i), TransportProtocol.UDP, CLIENT, SERVER);
        }
        assertEquals(0, relayFlushes.flushes, "written, not flushed, within the batch");
        assertEquals(List.of(), sent());

        relay.flush();
        assertEquals(1, relayFlushes.flushes, "one flush for the batch, for the one socket written");
        assertEquals(3, sent().size());

        relay.flush();
        assertEquals(1, relayFlushes.flushes, "a batch that wrote nothing flushes nothing");
    }

    /** RFC 8656 §12.4: malformed ChannelData is discarded; 0x5000-0x7FFF only with relay.legacy-channel-numbers. */
    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "length beyond the datagram, 40000010" + "0102030405",
        "shorter than a header,      400000",
        "channel below 0x4000,       3fff0001" + "01",
        "reserved channel 0x5000,    50000001" + "01",
        "channel above 0x7FFF,       80000001" + "01",
    })
    void malformedFrameIsDroppedAndCounted(String what, String hex) {
        ChannelDataRelay relay = relay(false);
        relay.relay(frame(hex), TransportProtocol.UDP, CLIENT, SERVER);
        relay.flush();

        assertEquals(List.of(), sent());
        assertEquals(1, fixture.metrics.droppedCount(DropReason.MALFORMED), what);
        assertEquals(0, fixture.metrics.relayedPackets(true));
    }

    @Test
    void legacyChannelNumberIsRelayedWhenSwitchedOn() {
        ChannelDataRelay relay = relay(true);
        relay.relay(frame(Integer.toHexString(LEGACY_CHANNEL) + "0001" + "01"), TransportProtocol.UDP, CLIENT, SERVER);
        relay.flush();

        assertEquals(List.of(OTHER_PEER + " 01"), sent());
    }

    @Test
    void unboundChannelIsDroppedAndCounted() {
        relay(false).relay(frame("40010001" + "01"), TransportProtocol.UDP, CLIENT, SERVER);

        assertEquals(1, fixture.metrics.droppedCount(DropReason.UNKNOWN_CHANNEL));
    }

    @Test
    void clientWithoutAllocationIsDroppedAndCounted() {
        InetSocketAddress stranger = new InetSocketAddress("192.0.2.99", 40000);
        ChannelDataRelay relay = relay(false);
        relay.relay(frame("40000001" + "01"), TransportProtocol.UDP, stranger, SERVER);
        relay.relay(frame("40000001" + "01"), TransportProtocol.TCP, CLIENT, SERVER); // another 5-tuple
        relay.flush();

        assertEquals(List.of(), sent());
        assertEquals(2, fixture.metrics.droppedCount(DropReason.NO_ALLOCATION));
    }
}
