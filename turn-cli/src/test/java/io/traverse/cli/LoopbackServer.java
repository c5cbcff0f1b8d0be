package io.traverse.cli;

import io.traverse.config.ConfigLoader;
import io.traverse.config.Protocol;
import io.traverse.metrics.TraverseMetrics;
import io.traverse.server.TraverseServer;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.Map;

/** The real Traverse server in-process on ephemeral loopback ports (UDP and TCP, IPv4). */
final class LoopbackServer implements AutoCloseable {
    private final TraverseServer server;

    private LoopbackServer(TraverseServer server) {
        this.server = server;
    }

    static LoopbackServer start(String yaml, Map<String, String> overrides) throws Exception {
        Map<String, String> all = new LinkedHashMap<>();
        all.put("listeners", "udp://127.0.0.1:0,tcp://127.0.0.1:0");
        all.put("admin.enabled", "false");
        all.put("server.event-loops", "1");
        all.putAll(overrides);
        return new LoopbackServer(TraverseServer.start(ConfigLoader.parse(yaml, all), TraverseMetrics.inMemory()));
    }

    InetSocketAddress udp() {
        return server.address(Protocol.UDP, false);
    }

    InetSocketAddress tcp() {
        return server.address(Protocol.TCP, false);
    }

    @Override
    public void close() {
        server.close();
    }
}
