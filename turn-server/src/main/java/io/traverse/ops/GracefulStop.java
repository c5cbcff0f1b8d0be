package io.traverse.ops;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The stop sequence, run once: refuse new allocations ({@link Drainable#startDraining()}: 300/508, /readyz false),
 * {@code STOPPING=1}, wait until no allocation is left or the grace period passed, then close the server, the
 * other resources (the admin endpoint answers /healthz and /readyz until then) and the notifier.
 *
 * <p>SIGTERM/SIGINT ({@link #onSignal}) start it on a thread of its own and a second one cuts the drain short; the
 * shutdown hook ({@link #onShutdownHook}) covers every other way the JVM can end.
 */
public final class GracefulStop {
    private static final Logger LOG = LoggerFactory.getLogger(GracefulStop.class);
    /** Time asked of systemd on top of the grace period while draining (closing sockets, exiting). */
    private static final Duration STOP_MARGIN = Duration.ofSeconds(15);

    /** What is drained: the server. */
    public interface Drainable extends AutoCloseable {
        /** Refuses new allocations from now on. */
        void startDraining();

        /** Allocations still live. */
        int liveAllocations();

        /** Waits until no allocation is left or {@code grace} passed; returns how many are left. */
        int awaitDrained(Duration grace) throws InterruptedException;

        @Override
        void close();
    }

    private final Drainable server;
    private final List<AutoCloseable> others;
    private final SystemdNotifier notifier;
    private final Duration grace;
    private final AtomicBoolean started = new AtomicBoolean();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile Thread runner;

    /**
     * @param server  drained, then closed first
     * @param others  closed after the server, in order (e.g. the admin endpoint)
     * @param notifier told STOPPING=1 and closed last
     * @param grace   how long live allocations may go on relaying
     */
    public GracefulStop(Drainable server, List<AutoCloseable> others, SystemdNotifier notifier, Duration grace) {
        this.server = server;
        this.others = List.copyOf(others);
        this.notifier = notifier;
        this.grace = grace;
    }

    /** SIGTERM/SIGINT: the first starts the drain on a thread of its own; another one cuts it short. */
    public void onSignal(String signal) {
        if (started.compareAndSet(false, true)) {
            LOG.info("SIG{}: stopping", signal);
            Thread thread = new Thread(this::drainAndClose, "traverse-drain");
            runner = thread;
            thread.start();
        } else {
            Thread thread = runner;
            if (thread != null && stopped.getCount() > 0) {
                LOG.info("SIG{} again: ending the drain now", signal);
                thread.interrupt();
            }
        }
    }

    /** Shutdown hook: drains unless a signal already started it, and in any case waits until it is done. */
    public void onShutdownHook() {
        if (started.compareAndSet(false, true)) {
            LOG.info("shutting down");
            runner = Thread.currentThread();
            drainAndClose();
        } else {
            awaitStoppedUninterruptibly();
        }
    }

    /** Whether a stop (drain) has begun. */
    public boolean isStopping() {
        return started.get();
    }

    /** Blocks until the stop sequence finished. */
    public void awaitStopped() throws InterruptedException {
        stopped.await();
    }

    private void awaitStoppedUninterruptibly() {
        boolean interrupted = false;
        while (stopped.getCount() > 0) {
            try {
                stopped.await();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void drainAndClose() {
        try {
            server.startDraining();
            sent(notifier.stopping());
            int live = server.liveAllocations();
            LOG.info("draining: {} allocations, grace {}", live, formatDuration(grace));
            notifier.status("draining: " + live + " allocations");
            if (live > 0 && !grace.isZero()) {
                notifier.extendTimeout(grace.plus(STOP_MARGIN));
                try {
                    int left = server.awaitDrained(grace);
                    if (left == 0) {
                        LOG.info("drained: no allocations left");
                    } else {
                        LOG.info("grace period over: closing {} allocations", left);
                    }
                } catch (InterruptedException e) {
                    LOG.info("drain cut short: closing {} allocations", server.liveAllocations());
                }
            }
        } catch (RuntimeException e) {
            LOG.error("drain failed, closing now: {}", e.toString());
        } finally {
            try {
                server.close();
                for (AutoCloseable other : others) {
                    try {
                        other.close();
                    } catch (Exception e) {
                        LOG.warn("closing {} failed: {}", other, e.toString());
                    }
                }
                LOG.info("stopped");
            } finally {
                notifier.close();
                stopped.countDown();
            }
        }
    }

    /** {@code 30s}, or {@code 1500ms} when not whole seconds. */
    static String formatDuration(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
    }

    /** Waits (at most 1 s) until a notification left: STOPPING=1 should reach systemd before we exit. */
    private static void sent(CompletableFuture<Boolean> notification) {
        try {
            notification.get(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // a second signal: the drain below ends at once
        } catch (Exception e) {
            // best effort: the notifier logs failures itself
        }
    }
}
