package io.traverse.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.traverse.stun.MessageClass;
import io.traverse.stun.MessageType;
import io.traverse.stun.Method;
import io.traverse.stun.StunMessage;
import io.traverse.stun.TransactionId;
import io.traverse.stun.attr.ErrorCodeAttribute;
import io.traverse.stun.attr.Nonce;
import io.traverse.stun.attr.Realm;
import io.traverse.stun.attr.RequestedTransport;
import io.traverse.stun.attr.Username;
import io.traverse.stun.auth.LongTermKey;
import io.traverse.stun.auth.PasswordAlgorithm;
import io.traverse.stun.codec.Integrity;
import io.traverse.stun.codec.StunDecoder;
import io.traverse.stun.codec.StunEncoder;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 10,000 allocations created over UDP and left to expire: afterwards the server holds no allocation, and the
 * process's file descriptors, threads and heap are back at their baseline (RFC 8656 §7: expiry frees sockets
 * and memory). The server runs in this JVM, so the JVM's own counts are the server's.
 */
class AllocationChurnTest {
    private static final int ALLOCATIONS = 10_000;
    private static final int BATCH = 250;

    @TempDir
    Path dir;

    @Test
    void tenThousandAllocationsExpireAndResourcesReturnToBaseline() throws Exception {
        try (TestServer server = TurnFixture.start(dir, Map.of(
                "relay.allocation-lifetime.default", "1s",
                "relay.allocation-lifetime.max", "1s",
                "relay.max-allocations-per-user", "100000",
                "relay.max-allocations", "100000"))) {
            // Warm up code paths and pools once, then take the baseline.
            allocateBatch(server.udp4(), 50);
            awaitNoAllocations(server);
            long fdBaseline = openFileDescriptors();
            int threadBaseline = Thread.activeCount();
            long heapBaseline = usedHeapAfterGc();

            int created = 0;
            while (created < ALLOCATIONS) {
                created += allocateBatch(server.udp4(), Math.min(BATCH, ALLOCATIONS - created));
            }
            assertEquals(ALLOCATIONS, created);
            awaitNoAllocations(server);

            long fds = openFileDescriptors();
            int threads = Thread.activeCount();
            long heap = usedHeapAfterGc();
            assertTrue(fds <= fdBaseline + 5, "file descriptors: baseline " + fdBaseline + ", now " + fds);
            assertTrue(threads <= threadBaseline + 2, "threads: baseline " + threadBaseline + ", now " + threads);
            assertTrue(heap <= heapBaseline + 16L * 1024 * 1024,
                    "heap after GC: baseline " + heapBaseline + " bytes, now " + heap);
        }
    }

    /** Allocates {@code count} relays, one per fresh client socket, pipelined; returns how many succeeded. */
    private static int allocateBatch(InetSocketAddress server, int count) throws Exception {
        List<DatagramSocket> sockets = new ArrayList<>(count);
        try {
            for (int i = 0; i < count; i++) {
                DatagramSocket s = new DatagramSocket(new InetSocketAddress(server.getAddress(), 0));
                s.setSoTimeout(5000);
                sockets.add(s);
            }
            for (DatagramSocket s : sockets) {
                send(s, server, StunEncoder.encode(allocate().build()));
            }
            byte[] key = LongTermKey.derive(PasswordAlgorithm.MD5, TurnFixture.USER, TurnFixture.REALM,
                    TurnFixture.PASSWORD);
            for (DatagramSocket s : sockets) {
                StunMessage challenge = receive(s);
                assertEquals(401, challenge.attribute(ErrorCodeAttribute.class).orElseThrow().code());
                StunMessage request = allocate()
                        .add(new Username(TurnFixture.USER))
                        .add(challenge.attribute(Realm.class).orElseThrow())
                        .add(challenge.attribute(Nonce.class).orElseThrow())
                        .build();
                send(s, server, StunEncoder.encode(request, Integrity.sha1(key), true));
            }
            int ok = 0;
            for (DatagramSocket s : sockets) {
                StunMessage response = receive(s);
                if (response.type().messageClass() == MessageClass.SUCCESS_RESPONSE) {
                    ok++;
                }
            }
            return ok;
        } finally {
            sockets.forEach(DatagramSocket::close);
        }
    }

    private static StunMessage.Builder allocate() {
        return StunMessage.builder(MessageType.request(Method.ALLOCATE), TransactionId.random())
                .add(new RequestedTransport(RequestedTransport.UDP));
    }

    private static void send(DatagramSocket s, InetSocketAddress to, byte[] bytes) throws IOException {
        s.send(new DatagramPacket(bytes, bytes.length, to));
    }

    private static StunMessage receive(DatagramSocket s) throws IOException {
        byte[] buf = new byte[2048];
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        s.receive(p);
        try {
            return StunDecoder.decode(Arrays.copyOf(buf, p.getLength())).message();
        } catch (io.traverse.stun.codec.StunParseException e) {
            throw new AssertionError("bad response", e);
        }
    }

    private static void awaitNoAllocations(TestServer server) throws InterruptedException {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (server.server().allocations().active() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        assertEquals(0, server.server().allocations().active(), "allocations still live after expiry");
        Thread.sleep(300); // let closed relay channels finish deregistering
    }

    private static long openFileDescriptors() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }

    private static long usedHeapAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
