package io.traverse.server;

import java.net.InetSocketAddress;

/** Whether the server is draining (SIGTERM), and where new clients are sent meanwhile. Thread-safe. */
final class DrainState {
    private final InetSocketAddress alternateServer;
    private volatile boolean draining;
    private final java.util.List<Runnable> onStart = new java.util.concurrent.CopyOnWriteArrayList<>();

    DrainState(InetSocketAddress alternateServer) {
        this.alternateServer = alternateServer;
    }

    boolean isDraining() {
        return draining;
    }

    void start() {
        draining = true;
        onStart.forEach(Runnable::run);
    }

    /** Runs {@code action} when draining starts. */
    void onStart(Runnable action) {
        onStart.add(action);
    }

    /** The ALTERNATE-SERVER for 300 responses, or null (then 508). */
    InetSocketAddress alternateServer() {
        return alternateServer;
    }
}
