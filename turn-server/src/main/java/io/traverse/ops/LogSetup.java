package io.traverse.ops;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import io.traverse.config.LogFormat;
import io.traverse.config.LogLevel;
import io.traverse.config.LoggingConfig;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.slf4j.ILoggerFactory;
import org.slf4j.LoggerFactory;

/**
 * Applies the {@code logging} section to Logback at start and again on SIGHUP, replacing what
 * {@link LogBootstrap} set up before the configuration was read: one console appender on stderr, in the configured format ({@code text}: the
 * pattern {@value #TEXT_PATTERN}; {@code json}: {@link JsonLineLayout}, one object per line), and the root
 * level. {@code io.netty} stays at WARN (or the root level when that is stricter): Netty's own debug output
 * is noise to an operator.
 *
 * <p>When SLF4J is not bound to Logback (another binding on the class path) nothing is changed and
 * {@link #apply} returns {@code false}.
 */
public final class LogSetup {
    /** The {@code text} format, also used before the configuration is read ({@link LogBootstrap}). */
    public static final String TEXT_PATTERN =
            "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level [%thread] %logger{20} - %msg%n";
    /** Appender names carry the format, so a reload can tell whether the format changed. */
    static final String APPENDER_PREFIX = "traverse-stderr-";

    private LogSetup() {}

    /**
     * Sets the root level and, when it differs from the current one, the output format. When the format
     * changes, the new appender is attached before the old ones are detached, so no event is lost in
     * between (one may be written twice).
     *
     * @return whether Logback was configured (false when SLF4J is bound to something else)
     */
    public static synchronized boolean apply(LoggingConfig logging) {
        Objects.requireNonNull(logging, "logging");
        LoggerContext context = logbackContext();
        if (context == null) {
            return false;
        }
        apply(context, logging.format(), logging.level());
        return true;
    }

    /** {@link #apply(LoggingConfig)} on a given context (also Logback's start-up, {@link LogBootstrap}). */
    static synchronized void apply(LoggerContext context, LogFormat format, LogLevel level) {
        Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        String name = appenderName(format);
        if (root.getAppender(name) == null) {
            ConsoleAppender<ILoggingEvent> appender = new ConsoleAppender<>();
            appender.setContext(context);
            appender.setName(name);
            appender.setTarget("System.err");
            appender.setEncoder(encoder(context, format));
            appender.start();
            root.addAppender(appender);
            List<Appender<ILoggingEvent>> others = new ArrayList<>();
            for (Iterator<Appender<ILoggingEvent>> it = root.iteratorForAppenders(); it.hasNext(); ) {
                Appender<ILoggingEvent> a = it.next();
                if (a != appender) {
                    others.add(a);
                }
            }
            for (Appender<ILoggingEvent> other : others) {
                root.detachAppender(other);
                other.stop();
            }
        }
        applyLevel(context, level);
    }

    /** Sets only the root level (and Netty's, see the class comment). */
    public static synchronized boolean applyLevel(LogLevel level) {
        LoggerContext context = logbackContext();
        if (context == null) {
            return false;
        }
        applyLevel(context, level);
        return true;
    }

    /**
     * A started encoder writing events in {@code format}, UTF-8; exposed for tests that write into a
     * buffer instead of stderr.
     */
    public static Encoder<ILoggingEvent> encoder(LoggerContext context, LogFormat format) {
        if (format == LogFormat.JSON) {
            JsonLineLayout layout = new JsonLineLayout();
            layout.setContext(context);
            layout.start();
            LayoutWrappingEncoder<ILoggingEvent> encoder = new LayoutWrappingEncoder<>();
            encoder.setContext(context);
            encoder.setLayout(layout);
            encoder.setCharset(StandardCharsets.UTF_8);
            encoder.start();
            return encoder;
        }
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern(TEXT_PATTERN);
        encoder.setCharset(StandardCharsets.UTF_8);
        encoder.start();
        return encoder;
    }

    static String appenderName(LogFormat format) {
        return APPENDER_PREFIX + format.name().toLowerCase(Locale.ROOT);
    }

    private static void applyLevel(LoggerContext context, LogLevel level) {
        Level rootLevel = Level.toLevel(level.name(), Level.INFO);
        context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).setLevel(rootLevel);
        context.getLogger("io.netty").setLevel(rootLevel.isGreaterOrEqual(Level.WARN) ? rootLevel : Level.WARN);
    }

    private static LoggerContext logbackContext() {
        ILoggerFactory factory = LoggerFactory.getILoggerFactory();
        return factory instanceof LoggerContext ? (LoggerContext) factory : null;
    }
}
