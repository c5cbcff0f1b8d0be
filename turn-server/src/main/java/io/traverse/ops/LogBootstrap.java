package io.traverse.ops;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ConfiguratorRank;
import ch.qos.logback.core.spi.ContextAwareBase;
import ch.qos.logback.core.util.Loader;
import io.traverse.config.LogFormat;
import io.traverse.config.LogLevel;

/**
 * Logback's start-up configuration until the {@code logging} section is read (found by Logback through
 * {@code META-INF/services/ch.qos.logback.classic.spi.Configurator}): what {@link LogSetup} installs for
 * {@code logging.level: info}, {@code format: text}, i.e. one text line per event on stderr, {@code io.netty} at
 * WARN. Set up in code rather than from a {@code logback.xml}: Logback's XML configurator (Joran, the JDK's XML
 * parser, ~1,000 classes) cost about 0.1-0.2 s of the server's start-up and ~2 MB of class metadata.
 *
 * <p>An explicit {@code -Dlogback.configurationFile=...} or a {@code logback-test.xml} on the class path (the
 * tests' set-up) still wins: this configurator then steps aside and Logback reads that file as usual.
 */
@ConfiguratorRank(ConfiguratorRank.CUSTOM_NORMAL_PRIORITY)
public final class LogBootstrap extends ContextAwareBase implements Configurator {
    /** Logback's system property naming a configuration file. */
    static final String CONFIGURATION_FILE_PROPERTY = "logback.configurationFile";

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        return configure(context, System.getProperty(CONFIGURATION_FILE_PROPERTY) != null
                || Loader.getResource("logback-test.xml", LogBootstrap.class.getClassLoader()) != null);
    }

    /** {@link #configure(LoggerContext)}; {@code fileGiven}: a configuration file is there to be read instead. */
    ExecutionStatus configure(LoggerContext context, boolean fileGiven) {
        if (fileGiven) {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        }
        LogSetup.apply(context, LogFormat.TEXT, LogLevel.INFO);
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }
}
