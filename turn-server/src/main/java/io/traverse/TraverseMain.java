package io.traverse;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.traverse.admin.AdminServer;
import io.traverse.config.ConfigException;
import io.traverse.config.ConfigLoader;
import io.traverse.config.TraverseConfig;
import io.traverse.metrics.TraverseMetrics;
import io.traverse.ops.LogSetup;
import io.traverse.ops.SystemdNotifier;
import io.traverse.server.TraverseServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code traverse}: starts the STUN/TURN server. Flags override the config file.
 *
 * <p>Signals (docs/operations.md): SIGHUP reloads what can change without a restart; SIGTERM and SIGINT
 * drain (new allocations refused, existing ones relay on until they end or {@code drain.grace-period}
 * passes), then the process exits with status 0. A second SIGTERM/SIGINT ends the drain at once.
 */
@Command(name = "traverse", mixinStandardHelpOptions = true, versionProvider = TraverseMain.Version.class,
        description = "Traverse STUN/TURN relay server.",
        footer = {"", "Exit codes: 0 stopped cleanly (also after SIGTERM/SIGINT and the drain), 1 failed at run time,",
            "2 bad configuration or arguments."})
public final class TraverseMain implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(TraverseMain.class);

    @Option(names = {"-c", "--config"}, paramLabel = "FILE",
            description = "Config file (YAML). Default: conf/traverse.yaml when it exists, else built-in defaults.")
    Path config;

    @Option(names = "--set", paramLabel = "KEY=VALUE",
            description = "Override a config key by its dotted path, e.g. --set relay.port-range.min=50000.")
    List<String> sets = new ArrayList<>();

    @Option(names = "--realm", paramLabel = "REALM", description = "Overrides server.realm.")
    String realm;

    @Option(names = "--listen", paramLabel = "URL", split = ",",
            description = "Replaces the listeners, e.g. --listen udp://0.0.0.0:3478,tcp://[::]:3478.")
    List<String> listen;

    @Option(names = "--users-file", paramLabel = "FILE", description = "Overrides auth.users-file.")
    String usersFile;

    @Option(names = "--log-level", paramLabel = "LEVEL", description = "Overrides logging.level.")
    String logLevel;

    /** Time asked of systemd on top of the grace period while draining (closing sockets, exiting). */
    private static final Duration STOP_MARGIN = Duration.ofSeconds(15);

    public static void main(String[] args) {
        System.exit(new CommandLine(new TraverseMain()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        Map<String, String> overrides = new LinkedHashMap<>();
        for (String set : sets) {
            int eq = set.indexOf('=');
            if (eq <= 0) {
                System.err.println("traverse: --set needs KEY=VALUE, got '" + set + "'");
                return 2;
            }
            overrides.put(set.substring(0, eq).trim(), set.substring(eq + 1).trim());
        }
        if (realm != null) {
            overrides.put("server.realm", realm);
        }
        if (listen != null) {
            overrides.put("listeners", String.join(",", listen));
        }
        if (usersFile != null) {
            overrides.put("auth.users-file", usersFile);
        }
        if (logLevel != null) {
            overrides.put("logging.level", logLevel);
        }
        Path file = config;
        if (file == null && Files.exists(Path.of("conf", "traverse.yaml"))) {
            file = Path.of("conf", "traverse.yaml");
        }
        TraverseConfig cfg;
        try {
            cfg = load(file, overrides);
        } catch (ConfigException e) {
            System.err.println("traverse: invalid configuration" + (file == null ? "" : " in " + file) + ":");
            System.err.println(e.getMessage());
            return 2;
        }
        LogSetup.apply(cfg.logging());
        SystemdNotifier notifier = SystemdNotifier.fromEnvironment();

        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        TraverseServer server;
        try {
            server = TraverseServer.start(cfg, new TraverseMetrics(registry));
        } catch (Exception e) {
            LOG.error("failed to start: {}", e.getMessage());
            notifier.close();
            return 1;
        }
        AdminServer admin = null;
        if (cfg.admin().enabled()) {
            try {
                admin = AdminServer.start(cfg.admin(), registry, server::isReady, cfg.admin().bearerTokenFile());
                admin.readinessDetail(server::credentialStoreProblem);
            } catch (RuntimeException e) {
                LOG.error("failed to start the admin endpoint: {}", e.getMessage());
                server.close();
                notifier.close();
                return 1;
            }
        }
        Stopper stopper = new Stopper(server, admin, notifier, cfg.drain().gracePeriod());
        // SIGTERM/SIGINT are handled here so that a drained stop exits with 0; the shutdown hook covers every
        // other way the JVM can end. Both are in place before READY=1.
        Runtime.getRuntime().addShutdownHook(new Thread(stopper::onShutdownHook, "traverse-shutdown"));
        installSignalHandler("TERM", stopper::onSignal);
        installSignalHandler("INT", stopper::onSignal);
        Path configFile = file;
        installReloadHandler(() -> {
            // SIGHUP: re-read the config file and apply what can change without a restart.
            if (stopper.isStopping()) {
                LOG.info("SIGHUP ignored: the server is stopping");
                return;
            }
            notifier.reloading();
            try {
                TraverseConfig fresh = load(configFile, overrides);
                LogSetup.apply(fresh.logging());
                server.reload(fresh);
            } catch (ConfigException e) {
                LOG.error("reload refused, configuration unchanged:\n{}", e.getMessage());
            } catch (RuntimeException e) {
                LOG.error("reload failed: {}", e.toString());
            }
            notifier.ready();
        });
        notifier.ready();
        // Pinged from an event loop: a wedged loop stops the pings and systemd restarts the server.
        notifier.startWatchdog(server.watchdogExecutor());
        stopper.awaitStopped();
        return 0;
    }

    private static TraverseConfig load(Path file, Map<String, String> overrides) throws ConfigException {
        return file == null ? ConfigLoader.parse("", overrides) : ConfigLoader.load(file, overrides);
    }

    /** SIGHUP → {@code action} on the JVM's signal thread (sun.misc.Signal: the only way a JVM can catch it). */
    private static void installReloadHandler(Runnable action) {
        installSignalHandler("HUP", name -> action.run());
    }

    /** {@code handler} receives the signal's name; runs on a thread the JVM starts for each signal. */
    @SuppressWarnings("removal")
    private static void installSignalHandler(String signal, Consumer<String> handler) {
        try {
            sun.misc.Signal.handle(new sun.misc.Signal(signal), s -> handler.accept(s.getName()));
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            LOG.warn("SIG{} handler unavailable on this platform: {}", signal, e.toString());
        }
    }

    static String formatDuration(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
    }

    /**
     * The stop sequence, run once: refuse new allocations ({@code startDraining()}: 300/508, /readyz false),
     * {@code STOPPING=1}, wait until no allocation is left or the grace period passed, then close the server,
     * the admin endpoint (which answers /healthz and /readyz until then) and the notifier.
     */
    private static final class Stopper {
        private final TraverseServer server;
        private final AdminServer admin;
        private final SystemdNotifier notifier;
        private final Duration grace;
        private final AtomicBoolean started = new AtomicBoolean();
        private final CountDownLatch stopped = new CountDownLatch(1);
        private volatile Thread runner;

        Stopper(TraverseServer server, AdminServer admin, SystemdNotifier notifier, Duration grace) {
            this.server = server;
            this.admin = admin;
            this.notifier = notifier;
            this.grace = grace;
        }

        /** SIGTERM/SIGINT: the first starts the drain on a thread of its own; another one cuts it short. */
        void onSignal(String signal) {
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
        void onShutdownHook() {
            if (started.compareAndSet(false, true)) {
                LOG.info("shutting down");
                runner = Thread.currentThread();
                drainAndClose();
            } else {
                awaitStoppedUninterruptibly();
            }
        }

        /** Whether a stop (drain) has begun. */
        boolean isStopping() {
            return started.get();
        }

        void awaitStopped() throws InterruptedException {
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
                int live = server.allocations().registered();
                LOG.info("draining: {} allocations, grace {}", live, formatDuration(grace));
                notifier.status("draining: " + live + " allocations");
                if (live > 0 && !grace.isZero()) {
                    notifier.extendTimeout(grace.plus(STOP_MARGIN));
                    int left;
                    try {
                        left = server.awaitDrained(grace);
                        if (left == 0) {
                            LOG.info("drained: no allocations left");
                        } else {
                            LOG.info("grace period over: closing {} allocations", left);
                        }
                    } catch (InterruptedException e) {
                        LOG.info("drain cut short: closing {} allocations", server.allocations().registered());
                    }
                }
            } catch (RuntimeException e) {
                LOG.error("drain failed, closing now: {}", e.toString());
            } finally {
                try {
                    server.close();
                    if (admin != null) {
                        admin.close();
                    }
                    LOG.info("stopped");
                } finally {
                    notifier.close();
                    stopped.countDown();
                }
            }
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

    /** Version from the jar manifest, or "dev" when run from classes. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = TraverseMain.class.getPackage().getImplementationVersion();
            return new String[] {"traverse " + (v == null ? "dev" : v)};
        }
    }
}
