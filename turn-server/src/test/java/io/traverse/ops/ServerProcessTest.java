package io.traverse.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.channel.epoll.Epoll;
import io.traverse.auth.UsersFile;
import io.traverse.client.ChannelDataMessage;
import io.traverse.client.Transport;
import io.traverse.client.TurnClient;
import io.traverse.client.TurnClientOptions;
import io.traverse.client.TurnCredentials;
import io.traverse.client.TurnErrorException;
import io.traverse.client.TurnTimeoutException;
import io.traverse.stun.attr.AlternateServer;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server as systemd runs it: a separate JVM started from {@code TraverseMain} with {@code NOTIFY_SOCKET}
 * and {@code WATCHDOG_USEC}, driven with real signals. READY=1 only once the listeners answer, WATCHDOG=1 keeps
 * coming, SIGHUP reloads without losing a relayed packet, SIGTERM drains (new Allocates refused, /readyz 503,
 * existing allocations keep relaying) and the process exits 0 when the last allocation ends or the grace
 * period is over. Logs are JSON lines ({@code logging.format: json}).
 */
class ServerProcessTest {
    private static final String REALM = "traverse.test";
    private static final String USER = "alice";
    private static final String PASSWORD = "correct horse";
    private static final int CHANNEL = 0x4000;
    private static final Duration START = Duration.ofSeconds(30);
    private static final Duration SHORT = Duration.ofSeconds(5);
    private static final Pattern TEXT_LOG_LINE =
            Pattern.compile("^\\d{4}-\\d\\d-\\d\\dT\\S+ +(TRACE|DEBUG|INFO|WARN|ERROR) +\\[", Pattern.MULTILINE);

    @TempDir
    Path dir;

    private ServerProcessHarness harness;
    private EchoPeer echo;
    private int udpPort;
    private Path usersFile;

    @BeforeEach
    void setUp() throws Exception {
        // On Linux epoll must be there (the server uses it; a missing native library is a bug, not a reason to skip).
        if (System.getProperty("os.name").toLowerCase(java.util.Locale.ROOT).contains("linux")) {
            assertTrue(Epoll.isAvailable(), () -> "native epoll unavailable: " + Epoll.unavailabilityCause());
        }
        assumeTrue(Epoll.isAvailable(), () -> "native epoll unavailable: " + Epoll.unavailabilityCause());
        harness = ServerProcessHarness.create(dir);
        echo = new EchoPeer();
        usersFile = dir.resolve("users");
        UsersFile.empty().add(USER, REALM, PASSWORD).write(usersFile);
    }

    @AfterEach
    void tearDown() throws Exception {
        if (echo != null) {
            echo.close();
        }
        if (harness != null) {
            harness.close();
        }
    }

    /** Writes the config and starts the child; {@code extra} is appended YAML (admin is off unless it says). */
    private Process startServer(String extra) throws IOException {
        if (!extra.contains("admin:")) {
            extra = extra + "\nadmin:\n  enabled: false";
        }
        udpPort = ServerProcessHarness.freeUdpPort();
        Path config = dir.resolve("traverse.yaml");
        Files.writeString(config, String.join("\n",
                "server:",
                "  realm: " + REALM,
                "  event-loops: 2",
                "listeners:",
                "  - udp://127.0.0.1:" + udpPort,
                "relay:",
                "  addresses: [\"127.0.0.1\"]",
                "auth:",
                "  users-file: " + usersFile,
                "  unauthenticated-rate-limit:",
                "    per-second: 0",
                "peers:",
                "  allow-loopback-insecure-test-only: true",
                "logging:",
                "  level: info",
                "  format: json",
                extra,
                ""));
        return harness.start(config);
    }

    private static String admin(int port) {
        return String.join("\n", "admin:", "  enabled: true", "  address: 127.0.0.1", "  port: " + port);
    }

    private static String drain(String grace, String alternate) {
        return String.join("\n", "drain:", "  grace-period: " + grace,
                "  alternate-server: " + (alternate == null ? "null" : "\"" + alternate + "\""));
    }

    private InetSocketAddress server() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), udpPort);
    }

    private static TurnClientOptions quick() {
        return TurnClientOptions.builder().transactionTimeout(SHORT).build();
    }

    /** alice's allocation with a channel to the echo peer, checked with one round trip. */
    private TurnClient relayingClient() throws Exception {
        TurnClient client = TurnClient.connect(Transport.UDP, server(), quick());
        client.allocate(TurnCredentials.password(USER, PASSWORD));
        client.channelBind(CHANNEL, echo.address());
        assertEquals(1, roundTrips(client, 1, 0, Duration.ZERO).echoed().cardinality());
        return client;
    }

    @Test
    void readyAfterListenersWatchdogAndReloadWithoutLosingRelayedPackets() throws Exception {
        startServer("");
        int ready = harness.await("READY=1", 0, START);

        // The listener answers at once: the first transmission of a Binding gets its response.
        TurnClientOptions once = TurnClientOptions.builder().maxTransmissions(1).rto(Duration.ofSeconds(2))
                .lastWaitFactor(1).transactionTimeout(Duration.ofSeconds(2)).build();
        try (TurnClient binding = TurnClient.connect(Transport.UDP, server(), once)) {
            assertEquals(binding.localAddress().getPort(), binding.binding().getPort());
        }

        // WATCHDOG_USEC=1 s: a ping every 500 ms. The first ping shares the notifier's cold start with READY=1
        // and may be late (then a fixed-rate schedule catches up), so the spacing is measured from the third.
        int[] pings = new int[5];
        for (int i = 0, from = ready; i < pings.length; from = pings[i++] + 1) {
            pings[i] = harness.await("WATCHDOG=1", from, SHORT);
        }
        long span = harness.notification(pings[4]).nanos() - harness.notification(pings[2]).nanos();
        assertTrue(span >= TimeUnit.MILLISECONDS.toNanos(700) && span <= TimeUnit.SECONDS.toNanos(3),
                "pings about 500 ms apart: " + TimeUnit.NANOSECONDS.toMillis(span) + " ms for two intervals");

        try (TurnClient client = relayingClient()) {
            int before = harness.notifications().size();
            // 200 ChannelData messages 5 ms apart; at the 60th the users file changes and SIGHUP is sent, and the
            // flow goes on until RELOADING=1 and READY=1 have both arrived and 20 more messages went out after them.
            Predicate<String> reloadingMessage = t -> t.startsWith("RELOADING=1\nMONOTONIC_USEC=");
            int[] reloaded = {-1, -1}; // index of READY=1 after RELOADING=1, sequence number when it was seen
            Echoes flow = roundTrips(client, 5, Duration.ofSeconds(5), i -> {
                if (i == 60) {
                    UsersFile.empty().add(USER, REALM, PASSWORD).add("carol", REALM, "carol's password")
                            .write(usersFile);
                    harness.signal("HUP");
                } else if (i > 60 && reloaded[0] < 0) {
                    int reloading = harness.indexOf(reloadingMessage, before);
                    int readyAgain = reloading < 0 ? -1 : harness.indexOf("READY=1"::equals, reloading + 1);
                    if (readyAgain >= 0) {
                        reloaded[0] = readyAgain;
                        reloaded[1] = i;
                    }
                }
                assertTrue(i < 2000, () -> "no RELOADING=1 and READY=1 during 2000 messages: "
                        + harness.notifications() + "\n" + harness.logText());
                return i < 200 || reloaded[0] < 0 || i < reloaded[1] + 20;
            });
            assertTrue(flow.sent() >= 200);
            assertEquals(flow.sent(), flow.echoed().cardinality(),
                    () -> "echoes missing: " + missing(flow.echoed(), flow.sent()));
            int reloading = harness.await("RELOADING=1", reloadingMessage, before, SHORT);
            assertTrue(reloading < reloaded[0], "RELOADING=1, then READY=1");
            assertTrue(reloaded[1] > 60 && reloaded[1] + 20 <= flow.sent(), "the reload happened during the flow");
            // The allocation survived the reload and still relays.
            assertEquals(3, roundTrips(client, 3, 0, Duration.ZERO).echoed().cardinality());
        }
        try (TurnClient carol = TurnClient.connect(Transport.UDP, server(), quick())) {
            carol.allocate(TurnCredentials.password("carol", "carol's password")); // the new users file applies
        } catch (TurnErrorException e) {
            throw new AssertionError("carol refused after the reload: " + e.getMessage() + "\n" + harness.logText(), e);
        }
        assertTrue(harness.process().isAlive(), "SIGHUP does not stop the server");
        assertTrue(harness.logText().contains("reloaded credentials, peer policy and certificates"), harness.logText());
        assertJsonLogs();
    }

    @Test
    void sigtermDrainsThenExitsZeroWhenTheLastAllocationEnds() throws Exception {
        int adminPort = ServerProcessHarness.freeTcpPort();
        Process process = startServer(admin(adminPort) + "\n" + drain("20s", null));
        harness.await("READY=1", 0, START);
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        assertEquals(200, get(http, adminPort, "/readyz"));
        assertEquals(200, get(http, adminPort, "/healthz"));

        try (TurnClient existing = relayingClient()) {
            int before = harness.notifications().size();
            process.destroy(); // SIGTERM
            harness.await("STOPPING=1", before, SHORT);
            assertEquals(503, get(http, adminPort, "/readyz"), "not ready while draining");
            assertEquals(200, get(http, adminPort, "/healthz"), "alive while draining");

            try (TurnClient newcomer = TurnClient.connect(Transport.UDP, server(), quick())) {
                TurnErrorException refused = assertThrows(TurnErrorException.class,
                        () -> newcomer.allocate(TurnCredentials.password(USER, PASSWORD)));
                assertEquals(508, refused.code(), "no alternate server configured: Insufficient Capacity");
            }
            assertEquals(20, roundTrips(existing, 20, 2, Duration.ofSeconds(3)).echoed().cardinality(),
                    "the existing allocation keeps relaying during the drain");
            assertTrue(process.isAlive(), "still draining");

            long deleted = System.nanoTime();
            existing.deallocate();
            assertTrue(process.waitFor(10, TimeUnit.SECONDS), () -> "no exit after the last allocation ended:\n"
                    + harness.logText());
            assertTrue(System.nanoTime() - deleted < TimeUnit.SECONDS.toNanos(10), "well before the 20 s grace");
        }
        assertEquals(0, process.exitValue(), harness::logText);
        String log = harness.logText();
        assertTrue(log.contains("\"message\":\"draining: 1 allocations, grace 20s\""), log);
        assertTrue(log.contains("\"message\":\"drained: no allocations left\""), log);
        assertTrue(log.contains("\"message\":\"stopped\""), log);
        assertJsonLogs();
    }

    @Test
    void sigtermWithAlternateServerAnswers300AndExitsZeroAfterTheGracePeriod() throws Exception {
        Process process = startServer(drain("2s", "192.0.2.7:3478"));
        harness.await("READY=1", 0, START);
        try (TurnClient existing = relayingClient()) {
            int before = harness.notifications().size();
            long term = System.nanoTime();
            process.destroy();
            harness.await("STOPPING=1", before, SHORT);
            try (TurnClient newcomer = TurnClient.connect(Transport.UDP, server(), quick())) {
                TurnErrorException refused = assertThrows(TurnErrorException.class,
                        () -> newcomer.allocate(TurnCredentials.password(USER, PASSWORD)));
                assertEquals(300, refused.code(), "Try Alternate");
                AlternateServer alternate = refused.response().orElseThrow().attribute(AlternateServer.class)
                        .orElseThrow(() -> new AssertionError("300 without ALTERNATE-SERVER"));
                assertEquals(new InetSocketAddress("192.0.2.7", 3478), alternate.address());
            }
            assertEquals(5, roundTrips(existing, 5, 2, Duration.ofSeconds(2)).echoed().cardinality());
            assertTrue(process.waitFor(10, TimeUnit.SECONDS), () -> "no exit after the grace period:\n"
                    + harness.logText());
            long elapsed = System.nanoTime() - term;
            assertTrue(elapsed >= TimeUnit.MILLISECONDS.toNanos(1900),
                    "the allocation was given the grace period: " + TimeUnit.NANOSECONDS.toMillis(elapsed) + " ms");
        }
        assertEquals(0, process.exitValue(), harness::logText);
        assertTrue(harness.logText().contains("\"message\":\"grace period over: closing 1 allocations\""),
                harness.logText());
    }

    @Test
    void aSecondSigtermEndsTheDrainAtOnce() throws Exception {
        Process process = startServer(drain("60s", null));
        harness.await("READY=1", 0, START);
        try (TurnClient existing = relayingClient()) {
            int before = harness.notifications().size();
            process.destroy();
            harness.await("STOPPING=1", before, SHORT);
            assertFalse(process.waitFor(300, TimeUnit.MILLISECONDS), "draining: an allocation is live");
            harness.signal("TERM");
            assertTrue(process.waitFor(10, TimeUnit.SECONDS), () -> "the second SIGTERM did not end the drain:\n"
                    + harness.logText());
        }
        assertEquals(0, process.exitValue(), harness::logText);
        assertTrue(harness.logText().contains("\"message\":\"drain cut short: closing 1 allocations\""),
                harness.logText());
    }

    /** Every line of the child's output is a JSON log event; no line is in the text format. */
    private void assertJsonLogs() throws IOException {
        ObjectMapper json = new ObjectMapper();
        List<String> lines = Files.readAllLines(harness.log());
        assertFalse(lines.isEmpty(), "the server logged something");
        assertFalse(TEXT_LOG_LINE.matcher(String.join("\n", lines)).find(), () -> "a text log line in:\n" + lines);
        int events = 0;
        for (String line : lines) {
            if (!line.startsWith("{")) {
                continue; // e.g. a JVM warning printed by a newer JDK, not a log event
            }
            JsonNode event = json.readTree(line);
            for (String field : List.of("timestamp", "level", "logger", "message")) {
                assertTrue(event.hasNonNull(field), () -> "no '" + field + "' in " + line);
            }
            events++;
        }
        assertTrue(events >= 3, () -> "JSON events expected:\n" + lines);
    }

    private static int get(HttpClient http, int port, String path) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(3)).GET().build();
        return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    /** Decides before each message (with its sequence number) whether the flow goes on; may act meanwhile. */
    private interface Flow {
        boolean sendNext(int sequence) throws Exception;
    }

    /** How many messages a flow sent, and which of them came back intact. */
    private record Echoes(int sent, BitSet echoed) {}

    private static Echoes roundTrips(TurnClient client, int count, int spacingMillis, Duration tail) throws Exception {
        return roundTrips(client, spacingMillis, tail, i -> i < count);
    }

    /**
     * Sends ChannelData messages {@code spacingMillis} apart while {@code flow} says so, collecting the echoes in
     * between (one thread drives the client), then waits up to {@code tail} (at least 3 s) for the rest.
     */
    private static Echoes roundTrips(TurnClient client, int spacingMillis, Duration tail, Flow flow)
            throws Exception {
        BitSet echoed = new BitSet();
        int sent = 0;
        long next = System.nanoTime();
        while (flow.sendNext(sent)) {
            client.sendChannelData(CHANNEL, payload(sent));
            sent++;
            next += TimeUnit.MILLISECONDS.toNanos(spacingMillis);
            collect(client, echoed, next, sent);
        }
        long deadline = System.nanoTime() + Math.max(tail.toNanos(), TimeUnit.SECONDS.toNanos(3));
        collect(client, echoed, deadline, sent);
        return new Echoes(sent, echoed);
    }

    /** Receives echoes until {@code deadline} or until all {@code count} came back. */
    private static void collect(TurnClient client, BitSet echoed, long deadline, int count) throws Exception {
        while (echoed.cardinality() < count) {
            long left = deadline - System.nanoTime();
            if (left < TimeUnit.MILLISECONDS.toNanos(1)) {
                return;
            }
            try {
                ChannelDataMessage message = assertInstanceOf(ChannelDataMessage.class,
                        client.receive(Duration.ofNanos(left)));
                assertEquals(CHANNEL, message.channel());
                int sequence = ByteBuffer.wrap(message.data()).getInt();
                assertArrayEquals(payload(sequence), message.data());
                echoed.set(sequence);
            } catch (TurnTimeoutException e) {
                return;
            }
        }
    }

    /** 64 bytes: the sequence number, then a pattern derived from it. */
    private static byte[] payload(int sequence) {
        ByteBuffer b = ByteBuffer.allocate(64).putInt(sequence);
        while (b.hasRemaining()) {
            b.put((byte) (sequence * 31 + b.position()));
        }
        return b.array();
    }

    private static String missing(BitSet echoed, int count) {
        BitSet missing = new BitSet(count);
        missing.set(0, count);
        missing.andNot(echoed);
        return missing.toString();
    }

    /** A UDP peer on 127.0.0.1 that sends every datagram back to where it came from. */
    private static final class EchoPeer implements AutoCloseable {
        private final DatagramSocket socket;
        private final Thread thread;

        EchoPeer() throws IOException {
            socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            thread = new Thread(this::run, "echo-peer");
            thread.setDaemon(true);
            thread.start();
        }

        InetSocketAddress address() {
            return (InetSocketAddress) socket.getLocalSocketAddress();
        }

        private void run() {
            byte[] buffer = new byte[65536];
            while (!socket.isClosed()) {
                try {
                    DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                    socket.receive(packet);
                    socket.send(new DatagramPacket(buffer, packet.getLength(), packet.getSocketAddress()));
                } catch (IOException e) {
                    return; // closed
                }
            }
        }

        @Override
        public void close() throws InterruptedException {
            socket.close();
            thread.join(1000);
        }
    }
}
