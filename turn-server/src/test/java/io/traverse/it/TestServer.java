package io.traverse.it;

import io.traverse.config.ConfigLoader;
import io.traverse.config.ListenerConfig;
import io.traverse.config.TraverseConfig;
import io.traverse.metrics.TraverseMetrics;
import io.traverse.server.TraverseServer;
import io.traverse.turn.TransportProtocol;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.Map;

/** The real server, in-process, on ephemeral loopback ports (IPv4 and IPv6, UDP and TCP). */
public final class TestServer implements AutoCloseable {
    public static final String LOOPBACK_LISTENERS =
            "udp://127.0.0.1:0,tcp://127.0.0.1:0,udp://[::1]:0,tcp://[::1]:0";

    private final TraverseServer server;
    private final TraverseMetrics metrics;

    private TestServer(TraverseServer server, TraverseMetrics metrics) {
        this.server = server;
        this.metrics = metrics;
    }

    /** Starts with the given YAML plus overrides; listeners default to {@link #LOOPBACK_LISTENERS}. */
    public static TestServer start(String yaml, Map<String, String> overrides) throws Exception {
        Map<String, String> all = new LinkedHashMap<>();
        all.put("listeners", LOOPBACK_LISTENERS);
        all.put("admin.enabled", "false");
        all.put("server.event-loops", "2");
        all.putAll(overrides);
        TraverseConfig config = ConfigLoader.parse(yaml, all);
        TraverseMetrics metrics = TraverseMetrics.inMemory();
        return new TestServer(TraverseServer.start(config, metrics), metrics);
    }

    public static TestServer start() throws Exception {
        return start("", Map.of());
    }

    public InetSocketAddress udp4() {
        return server.address(TransportProtocol.UDP, false);
    }

    public InetSocketAddress udp6() {
        return server.address(TransportProtocol.UDP, true);
    }

    public InetSocketAddress tcp4() {
        return server.address(TransportProtocol.TCP, false);
    }

    public InetSocketAddress tcp6() {
        return server.address(TransportProtocol.TCP, true);
    }

    public TraverseServer server() {
        return server;
    }

    public TraverseMetrics metrics() {
        return metrics;
    }

    @Override
    public void close() {
        server.close();
    }
}
