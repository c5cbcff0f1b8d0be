package io.traverse.client;

import java.util.Arrays;
import java.util.Objects;

/**
 * A ChannelData message (RFC 8656 §12.4): data from the peer bound to {@code channel}. The bytes (without
 * header and padding) are copied in and out.
 *
 * @param channel the channel number, 0x4000..0x4FFF
 * @param data the application data
 */
public record ChannelDataMessage(int channel, byte[] data) implements Inbound {
    public ChannelDataMessage {
        data = Objects.requireNonNull(data, "data").clone();
    }

    @Override
    public byte[] data() {
        return data.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ChannelDataMessage other && other.channel == channel && Arrays.equals(other.data, data);
    }

    @Override
    public int hashCode() {
        return 31 * channel + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return String.format("ChannelDataMessage[channel=0x%04X, %d bytes]", channel, data.length);
    }
}
