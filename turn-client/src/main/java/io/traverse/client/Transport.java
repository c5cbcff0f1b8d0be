package io.traverse.client;

/** How {@link TurnClient} reaches the server (RFC 8656 §3.1). */
public enum Transport {
    /** UDP, with retransmissions (RFC 8489 §6.2.1). */
    UDP,
    /** TCP, STUN and ChannelData framed on the stream (RFC 8656 §12.5). */
    TCP,
    /** TLS over TCP, framed like TCP. */
    TLS;

    /** True for TCP and TLS. */
    public boolean isStream() {
        return this != UDP;
    }
}
