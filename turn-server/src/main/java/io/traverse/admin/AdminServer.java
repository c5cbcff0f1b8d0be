package io.traverse.admin;

import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.ReadTimeoutHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.traverse.config.AdminConfig;
import io.traverse.metrics.TraverseMetrics;
import io.traverse.metrics.TraverseMetrics.Limit;
import io.traverse.util.SourceCounts;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin HTTP endpoint: {@code GET /metrics} (Prometheus text format 0.0.4), {@code GET /healthz}
 * (200 "ok" while the process runs) and {@code GET /readyz} (200 "ready" or 503 "not ready"), optionally
 * behind a bearer token (every path but {@code /healthz}). See docs/metrics.md.
 *
 * <p>It runs on its own single NIO thread, apart from the relay's event loops, so a slow scrape never
 * delays a relayed packet. Requests are small and bounded: request line 4 KiB, headers 8 KiB, body 8 KiB
 * (larger ones get 413), at most {@value #MAX_CONNECTIONS} connections and {@code admin.max-connections-per-ip}
 * from one address, a request must arrive whole within {@code admin.request-timeout} of its first byte, and a
 * connection idle for {@value #IDLE_SECONDS} s is closed.
 */
public final class AdminServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AdminServer.class);

    /** Largest request body accepted (it is ignored anyway). */
    static final int MAX_CONTENT = 8 * 1024;
    static final int MAX_INITIAL_LINE = 4 * 1024;
    static final int MAX_HEADER_SIZE = 8 * 1024;
    /** Connections beyond this many are closed on accept. */
    static final int MAX_CONNECTIONS = 64;
    /** A connection that sends nothing for this long is closed. */
    static final int IDLE_SECONDS = 60;

    private final EventLoopGroup group;
    private final Channel channel;
    private final InetSocketAddress address;
    private AdminHandler handler;

    private AdminServer(EventLoopGroup group, Channel channel) {
        this.group = group;
        this.channel = channel;
        this.address = (InetSocketAddress) channel.localAddress();
    }

    /**
     * Binds the endpoint to {@code config.address():config.port()} (port 0: an ephemeral port, see
     * {@link #address()}).
     *
     * @param config               the {@code admin} section; must be enabled
     * @param registry             the registry to scrape
     * @param ready                whether the server is ready (listeners up, not draining); called on the
     *                             admin thread, so it must be thread-safe; an exception counts as not ready
     * @param bearerTokenFile      {@code config.bearerTokenFile()} resolved against the config file's
     *                             directory, or {@code null} when the config names none
     * @throws IllegalArgumentException when the config is disabled, or names a token file but
     *                                  {@code bearerTokenFile} is {@code null}
     * @throws IllegalStateException    naming the problem when the token file cannot be read or holds no
     *                                  token, or the address cannot be bound
     */
    public static AdminServer start(AdminConfig config, PrometheusMeterRegistry registry, BooleanSupplier ready,
            Path bearerTokenFile) {
        return start(config, registry, ready, bearerTokenFile, null);
    }

    /**
     * As {@link #start(AdminConfig, PrometheusMeterRegistry, BooleanSupplier, Path)}, also serving the operator
     * API under {@code /admin/} ({@link AdminApi}) behind the same token.
     *
     * @param api the operator API, or {@code null} for none
     */
    public static AdminServer start(AdminConfig config, PrometheusMeterRegistry registry, BooleanSupplier ready,
            Path bearerTokenFile, AdminApi api) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(registry, "registry");
        Objects.requireNonNull(ready, "ready");
        if (!config.enabled()) {
            throw new IllegalArgumentException("the admin endpoint is disabled in the configuration");
        }
        if (config.bearerTokenFile() != null && bearerTokenFile == null) {
            throw new IllegalArgumentException("admin.bearer-token-file is configured but no resolved path was given");
        }
        BearerToken token = bearerTokenFile == null ? null : BearerToken.read(bearerTokenFile);
        AdminHandler handler = new AdminHandler(registry, ready, token, api);
        AtomicInteger connections = new AtomicInteger();
        SourceCounts perIp = new SourceCounts(config.maxConnectionsPerIp());
        Counter perIpRefused = refusals(registry, Limit.ADMIN_CONNECTIONS_PER_IP);
        Counter timedOut = refusals(registry, Limit.ADMIN_REQUEST_TIMEOUT);
        long requestTimeoutNanos = config.requestTimeout().toNanos();
        InetSocketAddress bindAddress = new InetSocketAddress(config.address(), config.port());

        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("traverse-admin", true),
                NioIoHandler.newFactory());
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 64)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        int open = connections.incrementAndGet();
                        ch.closeFuture().addListener(f -> connections.decrementAndGet());
                        if (open > MAX_CONNECTIONS) {
                            ch.close();
                            return;
                        }
                        InetAddress source = ch.remoteAddress().getAddress();
                        if (!perIp.tryAcquire(source)) {
                            perIpRefused.increment();
                            ch.close();
                            return;
                        }
                        ch.closeFuture().addListener(f -> perIp.release(source));
                        ch.pipeline().addLast(
                                new ReadTimeoutHandler(IDLE_SECONDS, TimeUnit.SECONDS),
                                new HttpServerCodec(MAX_INITIAL_LINE, MAX_HEADER_SIZE, MAX_CONTENT),
                                new HttpObjectAggregator(MAX_CONTENT));
                        ch.pipeline().addLast("admin", handler);
                        RequestDeadline.install(ch.pipeline(), "admin", requestTimeoutNanos, timedOut);
                    }
                });
        ChannelFuture bind = bootstrap.bind(bindAddress).awaitUninterruptibly();
        if (!bind.isSuccess()) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
            Throwable cause = bind.cause();
            throw new IllegalStateException("admin endpoint: cannot listen on " + bindAddress + ": "
                    + (cause == null ? "unknown error" : cause.getMessage()), cause);
        }
        AdminServer server = new AdminServer(group, bind.channel());
        server.handler = handler;
        LOG.info("admin endpoint listening on {} (/metrics, /healthz, /readyz){}", server.address,
                token == null ? "" : ", bearer token required");
        return server;
    }

    /** The counter of {@link TraverseMetrics#LIMIT_REFUSALS} for {@code limit} (the same one TraverseMetrics made). */
    private static Counter refusals(PrometheusMeterRegistry registry, Limit limit) {
        return Counter.builder(TraverseMetrics.LIMIT_REFUSALS)
                .description("Connections, handshakes and requests refused or closed by a resource limit")
                .tag(TraverseMetrics.TAG_LIMIT, limit.tag())
                .register(registry);
    }

    /** The address the endpoint listens on (with the port the OS chose when the config said 0). */
    public InetSocketAddress address() {
        return address;
    }

    /** Stops listening, closes open connections and stops the admin thread. Idempotent. */
    @Override
    public void close() {
        channel.close().awaitUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
    }

    /**
     * A line added to the {@code /readyz} body when it is non-null (e.g. "credential store … is down"): a degraded
     * but serving state that does not change the status code. Called on the admin thread; must be thread-safe.
     */
    public void readinessDetail(java.util.function.Supplier<String> detail) {
        handler.readinessDetail(detail);
    }
}
