package io.traverse.turn;

import java.net.InetSocketAddress;
import java.util.concurrent.Executor;

/**
 * The transport's side of one allocation as the TURN core and the request handlers see it: the relay socket(s) bound
 * for it, the event loop it lives on and the client connection it serves. The transport implements it; nothing here
 * names a transport type, so the core stays Netty-free.
 */
public interface RelayHandle {

    /** A handle that relays nothing, for allocations built without a transport (tests, tools). */
    RelayHandle DETACHED = new Detached();

    /** Whether this is an RFC 6062 TCP allocation: its relay is a listening socket and data flows on connections. */
    boolean isTcp();

    /** The relay port bound for this address family, or -1 when the allocation has no relay of that family. */
    int port(boolean ipv6);

    /**
     * Sends {@code payload} as one UDP datagram to {@code peer} from the relay socket of the peer's family, and
     * flushes (RFC 8656 §11.2, a Send indication).
     *
     * @return false when the allocation has no UDP relay socket of that family (nothing is sent)
     */
    boolean sendToPeer(InetSocketAddress peer, byte[] payload);

    /** The event loop the allocation lives on: its state is touched only there. */
    Executor loop();

    /** Whether the calling thread is {@link #loop()}. */
    boolean inLoop();

    /** Closes the client's TCP/TLS connection (its 5-tuple); nothing for UDP and DTLS clients. */
    void closeClientConnection();

    /** Closes the relay socket(s) and any RFC 6062 peer connections, and stops the allocation's timers. */
    void close();

    /** Relays nothing: no relay socket, runs tasks in the caller's thread, closes nothing. */
    class Detached implements RelayHandle {
        @Override
        public boolean isTcp() {
            return false;
        }

        @Override
        public int port(boolean ipv6) {
            return -1;
        }

        @Override
        public boolean sendToPeer(InetSocketAddress peer, byte[] payload) {
            return false;
        }

        @Override
        public Executor loop() {
            return Runnable::run;
        }

        @Override
        public boolean inLoop() {
            return true;
        }

        @Override
        public void closeClientConnection() {
        }

        @Override
        public void close() {
        }
    }
}
