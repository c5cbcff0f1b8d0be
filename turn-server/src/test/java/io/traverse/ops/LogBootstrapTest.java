package io.traverse.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.Configurator.ExecutionStatus;
import ch.qos.logback.core.ConsoleAppender;
import io.traverse.config.LogFormat;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

class LogBootstrapTest {
    @Test
    void logbackFindsItAsAService() {
        assertTrue(ServiceLoader.load(Configurator.class).stream().anyMatch(p -> p.type() == LogBootstrap.class));
    }

    @Test
    void setsUpTextOnStderrAtInfoWithNettyAtWarnAndEndsLogbacksSearch() {
        LoggerContext context = new LoggerContext();
        LogBootstrap bootstrap = bootstrapIn(context);

        assertEquals(ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY, bootstrap.configure(context, false));

        Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        ConsoleAppender<?> appender = (ConsoleAppender<?>) root.getAppender(LogSetup.appenderName(LogFormat.TEXT));
        assertNotNull(appender, "the text appender LogSetup installs for format: text");
        assertEquals("System.err", appender.getTarget());
        assertTrue(appender.isStarted());
        assertEquals(Level.INFO, root.getLevel());
        assertEquals(Level.WARN, context.getLogger("io.netty").getLevel());
    }

    @Test
    void aConfigurationFileWinsAndNothingIsSetUp() {
        LoggerContext context = new LoggerContext();
        LogBootstrap bootstrap = bootstrapIn(context);

        assertEquals(ExecutionStatus.INVOKE_NEXT_IF_ANY, bootstrap.configure(context, true));

        assertFalse(context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).iteratorForAppenders().hasNext());
    }

    @Test
    void stepsAsideForTheTestsLogbackTestXml() {
        LoggerContext context = new LoggerContext();
        LogBootstrap bootstrap = bootstrapIn(context);

        assertEquals(ExecutionStatus.INVOKE_NEXT_IF_ANY, bootstrap.configure(context), "logback-test.xml is on the class path");
    }

    private static LogBootstrap bootstrapIn(LoggerContext context) {
        LogBootstrap bootstrap = new LogBootstrap();
        bootstrap.setContext(context);
        return bootstrap;
    }
}
