package io.traverse.transport;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.ChannelException;
import io.netty.channel.unix.Errors;
import java.io.IOException;
import java.net.BindException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import org.junit.jupiter.api.Test;

/** Which bind failures mean "port taken" (and so quarantine the port). */
class RelaySocketsTest {
    @Test
    void addressInUseFromTheNativeTransport() {
        assertTrue(RelaySockets.addressInUse(new Errors.NativeIoException("bind", -98)), "EADDRINUSE");
        assertFalse(RelaySockets.addressInUse(new Errors.NativeIoException("bind", -24)), "EMFILE");
        assertFalse(RelaySockets.addressInUse(new ChannelException("socket failed",
                new Errors.NativeIoException("socket", -24))), "EMFILE creating the socket");
    }

    @Test
    void addressInUseFromTheJdk() throws IOException {
        try (DatagramSocket taken = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            SocketException e = null;
            try (DatagramSocket second = new DatagramSocket(taken.getLocalSocketAddress())) {
                // bound: impossible while taken is open
            } catch (SocketException thrown) {
                e = thrown;
            }
            assertTrue(e != null && RelaySockets.addressInUse(e), String.valueOf(e));
        }
        assertFalse(RelaySockets.addressInUse(new BindException("Cannot assign requested address")));
        assertFalse(RelaySockets.addressInUse(new IOException("Too many open files")));
    }
}
