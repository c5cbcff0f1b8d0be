package io.traverse.ops;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDomainDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's side of systemd's service notification protocol ({@code sd_notify(3)}), implemented without
 * libsystemd: each notification is one datagram of newline-separated {@code KEY=VALUE} assignments sent to
 * the Unix datagram socket named by {@code $NOTIFY_SOCKET} (a path, or a Linux abstract-namespace name when
 * it starts with {@code '@'}).
 *
 * <p>The JDK cannot send Unix <em>datagrams</em> ({@code UnixDomainSocketAddress} is stream-only), so this
 * uses Netty's native epoll transport ({@link EpollDomainDatagramChannel}) on one small daemon thread of its
 * own. When {@code $NOTIFY_SOCKET} is unset, unusable, or epoll is unavailable, every method is a no-op
 * whose future completes with {@code false} — so the server runs the same way outside systemd.
 *
 * <p>Sending never throws. Each method returns a future that completes with {@code true} once the kernel
 * accepted the datagram and {@code false} otherwise; callers that must be sure a message left before they
 * continue (e.g. {@code STOPPING=1} just before exit) wait on it with a timeout. Datagrams are sent in call
 * order. The datagram socket is connected to the notification socket; if a send fails the connection is
 * dropped and the next notification reconnects.
 *
 * <p>Watchdog: when systemd set {@code $WATCHDOG_USEC} for this process, {@link #watchdogTimeout()} reports
 * it and {@link #startWatchdog(ScheduledExecutorService)} pings {@code WATCHDOG=1} every half of it, as
 * {@code sd_watchdog_enabled(3)} recommends. Scheduling the pings on a server event loop makes them prove
 * that loop is responsive, not merely that the JVM is alive.
 */
public final class SystemdNotifier implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SystemdNotifier.class);

    /** systemd reads at most this many bytes of one notification ({@code NOTIFY_BUFFER_MAX = PIPE_BUF}). */
    static final int MAX_MESSAGE_BYTES = 4096;

    /** The socket only sends; a connected datagram socket receives nothing, and anything would be dropped. */
    private static final ChannelInboundHandlerAdapter NO_INBOUND = new NoInbound();

    private final String socketDescription;
    private final Optional<Duration> watchdogTimeout;
    private final DomainSocketAddress address;
    private final EventLoopGroup group;
    private final Bootstrap bootstrap;
    private final List<ScheduledFuture<?>> watchdogTasks = new ArrayList<>();

    private ChannelFuture connection;
    private boolean closed;
    private boolean failing;

    /** A notifier configured from this process's environment and pid; a no-op outside systemd. */
    public static SystemdNotifier fromEnvironment() {
        return new SystemdNotifier(System.getenv(), ProcessHandle.current().pid());
    }

    /**
     * A notifier configured from {@code env} (the variables {@code NOTIFY_SOCKET}, {@code WATCHDOG_USEC},
     * {@code WATCHDOG_PID}) for the current process. A variable with a malformed value is logged and
     * treated as unset.
     */
    public SystemdNotifier(Map<String, String> env) {
        this(env, ProcessHandle.current().pid());
    }

    SystemdNotifier(Map<String, String> env, long pid) {
        String socket = null;
        try {
            socket = SystemdEnvironment.notifySocket(env).orElse(null);
        } catch (IllegalArgumentException e) {
            LOG.warn("systemd notifications disabled: {}", e.getMessage());
        }
        if (socket != null && !Epoll.isAvailable()) {
            LOG.warn("systemd notifications disabled: NOTIFY_SOCKET is set but Netty's native epoll transport"
                    + " is unavailable ({}); a Type=notify unit will time out waiting for READY=1",
                    String.valueOf(Epoll.unavailabilityCause()));
            socket = null;
        }
        Optional<Duration> watchdog = Optional.empty();
        if (socket != null) {
            try {
                watchdog = SystemdEnvironment.watchdogTimeout(env, pid);
            } catch (IllegalArgumentException e) {
                LOG.warn("systemd watchdog disabled: {}", e.getMessage());
            }
        }
        this.watchdogTimeout = watchdog;
        if (socket == null) {
            this.socketDescription = null;
            this.address = null;
            this.group = null;
            this.bootstrap = null;
            return;
        }
        this.socketDescription = env.get(SystemdEnvironment.NOTIFY_SOCKET);
        this.address = new DomainSocketAddress(socket);
        this.group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("traverse-sd-notify", true),
                EpollIoHandler.newFactory());
        this.bootstrap = new Bootstrap()
                .group(group)
                .channel(EpollDomainDatagramChannel.class)
                .handler(NO_INBOUND);
    }

    /** Whether notifications are actually sent (systemd gave us a usable socket and epoll is available). */
    public boolean isEnabled() {
        return address != null;
    }

    /**
     * The watchdog timeout systemd enforces on this process ({@code WatchdogSec=}); empty when the watchdog
     * is off for it or notifications are disabled.
     */
    public Optional<Duration> watchdogTimeout() {
        return watchdogTimeout;
    }

    /** The interval {@link #startWatchdog} pings at: half of {@link #watchdogTimeout()}. */
    public Optional<Duration> watchdogPingInterval() {
        return watchdogTimeout.map(timeout -> timeout.dividedBy(2));
    }

    /** {@code READY=1}: start-up (or a reload) finished; systemd moves the unit to "active". */
    public CompletableFuture<Boolean> ready() {
        return send("READY=1");
    }

    /**
     * {@code RELOADING=1} with {@code MONOTONIC_USEC} (CLOCK_MONOTONIC, which is what
     * {@link System#nanoTime()} reads on Linux): a configuration reload started. Send {@link #ready()} when
     * it is done.
     */
    public CompletableFuture<Boolean> reloading() {
        return send("RELOADING=1\nMONOTONIC_USEC=" + TimeUnit.NANOSECONDS.toMicros(System.nanoTime()));
    }

    /** {@code STOPPING=1}: shutdown (drain) started. */
    public CompletableFuture<Boolean> stopping() {
        return send("STOPPING=1");
    }

    /** {@code WATCHDOG=1}: a keep-alive ping. */
    public CompletableFuture<Boolean> watchdog() {
        return send("WATCHDOG=1");
    }

    /**
     * {@code EXTEND_TIMEOUT_USEC}: asks systemd for {@code extension} more time in the current start, stop
     * or reload phase (e.g. while draining many allocations).
     */
    public CompletableFuture<Boolean> extendTimeout(Duration extension) {
        long usec = Math.max(1, TimeUnit.NANOSECONDS.toMicros(extension.toNanos()));
        return send("EXTEND_TIMEOUT_USEC=" + usec);
    }

    /**
     * {@code STATUS=text}: a one-line status shown by {@code systemctl status}. Line breaks and NUL
     * characters (which would start another assignment or make systemd drop the message) become spaces;
     * the text is cut to fit one notification.
     */
    public CompletableFuture<Boolean> status(String text) {
        String oneLine = text.replace('\n', ' ').replace('\r', ' ').replace('\0', ' ');
        return send("STATUS=" + truncateUtf8(oneLine, MAX_MESSAGE_BYTES - "STATUS=".length()));
    }

    /**
     * Pings {@code WATCHDOG=1} now and then every {@link #watchdogPingInterval()} on {@code executor} until
     * {@link #close()}. Pass a server event loop to tie the watchdog to that loop's liveness.
     *
     * @return the scheduled task, or empty when the watchdog is off (nothing is scheduled)
     */
    public synchronized Optional<ScheduledFuture<?>> startWatchdog(ScheduledExecutorService executor) {
        Optional<Duration> interval = watchdogPingInterval();
        if (interval.isEmpty() || closed) {
            return Optional.empty();
        }
        long micros = Math.max(1, TimeUnit.NANOSECONDS.toMicros(interval.get().toNanos()));
        ScheduledFuture<?> task = executor.scheduleAtFixedRate(this::watchdog, 0, micros, TimeUnit.MICROSECONDS);
        watchdogTasks.add(task);
        return Optional.of(task);
    }

    /** {@link #startWatchdog(ScheduledExecutorService)} on the notifier's own thread (proves JVM liveness). */
    public Optional<ScheduledFuture<?>> startWatchdog() {
        return group == null ? Optional.empty() : startWatchdog(group.next());
    }

    /**
     * Stops the watchdog pings, closes the socket and ends the notifier's thread. Notifications already
     * sent are written first; later ones complete with {@code false}. Idempotent.
     */
    @Override
    public void close() {
        ChannelFuture last;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            watchdogTasks.forEach(task -> task.cancel(false));
            watchdogTasks.clear();
            last = connection;
            connection = null;
        }
        if (group == null) {
            return;
        }
        if (last != null && last.channel().isRegistered()) {
            last.channel().close();
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }

    @Override
    public String toString() {
        return isEnabled()
                ? "SystemdNotifier[socket=" + socketDescription + ", watchdog=" + watchdogTimeout.orElse(null) + "]"
                : "SystemdNotifier[disabled]";
    }

    /** Sends one notification; never throws. Package-private so tests can send raw assignments. */
    CompletableFuture<Boolean> send(String message) {
        if (address == null) {
            return CompletableFuture.completedFuture(false);
        }
        byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > MAX_MESSAGE_BYTES) {
            LOG.warn("systemd notification of {} bytes not sent: systemd reads at most {}", bytes.length,
                    MAX_MESSAGE_BYTES);
            return CompletableFuture.completedFuture(false);
        }
        CompletableFuture<Boolean> result = new CompletableFuture<>();
        ChannelFuture connected;
        try {
            synchronized (this) {
                if (closed) {
                    return CompletableFuture.completedFuture(false);
                }
                if (connection == null || (connection.isDone()
                        && (!connection.isSuccess() || !connection.channel().isActive()))) {
                    connection = bootstrap.connect(address);
                }
                connected = connection;
            }
        } catch (RuntimeException e) { // e.g. the event loop already terminated
            recordFailure(message, e);
            return CompletableFuture.completedFuture(false);
        }
        connected.addListener((ChannelFuture c) -> {
            if (!c.isSuccess()) {
                recordFailure(message, c.cause());
                result.complete(false);
                return;
            }
            Channel channel = c.channel();
            channel.writeAndFlush(Unpooled.wrappedBuffer(bytes)).addListener(w -> {
                if (w.isSuccess()) {
                    recordSuccess();
                    result.complete(true);
                } else {
                    recordFailure(message, w.cause());
                    channel.close(); // reconnect on the next notification
                    result.complete(false);
                }
            });
        });
        return result;
    }

    private synchronized void recordSuccess() {
        if (failing) {
            failing = false;
            LOG.info("systemd notifications to {} work again", socketDescription);
        }
    }

    private synchronized void recordFailure(String message, Throwable cause) {
        String first = message.substring(0, Math.max(0, message.indexOf('='))); // the key: no values logged
        if (!failing) {
            failing = true;
            LOG.warn("systemd notification {} to {} failed: {}", first, socketDescription, String.valueOf(cause));
        } else {
            LOG.debug("systemd notification {} to {} failed: {}", first, socketDescription, String.valueOf(cause));
        }
    }

    @ChannelHandler.Sharable
    private static final class NoInbound extends ChannelInboundHandlerAdapter {}

    private static String truncateUtf8(String text, int maxBytes) {
        if (text.getBytes(StandardCharsets.UTF_8).length <= maxBytes) {
            return text;
        }
        int bytes = 0;
        int end = 0;
        while (end < text.length()) {
            int codePoint = text.codePointAt(end);
            int size = new String(Character.toChars(codePoint)).getBytes(StandardCharsets.UTF_8).length;
            if (bytes + size > maxBytes) {
                break;
            }
            bytes += size;
            end += Character.charCount(codePoint);
        }
        return text.substring(0, end);
    }
}
