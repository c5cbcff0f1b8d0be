package io.traverse.server;

import java.net.InetSocketAddress;

/** Whether the server is draining (SIGTERM), and where new clients are sent meanwhile. Thread-safe. */
final class DrainState {
    private final InetSocketAddress alternateServer;
    private volatile boolean draining;

    DrainState(InetSocketAddress alternateServer) {
        this.alternateServer = alternateServer;
    }

    boolean isDraining() {
        return draining;
    }

    void start() {
        draining = true;
    }

    /** The ALTERNATE-SERVER for 300 responses, or null (then 508). */
    InetSocketAddress alternateServer() {
        return alternateServer;
    }
}
