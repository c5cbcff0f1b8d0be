package io.traverse;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.traverse.admin.AdminServer;
import io.traverse.config.ConfigException;
import io.traverse.config.TraverseConfig;
import io.traverse.metrics.TraverseMetrics;
import io.traverse.ops.ExitCode;
import io.traverse.ops.GracefulStop;
import io.traverse.ops.LogSetup;
import io.traverse.ops.Signals;
import io.traverse.ops.SystemdNotifier;
import io.traverse.server.TraverseServer;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
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
            "2 bad configuration or arguments (see io.traverse.ops.ExitCode)."})
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

    private final PrintStream err;

    /** The process entry point's instance: errors about arguments and configuration go to standard error. */
    public TraverseMain() {
        this(System.err);
    }

    /** A seam for tests: argument and configuration errors are written to {@code err}. */
    TraverseMain(PrintStream err) {
        this.err = err;
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new TraverseMain()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        Map<String, String> overrides = overrides();
        if (overrides == null) {
            return ExitCode.USAGE.code();
        }
        Path file = config;
        if (file == null && Files.exists(Path.of("conf", "traverse.yaml"))) {
            file = Path.of("conf", "traverse.yaml");
        }
        TraverseConfig cfg;
        try {
            cfg = ConfigReload.load(file, overrides);
        } catch (ConfigException e) {
            err.println("traverse: invalid configuration" + (file == null ? "" : " in " + file) + ":");
            err.println(e.getMessage());
            return ExitCode.USAGE.code();
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
            return ExitCode.FAILED.code();
        }
        List<AutoCloseable> closeAfterServer = new ArrayList<>();
        if (cfg.admin().enabled()) {
            try {
                closeAfterServer.add(
                        AdminServer.start(cfg.admin(), registry, server::isReady, cfg.admin().bearerTokenFile()));
            } catch (RuntimeException e) {
                LOG.error("failed to start the admin endpoint: {}", e.getMessage());
                server.close();
                notifier.close();
                return ExitCode.FAILED.code();
            }
        }
        GracefulStop stop = new GracefulStop(drainable(server), closeAfterServer, notifier, cfg.drain().gracePeriod());
        // SIGTERM/SIGINT are handled here so that a drained stop exits with 0; the shutdown hook covers every
        // other way the JVM can end. Both are in place before READY=1.
        Runtime.getRuntime().addShutdownHook(new Thread(stop::onShutdownHook, "traverse-shutdown"));
        Signals.handle("TERM", stop::onSignal);
        Signals.handle("INT", stop::onSignal);
        ConfigReload reload = new ConfigReload(file, overrides, server, notifier, stop::isStopping);
        Signals.handle("HUP", signal -> reload.run());
        notifier.ready();
        // Pinged from an event loop: a wedged loop stops the pings and systemd restarts the server.
        notifier.startWatchdog(server.watchdogExecutor());
        stop.awaitStopped();
        return ExitCode.OK.code();
    }

    /** The {@code --set} and shorthand flags as dotted keys; null (after a message) when one is malformed. */
    private Map<String, String> overrides() {
        Map<String, String> overrides = new LinkedHashMap<>();
        for (String set : sets) {
            int eq = set.indexOf('=');
            if (eq <= 0) {
                err.println("traverse: --set needs KEY=VALUE, got '" + set + "'");
                return null;
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
        return overrides;
    }

    private static GracefulStop.Drainable drainable(TraverseServer server) {
        return new GracefulStop.Drainable() {
            @Override
            public void startDraining() {
                server.startDraining();
            }

            @Override
            public int liveAllocations() {
                return server.allocations().registered();
            }

            @Override
            public int awaitDrained(Duration grace) throws InterruptedException {
                return server.awaitDrained(grace);
            }

            @Override
            public void close() {
                server.close();
            }
        };
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
