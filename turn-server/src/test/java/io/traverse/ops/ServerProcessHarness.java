package io.traverse.ops;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.EpollDomainDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.unix.DomainDatagramPacket;
import io.netty.channel.unix.DomainSocketAddress;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The real server as a child JVM ({@code java -cp <this JVM's class path> io.traverse.TraverseMain --config
 * FILE}) with a Unix datagram socket standing in for systemd's notification socket ({@code NOTIFY_SOCKET},
 * {@code WATCHDOG_USEC}). The child's stdout and stderr go to a file ({@link #log()}). {@link #close()} kills
 * the child if it still runs and closes the socket.
 */
final class ServerProcessHarness implements AutoCloseable {
    /** A notification as received, with the time ({@link System#nanoTime()}) it arrived. */
    record Notification(String text, long nanos) {}

    private final EventLoopGroup group;
    private final Channel notifySocket;
    private final List<Notification> notifications = new ArrayList<>();
    private final Path logFile;
    private Process process;

    private ServerProcessHarness(EventLoopGroup group, Channel notifySocket, Path logFile) {
        this.group = group;
        this.notifySocket = notifySocket;
        this.logFile = logFile;
    }

    /** Binds the notification socket under {@code dir}; start the child with {@link #start}. */
    static ServerProcessHarness create(Path dir) throws InterruptedException {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        ServerProcessHarness[] self = new ServerProcessHarness[1];
        Channel channel = new Bootstrap()
                .group(group)
                .channel(EpollDomainDatagramChannel.class)
                .option(ChannelOption.RECVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(8192))
                .handler(new SimpleChannelInboundHandler<DomainDatagramPacket>() {
                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, DomainDatagramPacket packet) {
                        self[0].received(packet.content().toString(StandardCharsets.UTF_8));
                    }
                })
                .bind(new DomainSocketAddress(dir.resolve("notify.sock").toString()))
                .sync()
                .channel();
        self[0] = new ServerProcessHarness(group, channel, dir.resolve("server.log"));
        return self[0];
    }

    /** Starts {@code TraverseMain --config config} with the systemd variables set (watchdog: 1 s). */
    Process start(Path config) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // Surefire's class path (possibly a manifest-only jar whose Class-Path names the rest) has the main and
        // test classes and every dependency. C1 only and the serial GC: a quicker start on a small machine.
        ProcessBuilder builder = new ProcessBuilder(java, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx128m",
                "-cp", System.getProperty("java.class.path"), "io.traverse.TraverseMain", "--config", config.toString())
                .redirectErrorStream(true)
                .redirectOutput(logFile.toFile());
        builder.environment().put("NOTIFY_SOCKET", ((DomainSocketAddress) notifySocket.localAddress()).path());
        builder.environment().put("WATCHDOG_USEC", "1000000");
        builder.environment().remove("WATCHDOG_PID");
        process = builder.start();
        return process;
    }

    Process process() {
        return process;
    }

    Path log() {
        return logFile;
    }

    /** The child's output so far (for assertions and failure messages). */
    String logText() {
        try {
            return Files.exists(logFile) ? Files.readString(logFile, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    private synchronized void received(String text) {
        notifications.add(new Notification(text, System.nanoTime()));
        notifyAll();
    }

    synchronized List<Notification> notifications() {
        return List.copyOf(notifications);
    }

    /**
     * Waits for the first notification at or after index {@code from} that {@code matches}; fails the test when
     * none arrives within {@code timeout} or the child exits meanwhile.
     *
     * @return its index
     */
    int await(String what, Predicate<String> matches, int from, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (this) {
            while (true) {
                for (int i = from; i < notifications.size(); i++) {
                    if (matches.test(notifications.get(i).text())) {
                        return i;
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    fail("no " + what + " within " + timeout.toMillis() + " ms; notifications " + texts()
                            + "; server log:\n" + logText());
                }
                if (process != null && !process.isAlive()) {
                    fail("the server exited with " + process.exitValue() + " before " + what + "; notifications "
                            + texts() + "; server log:\n" + logText());
                }
                wait(Math.max(1, Math.min(100, TimeUnit.NANOSECONDS.toMillis(left))));
            }
        }
    }

    /** The index of the first notification at or after {@code from} that {@code matches}, or -1: no waiting. */
    synchronized int indexOf(Predicate<String> matches, int from) {
        for (int i = from; i < notifications.size(); i++) {
            if (matches.test(notifications.get(i).text())) {
                return i;
            }
        }
        return -1;
    }

    /** {@link #await} for a notification equal to {@code text}. */
    int await(String text, int from, Duration timeout) throws InterruptedException {
        return await(text, text::equals, from, timeout);
    }

    Notification notification(int index) {
        synchronized (this) {
            return notifications.get(index);
        }
    }

    private List<String> texts() {
        List<String> texts = new ArrayList<>();
        for (Notification n : notifications) {
            texts.add(n.text().replace("\n", "\\n"));
        }
        return texts;
    }

    /** Sends {@code signal} (e.g. "HUP", "TERM") to the child with kill(1). */
    void signal(String signal) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid()))
                .redirectErrorStream(true).start();
        assertTrue(kill.waitFor(5, TimeUnit.SECONDS) && kill.exitValue() == 0,
                () -> "kill -" + signal + " failed");
    }

    /** A UDP port on 127.0.0.1 that was free a moment ago. */
    static int freeUdpPort() throws IOException {
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            return socket.getLocalPort();
        }
    }

    /** A TCP port on 127.0.0.1 that was free a moment ago. */
    static int freeTcpPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
        notifySocket.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
