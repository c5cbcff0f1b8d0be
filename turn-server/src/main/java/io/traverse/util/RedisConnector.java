package io.traverse.util;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * One Lettuce connection to Redis that never makes anyone wait: opened lazily (so Traverse starts while Redis is
 * down) and again after a failed attempt; while disconnected commands are rejected at once, and every command times
 * out after {@code timeout}. Lettuce reconnects an established connection by itself (back-off up to 2 s).
 *
 * <p>Lettuce runs on its own single Netty I/O thread rather than Traverse's loops: callers move completions to their
 * loop anyway, and a slow Redis then never shares a thread with relaying.
 */
public final class RedisConnector implements AutoCloseable {
    private final ClientResources resources;
    private final RedisClient client;
    private final RedisURI uri;
    private final String description;
    private final Object lock = new Object();
    private CompletableFuture<StatefulRedisConnection<String, String>> connection;
    private boolean closed;

    /**
     * @param uri e.g. {@code redis://127.0.0.1:6379/0}
     * @param password overrides a password in the URL when non-null
     */
    public RedisConnector(String uri, String password, Duration timeout) {
        RedisURI parsed = RedisURI.create(uri);
        if (password != null) {
            parsed = RedisURI.builder(parsed).withPassword(password.toCharArray()).build();
        }
        parsed.setTimeout(timeout);
        this.uri = parsed;
        this.description = (parsed.isSsl() ? "rediss://" : "redis://") + parsed.getHost() + ":" + parsed.getPort()
                + "/" + parsed.getDatabase();
        this.resources = DefaultClientResources.builder()
                .ioThreadPoolSize(1)
                .computationThreadPoolSize(1)
                .reconnectDelay(Delay.exponential(Duration.ofMillis(50), Duration.ofSeconds(2), 2,
                        TimeUnit.MILLISECONDS))
                .build();
        this.client = RedisClient.create(resources, parsed);
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .socketOptions(SocketOptions.builder().connectTimeout(timeout).build())
                .timeoutOptions(TimeoutOptions.enabled(timeout))
                .build());
        // Connect now, off the caller's thread: the first connection also initialises Lettuce (threads, hundreds of
        // classes), which must not happen on a Traverse event loop during a client's request.
        CompletableFuture.runAsync(this::connection);
    }

    /**
     * Runs {@code command}; a failure (not connected, timeout, Redis error) completes exceptionally with {@code
     * failure.apply(message)}, the message naming this Redis but never its password.
     */
    public <T> CompletableFuture<T> run(Function<RedisAsyncCommands<String, String>, CompletableFuture<T>> command,
            Function<String, RuntimeException> failure) {
        return connection().thenCompose(c -> command.apply(c.async()))
                .handle((value, error) -> {
                    if (error != null) {
                        Throwable cause = error instanceof CompletionException && error.getCause() != null
                                ? error.getCause() : error;
                        RuntimeException wrapped = failure.apply("redis " + description + ": "
                                + cause.getClass().getSimpleName()
                                + (cause.getMessage() == null ? "" : " " + cause.getMessage()));
                        wrapped.initCause(cause);
                        throw new CompletionException(wrapped);
                    }
                    return value;
                });
    }

    private CompletableFuture<StatefulRedisConnection<String, String>> connection() {
        synchronized (lock) {
            if (closed) {
                return CompletableFuture.failedFuture(new IllegalStateException("closed"));
            }
            if (connection == null || connection.isCompletedExceptionally()) {
                connection = client.connectAsync(StringCodec.UTF8, uri).toCompletableFuture();
            }
            return connection;
        }
    }

    /** {@code redis://host:port/db}, without password. */
    public String describe() {
        return description;
    }

    @Override
    public void close() {
        CompletableFuture<StatefulRedisConnection<String, String>> open;
        synchronized (lock) {
            closed = true;
            open = connection;
        }
        // Outside the lock: closing waits for Lettuce's thread, which may be completing a command whose callback
        // asks for the connection (and so for the lock).
        if (open != null && open.isDone() && !open.isCompletedExceptionally()) {
            open.join().closeAsync().orTimeout(2, TimeUnit.SECONDS).exceptionally(e -> null).join();
        }
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        resources.shutdown(0, 2, TimeUnit.SECONDS);
    }
}
