package io.traverse;

import io.traverse.config.ConfigException;
import io.traverse.config.ConfigLoader;
import io.traverse.config.TraverseConfig;
import io.traverse.ops.LogSetup;
import io.traverse.ops.SystemdNotifier;
import io.traverse.server.TraverseServer;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A reload (SIGHUP): re-reads the config file with the command line's overrides and applies what can change
 * without a restart. A bad file is refused and the running configuration stays. One reload at a time.
 */
final class ConfigReload implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(ConfigReload.class);

    private final Path file;
    private final Map<String, String> overrides;
    private final TraverseServer server;
    private final SystemdNotifier notifier;
    private final BooleanSupplier stopping;

    ConfigReload(Path file, Map<String, String> overrides, TraverseServer server, SystemdNotifier notifier,
            BooleanSupplier stopping) {
        this.file = file;
        this.overrides = Map.copyOf(overrides);
        this.server = server;
        this.notifier = notifier;
        this.stopping = stopping;
    }

    /** The configuration from {@code file} (built-in defaults when null) with {@code overrides} applied. */
    static TraverseConfig load(Path file, Map<String, String> overrides) throws ConfigException {
        return file == null ? ConfigLoader.parse("", overrides) : ConfigLoader.load(file, overrides);
    }

    @Override
    public synchronized void run() {
        if (stopping.getAsBoolean()) {
            LOG.info("reload ignored: the server is stopping");
            return;
        }
        notifier.reloading();
        try {
            TraverseConfig fresh = load(file, overrides);
            LogSetup.apply(fresh.logging());
            server.reload(fresh);
        } catch (ConfigException e) {
            LOG.error("reload refused, configuration unchanged:\n{}", e.getMessage());
        } catch (RuntimeException e) {
            LOG.error("reload failed: {}", e.toString());
        }
        notifier.ready();
    }
}
