package io.traverse.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDomainDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.unix.DomainDatagramPacket;
import io.netty.channel.unix.DomainSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Sends notifications to a real Unix datagram socket standing in for systemd's. */
class SystemdNotifierTest {
    private static final long TIMEOUT_SECONDS = 5;

    @TempDir
    Path dir;

    private EventLoopGroup group;
    private Channel receiver;
    private final BlockingQueue<String> received = new LinkedBlockingQueue<>();

    @BeforeEach
    void requireEpoll() {
        // On Linux epoll must be there (the server uses it; a missing native library is a bug, not a reason to skip).
        if (System.getProperty("os.name").toLowerCase(java.util.Locale.ROOT).contains("linux")) {
            assertTrue(Epoll.isAvailable(), () -> "native epoll unavailable: " + Epoll.unavailabilityCause());
        }
        assumeTrue(Epoll.isAvailable(), () -> "native epoll unavailable: " + Epoll.unavailabilityCause());
        group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
    }

    @AfterEach
    void stopReceiver() {
        if (receiver != null) {
            receiver.close().syncUninterruptibly();
        }
        if (group != null) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    /** Binds a datagram socket like systemd's notification socket at {@code address}. */
    private void bindReceiver(String address) throws InterruptedException {
        receiver = new Bootstrap()
                .group(group)
                .channel(EpollDomainDatagramChannel.class)
                .option(ChannelOption.RECVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(8192))
                .handler(new SimpleChannelInboundHandler<DomainDatagramPacket>() {
                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, DomainDatagramPacket packet) {
                        received.add(packet.content().toString(StandardCharsets.UTF_8));
                    }
                })
                .bind(new DomainSocketAddress(address))
                .sync()
                .channel();
    }

    private String socketPath() throws InterruptedException {
        String path = dir.resolve("notify.sock").toString();
        bindReceiver(path);
        return path;
    }

    private String next() throws InterruptedException {
        String message = received.poll(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        assertNotNull(message, "no notification arrived within " + TIMEOUT_SECONDS + " s");
        return message;
    }

    private static boolean sent(CompletableFuture<Boolean> future) throws Exception {
        return future.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    @Test
    void sendsLifecycleNotificationsInOrderToAPathSocket() throws Exception {
        try (SystemdNotifier notifier = new SystemdNotifier(Map.of("NOTIFY_SOCKET", socketPath()))) {
            assertTrue(notifier.isEnabled());
            assertTrue(sent(notifier.ready()));
            assertTrue(sent(notifier.watchdog()));
            assertTrue(sent(notifier.stopping()));
            assertEquals("READY=1", next());
            assertEquals("WATCHDOG=1", next());
            assertEquals("STOPPING=1", next());
        }
    }

    @Test
    void sendsToAnAbstractNamespaceSocket() throws Exception {
        String name = "traverse-test-" + UUID.randomUUID();
        bindReceiver("\0" + name);
        try (SystemdNotifier notifier = new SystemdNotifier(Map.of("NOTIFY_SOCKET", "@" + name))) {
            assertTrue(sent(notifier.ready()));
            assertEquals("READY=1", next());
        }
    }

    @Test
    void reloadingCarriesTheMonotonicClock() throws Exception {
        try (SystemdNotifier notifier = new SystemdNotifier(Map.of("NOTIFY_SOCKET", socketPath()))) {
            long before = TimeUnit.NANOSECONDS.toMicros(System.nanoTime());
            assertTrue(sent(notifier.reloading()));
            long after = TimeUnit.NANOSECONDS.toMicros(System.nanoTime());
            Matcher m = Pattern.compile("RELOADING=1\nMONOTONIC_USEC=(\\d+)").matcher(next());
            assertTrue(m.matches());
            long usec = Long.parseLong(m.group(1));
            assertTrue(usec >= before && usec <= after, usec + " not in [" + before + ", " + after + "]");
        }
    }

    @Test
    void statusIsOneLineAndExtendTimeoutIsInMicroseconds() throws Exception {
        try (SystemdNotifier notifier = new SystemdNotifier(Map.of("NOTIFY_SOCKET", socketPath()))) {
            assertTrue(sent(notifier.status("draining\n42 allocations\0\rleft")));
            assertEquals("STATUS=draining 42 allocations  left", next());
            assertTrue(sent(notifier.extendTimeout(Duration.ofSeconds(30))));
            assertEquals("EXTEND_TIMEOUT_USEC=30000000", next());
            assertTrue(sent(notifier.status("é".repeat(5000))));
            String status = next();
            assertTrue(status.getBytes(StandardCharsets.UTF_8).length <= SystemdNotifier.MAX_MESSAGE_BYTES);
            assertEquals("STATUS=" + "é".repeat((SystemdNotifier.MAX_MESSAGE_BYTES - 7) / 2), status);
        }
    }

    @Test
    void refusesMessagesLargerThanSystemdReads() throws Exception {
        try (SystemdNotifier notifier = new SystemdNotifier(Map.of("NOTIFY_SOCKET", socketPath()))) {
            assertFalse(sent(notifier.send("X=" + "x".repeat(SystemdNotifier.MAX_MESSAGE_BYTES))));
            assertTrue(sent(notifier.ready()));
            assertEquals("READY=1", next()); // the oversized one never arrived
        }
    }

    @Test
    void watchdogPingsAtHalfTheTimeout() throws Exception {
        Map<String, String> env = Map.of("NOTIFY_SOCKET", socketPath(), "WATCHDOG_USEC", "200000");
        ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor();
        SystemdNotifier notifier = new SystemdNotifier(env);
        try {
            assertEquals(Duration.ofMillis(200), notifier.watchdogTimeout().orElseThrow());
            assertEquals(Duration.ofMillis(100), notifier.watchdogPingInterval().orElseThrow());
            long start = System.nanoTime();
            ScheduledFuture<?> task = notifier.startWatchdog(executor).orElseThrow();
            for (int i = 0; i < 3; i++) {
                assertEquals("WATCHDOG=1", next());
            }
            long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(elapsedMillis >= 150, "three pings 100 ms apart came after only " + elapsedMillis + " ms");
            notifier.close();
            assertTrue(task.isCancelled(), "close() stops the pings");
            Thread.sleep(300);
            received.clear();
            Thread.sleep(300);
            assertNull(received.poll(), "pings continued after close()");
        } finally {
            notifier.close();
            executor.shutdownNow();
        }
    }

    @Test
    void watchdogOnItsOwnThread() throws Exception {
        Map<String, String> env = Map.of("NOTIFY_SOCKET", socketPath(), "WATCHDOG_USEC", "100000");
        try (SystemdNotifier notifier = new SystemdNotifier(env)) {
            assertTrue(notifier.startWatchdog().isPresent());
            assertEquals("WATCHDOG=1", next());
            assertEquals("WATCHDOG=1", next());
        }
    }

    @Test
    void reconnectsWhenTheReceiverComesBack() throws Exception {
        String path = dir.resolve("late.sock").toString();
        try (SystemdNotifier notifier = new SystemdNotifier(Map.of("NOTIFY_SOCKET", path))) {
            assertTrue(notifier.isEnabled());
            assertFalse(sent(notifier.ready()), "nothing listens yet");
            bindReceiver(path);
            assertTrue(sent(notifier.ready()));
            assertEquals("READY=1", next());
        }
    }

    @Test
    void isANoOpWithoutNotifySocket() throws Exception {
        try (SystemdNotifier notifier = new SystemdNotifier(Map.of("WATCHDOG_USEC", "30000000"))) {
            assertFalse(notifier.isEnabled());
            assertFalse(sent(notifier.ready()));
            assertFalse(sent(notifier.stopping()));
            assertTrue(notifier.watchdogTimeout().isEmpty(), "no watchdog without a socket to ping");
            assertTrue(notifier.startWatchdog().isEmpty());
            assertEquals("SystemdNotifier[disabled]", notifier.toString());
        }
    }

    @Test
    void isANoOpWithAnUnusableNotifySocket() throws Exception {
        for (String value : new String[] {"relative/notify", "vsock:2:1234", "@", "/" + "x".repeat(107)}) {
            try (SystemdNotifier notifier = new SystemdNotifier(Map.of("NOTIFY_SOCKET", value))) {
                assertFalse(notifier.isEnabled(), value);
                assertFalse(sent(notifier.ready()), value);
            }
        }
    }

    @Test
    void malformedWatchdogLeavesNotificationsOn() throws Exception {
        Map<String, String> env = Map.of("NOTIFY_SOCKET", socketPath(), "WATCHDOG_USEC", "soon");
        try (SystemdNotifier notifier = new SystemdNotifier(env)) {
            assertTrue(notifier.isEnabled());
            assertTrue(notifier.watchdogTimeout().isEmpty());
            assertTrue(sent(notifier.ready()));
            assertEquals("READY=1", next());
        }
    }

    @Test
    void watchdogForAnotherPidIsOff() throws Exception {
        Map<String, String> env = Map.of("NOTIFY_SOCKET", socketPath(), "WATCHDOG_USEC", "30000000",
                "WATCHDOG_PID", "4242");
        try (SystemdNotifier notifier = new SystemdNotifier(env, 4243)) {
            assertTrue(notifier.watchdogTimeout().isEmpty());
        }
        try (SystemdNotifier notifier = new SystemdNotifier(env, 4242)) {
            assertEquals(Duration.ofSeconds(30), notifier.watchdogTimeout().orElseThrow());
            assertTrue(notifier.toString().contains("PT30S"), notifier.toString());
        }
    }

    @Test
    void sendsNothingAfterClose() throws Exception {
        SystemdNotifier notifier = new SystemdNotifier(Map.of("NOTIFY_SOCKET", socketPath()));
        notifier.close();
        notifier.close();
        assertFalse(sent(notifier.ready()));
    }
}
