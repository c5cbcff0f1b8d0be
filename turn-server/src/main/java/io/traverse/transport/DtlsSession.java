package io.traverse.transport;

import io.traverse.turn.FiveTuple;
import java.net.InetSocketAddress;
import org.bouncycastle.tls.DTLSTransport;

/**
 * One DTLS association with one client address, created only after the client echoed a valid cookie
 * (RFC 6347 §4.2.1). State changes happen on the listener channel's event loop; the handshake thread only
 * touches {@link #transport} (through Bouncy Castle).
 */
final class DtlsSession implements ClientMessages.Links {
    enum State { HANDSHAKING, ESTABLISHED, CLOSED }

    final InetSocketAddress client;
    final FiveTuple fiveTuple;
    final DtlsDatagramTransport transport;
    final DtlsClientLink link;
    final long startedNanos;
    State state = State.HANDSHAKING;
    /** Set on the loop when the handshake finished. */
    DTLSTransport dtls;
    long lastActivityNanos;

    DtlsSession(InetSocketAddress client, FiveTuple fiveTuple, DtlsDatagramTransport transport,
            DtlsServerHandler handler, long nowNanos) {
        this.client = client;
        this.fiveTuple = fiveTuple;
        this.transport = transport;
        this.link = new DtlsClientLink(handler, this);
        this.startedNanos = nowNanos;
        this.lastActivityNanos = nowNanos;
    }

    /** The association's only link. */
    @Override
    public ClientLink link(InetSocketAddress client) {
        return link;
    }
}
