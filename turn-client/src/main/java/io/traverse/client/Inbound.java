package io.traverse.client;

/**
 * Peer data that reached the client through its allocation (RFC 8656 §11, §12): a {@link DataIndication}
 * or a {@link ChannelDataMessage}, as returned by {@link TurnClient#receive}.
 */
public sealed interface Inbound permits DataIndication, ChannelDataMessage {
    /** A copy of the application data. */
    byte[] data();
}
