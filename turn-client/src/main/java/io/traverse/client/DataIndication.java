package io.traverse.client;

import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.Objects;

/**
 * A Data indication (RFC 8656 §11.6): data the relay received from {@code peer}, delivered to a client that
 * has a permission but no channel for that peer. The bytes are copied in and out.
 *
 * @param peer the peer's address from XOR-PEER-ADDRESS
 * @param data the DATA attribute's value
 */
public record DataIndication(InetSocketAddress peer, byte[] data) implements Inbound {
    public DataIndication {
        Objects.requireNonNull(peer, "peer");
        data = Objects.requireNonNull(data, "data").clone();
    }

    @Override
    public byte[] data() {
        return data.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DataIndication other && other.peer.equals(peer) && Arrays.equals(other.data, data);
    }

    @Override
    public int hashCode() {
        return 31 * peer.hashCode() + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "DataIndication[peer=" + peer + ", " + data.length + " bytes]";
    }
}
