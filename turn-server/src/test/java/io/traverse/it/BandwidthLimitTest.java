package io.traverse.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.traverse.client.AllocateResult;
import io.traverse.client.Transport;
import io.traverse.client.TurnClient;
import io.traverse.client.TurnCredentials;
import io.traverse.client.TurnErrorException;
import io.traverse.metrics.TraverseMetrics.DropReason;
import io.traverse.server.Sessions;
import io.traverse.turn.RelayTraffic;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bandwidth.max-bps, its per-user override and bandwidth.bps-capacity on the real server with the project's
 * TURN client: the relayed rate measured at a real UDP peer stays within rate × time + burst, the excess is
 * dropped and counted (per allocation and in the metrics), and the capacity refuses an Allocate with 508.
 */
class BandwidthLimitTest {
    static final int RATE = 20_000;
    static final int PACKET = 1000;
    /** Bandwidth.burstFor(20000): the 16 KiB minimum. */
    static final int BURST = 16 * 1024;

    @TempDir
    Path dir;

    /** Counts what a UDP peer receives until it has been quiet for a second. */
    private static final class CountingPeer implements AutoCloseable {
        final DatagramSocket socket;
        final AtomicLong bytes = new AtomicLong();
        final Thread reader;

        CountingPeer() throws Exception {
            socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            socket.setReceiveBufferSize(4 << 20);
            socket.setSoTimeout(1000);
            reader = new Thread(() -> {
                byte[] buf = new byte[2048];
                try {
                    for (;;) {
                        DatagramPacket p = new DatagramPacket(buf, buf.length);
                        socket.receive(p);
                        bytes.addAndGet(p.getLength());
                    }
                } catch (SocketTimeoutException e) {
                    // quiet for a second: done
                } catch (java.io.IOException e) {
                    // closed
                }
            }, "counting-peer");
            reader.start();
        }

        InetSocketAddress address() {
            return (InetSocketAddress) socket.getLocalSocketAddress();
        }

        long awaitQuiet() throws InterruptedException {
            reader.join(30_000);
            return bytes.get();
        }

        @Override
        public void close() {
            socket.close();
        }
    }

    private static RelayTraffic.Snapshot traffic(TestServer server, String user) {
        Sessions.Page page = server.server().sessions().list(new Sessions.Filter(user, null), 0, 10).join();
        assertEquals(1, page.sessions().size(), page.toString());
        return page.sessions().get(0).traffic();
    }

    /** Sends 1000-byte ChannelData frames, one per millisecond or so, for {@code millis}; returns the count. */
    private static int flood(TurnClient client, long millis) throws Exception {
        int sent = 0;
        long end = System.nanoTime() + millis * 1_000_000L;
        while (System.nanoTime() - end < 0) {
            client.sendChannelData(0x4000, new byte[PACKET]);
            sent++;
            Thread.sleep(1);
        }
        return sent;
    }

    @Test
    void aLimitedAllocationRelaysAtItsRateAndTheExcessIsDroppedAndCounted() throws Exception {
        try (TestServer server = TurnFixture.start(dir, Map.of("bandwidth.max-bps", Integer.toString(RATE)));
                TurnClient alice = TurnClient.connect(Transport.UDP, server.udp4());
                CountingPeer peer = new CountingPeer()) {
            alice.allocate(TurnCredentials.password(TurnFixture.USER, TurnFixture.PASSWORD));
            alice.channelBind(0x4000, peer.address());
            long start = System.nanoTime();
            int sent = flood(alice, 2000);
            double seconds = (System.nanoTime() - start) / 1e9;
            long received = peer.awaitQuiet();

            RelayTraffic.Snapshot t = traffic(server, TurnFixture.USER);
            assertEquals(sent, t.packetsToPeer() + t.droppedToPeer(), t.toString());
            assertTrue(t.droppedToPeer() > 0, t.toString());
            assertEquals(t.bytesToPeer(), received, "what passed the bucket reached the peer: " + t);
            // token bucket: at most the burst plus the rate over the time the frames took to arrive
            assertTrue(received <= BURST + RATE * (seconds + 0.5) + PACKET,
                    received + " bytes in " + seconds + " s exceeds the limit");
            assertTrue(received >= BURST, received + " bytes: not even the burst passed");
            assertEquals((double) t.droppedToPeer(), server.metrics().droppedCount(DropReason.BANDWIDTH));
        }
    }

    @Test
    void thePeerToClientDirectionHasItsOwnLimit() throws Exception {
        try (TestServer server = TurnFixture.start(dir, Map.of("bandwidth.max-bps", Integer.toString(RATE)));
                TurnClient alice = TurnClient.connect(Transport.UDP, server.udp4());
                DatagramSocket peer = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            AllocateResult allocated = alice.allocate(TurnCredentials.password(TurnFixture.USER,
                    TurnFixture.PASSWORD));
            alice.createPermission((InetSocketAddress) peer.getLocalSocketAddress());
            long start = System.nanoTime();
            int sent = 0;
            while (System.nanoTime() - start < 1_000_000_000L) {
                peer.send(new DatagramPacket(new byte[PACKET], PACKET, allocated.relayedAddress()));
                sent++;
                Thread.sleep(1);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            Thread.sleep(300);
            RelayTraffic.Snapshot t = traffic(server, TurnFixture.USER);
            assertTrue(t.droppedToClient() > 0, t.toString());
            assertTrue(t.bytesToClient() <= BURST + RATE * (seconds + 0.5) + PACKET, t.toString());
            assertTrue(t.packetsToClient() + t.droppedToClient() <= sent, t.toString());
            assertEquals(0, t.droppedToPeer(), t.toString());
        }
    }

    @Test
    void aPerUserOverrideReplacesTheLimit() throws Exception {
        try (TestServer server = TurnFixture.start(dir, Map.of("bandwidth.max-bps", Integer.toString(RATE),
                "bandwidth.users", TurnFixture.USER2 + "=10000000"));
                TurnClient bob = TurnClient.connect(Transport.UDP, server.udp4());
                CountingPeer peer = new CountingPeer()) {
            bob.allocate(TurnCredentials.password(TurnFixture.USER2, TurnFixture.PASSWORD2));
            bob.channelBind(0x4000, peer.address());
            int sent = flood(bob, 500);
            long received = peer.awaitQuiet();
            RelayTraffic.Snapshot t = traffic(server, TurnFixture.USER2);
            assertEquals(0, t.droppedToPeer(), t.toString());
            assertEquals(sent, t.packetsToPeer(), t.toString());
            assertEquals((long) sent * PACKET, received);
        }
    }

    @Test
    void theCapacityRefusesAnAllocateThatWouldExceedItWith508() throws Exception {
        try (TestServer server = TurnFixture.start(dir, Map.of("bandwidth.max-bps", Integer.toString(RATE),
                "bandwidth.bps-capacity", Integer.toString(RATE + RATE / 2)));
                TurnClient first = TurnClient.connect(Transport.UDP, server.udp4());
                TurnClient second = TurnClient.connect(Transport.UDP, server.udp4());
                TurnClient third = TurnClient.connect(Transport.UDP, server.udp4())) {
            TurnCredentials alice = TurnCredentials.password(TurnFixture.USER, TurnFixture.PASSWORD);
            first.allocate(alice);
            TurnErrorException refused = assertThrows(TurnErrorException.class, () -> second.allocate(alice));
            assertEquals(508, refused.code());
            first.deallocate();
            third.allocate(alice); // the capacity came back with the deallocation
            assertEquals(1, server.server().allocations().registered());
        }
    }
}
