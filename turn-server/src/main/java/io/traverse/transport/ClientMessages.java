package io.traverse.transport;

import io.netty.buffer.ByteBuf;
import io.traverse.metrics.TraverseMetrics;
import io.traverse.metrics.TraverseMetrics.DropReason;
import io.traverse.stun.MessageClass;
import io.traverse.stun.codec.Framing;
import io.traverse.turn.TransportProtocol;
import java.net.InetSocketAddress;

/**
 * The one classify-and-dispatch step of every client transport. RFC 8656 §12: ChannelData and STUN messages
 * share the client's 5-tuple and the first two bits tell them apart (RFC 7983): ChannelData goes to the relay,
 * STUN to the STUN handler, anything else is dropped and counted. The UDP, TCP/TLS and DTLS handlers differ only
 * in how they frame and decrypt what they hand to {@link #dispatch}.
 */
final class ClientMessages {
    /** Where a STUN message's {@link ClientLink} comes from; asked only for STUN, never on the relay path. */
    interface Links {
        /** The link to {@code client} (on UDP, one per sender; on a stream or DTLS association, the only one). */
        ClientLink link(InetSocketAddress client);
    }

    private final StunHandler stun;
    private final ChannelDataRelay relay;
    private final TraverseMetrics metrics;

    ClientMessages(StunHandler stun, ChannelDataRelay relay, TraverseMetrics metrics) {
        this.stun = stun;
        this.relay = relay;
        this.metrics = metrics;
    }

    /**
     * One message (a datagram, a stream frame or a decrypted DTLS record) from {@code client} to {@code server};
     * the caller keeps ownership of the buffer.
     */
    void dispatch(ByteBuf message, TransportProtocol protocol, InetSocketAddress client, InetSocketAddress server,
            Links links) {
        Framing.Kind kind = Framing.detect(message);
        if (kind == Framing.Kind.CHANNEL_DATA) {
            relay.relay(message, protocol, client, server);
        } else if (kind == Framing.Kind.STUN) {
            if (isRequest(message)) {
                SpinThenWait.stunRequestHandled(); // the client's next request follows our response
            }
            stun.onStun(message, links.link(client));
        } else {
            metrics.dropped(DropReason.UNKNOWN_KIND);
        }
    }

    /** A STUN request, not an indication or a response. */
    private static boolean isRequest(ByteBuf message) {
        return message.readableBytes() >= 2
                && MessageClass.ofType(message.getUnsignedShort(message.readerIndex())) == MessageClass.REQUEST;
    }

    /** The end of a read batch: ChannelData buffered for the relay sockets goes out. */
    void flush() {
        relay.flush();
    }

    /** The STUN handler, for the transports' connection events. */
    StunHandler stun() {
        return stun;
    }
}
