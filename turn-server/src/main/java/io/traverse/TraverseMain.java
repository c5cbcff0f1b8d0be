package io.traverse;

import ch.qos.logback.classic.Level;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.traverse.admin.AdminServer;
import io.traverse.config.ConfigException;
import io.traverse.config.ConfigLoader;
import io.traverse.config.TraverseConfig;
import io.traverse.metrics.TraverseMetrics;
import io.traverse.ops.SystemdNotifier;
import io.traverse.server.TraverseServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code traverse}: starts the STUN/TURN server. Flags override the config file. */
@Command(name = "traverse", mixinStandardHelpOptions = true, versionProvider = TraverseMain.Version.class,
        description = "Traverse STUN/TURN relay server.",
        footer = {"", "Exit codes: 0 stopped cleanly, 1 failed at run time, 2 bad configuration or arguments."})
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

    private final CountDownLatch stopped = new CountDownLatch(1);

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
        applyLogLevel(cfg.logging().level().name());
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
                LOG.info("admin endpoint on http://{}", admin.address());
            } catch (RuntimeException e) {
                LOG.error("failed to start the admin endpoint: {}", e.getMessage());
                server.close();
                notifier.close();
                return 1;
            }
        }
        AdminServer adminServer = admin;
        notifier.ready();
        notifier.startWatchdog();
        Path configFile = file;
        installReloadHandler(() -> {
            // SIGHUP: re-read the config file and apply what can change without a restart.
            notifier.reloading();
            try {
                TraverseConfig fresh = load(configFile, overrides);
                applyLogLevel(fresh.logging().level().name());
                server.reload(fresh);
            } catch (ConfigException e) {
                LOG.error("reload refused, configuration unchanged:\n{}", e.getMessage());
            } catch (RuntimeException e) {
                LOG.error("reload failed: {}", e.toString());
            }
            notifier.ready();
        });
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            LOG.info("stopping");
            try {
                notifier.stopping().get(1, java.util.concurrent.TimeUnit.SECONDS);
            } catch (Exception ignored) {
                // best effort
            }
            server.startDraining();
            server.close();
            if (adminServer != null) {
                adminServer.close();
            }
            notifier.close();
            stopped.countDown();
        }, "traverse-shutdown"));
        stopped.await();
        return 0;
    }

    private static TraverseConfig load(Path file, Map<String, String> overrides) throws ConfigException {
        return file == null ? ConfigLoader.parse("", overrides) : ConfigLoader.load(file, overrides);
    }

    /** SIGHUP → {@code action} on the JVM's signal thread (sun.misc.Signal: the only way a JVM can catch it). */
    @SuppressWarnings("removal")
    private static void installReloadHandler(Runnable action) {
        try {
            sun.misc.Signal.handle(new sun.misc.Signal("HUP"), signal -> action.run());
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            LOG.warn("SIGHUP reload unavailable on this platform: {}", e.toString());
        }
    }

    static void applyLogLevel(String level) {
        org.slf4j.Logger root = LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        if (root instanceof ch.qos.logback.classic.Logger) {
            ((ch.qos.logback.classic.Logger) root).setLevel(Level.toLevel(level, Level.INFO));
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
