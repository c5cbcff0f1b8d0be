package io.traverse.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.util.ContextInitializer;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.OutputStreamAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.traverse.config.LogFormat;
import io.traverse.config.LogLevel;
import io.traverse.config.LoggingConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** {@code logging.format}: json gives one parseable object per line, text the documented pattern. */
class LogFormatTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern TEXT_LINE = Pattern.compile(
            "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}(Z|[+-]\\d\\d:\\d\\d) (INFO |WARN |DEBUG|ERROR|TRACE) "
                    + "\\[[^\\]]+\\] \\S+ - .*");

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private boolean globalChanged;

    @AfterEach
    void restoreGlobalLogging() throws Exception {
        if (globalChanged) {
            LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
            context.reset();
            new ContextInitializer(context).autoConfig(); // logback-test.xml again
        }
    }

    /** A private logger context writing {@code format} into {@link #out}. */
    private Logger logger(LogFormat format) {
        LoggerContext context = new LoggerContext();
        context.setMDCAdapter(new LogbackMDCAdapter());
        context.start();
        OutputStreamAppender<ILoggingEvent> appender = new OutputStreamAppender<>();
        appender.setContext(context);
        appender.setName("buffer");
        appender.setEncoder(LogSetup.encoder(context, format));
        appender.setOutputStream(out);
        appender.start();
        Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.addAppender(appender);
        root.setLevel(Level.TRACE);
        return context.getLogger("io.traverse.test.Component");
    }

    private List<String> lines() {
        String text = out.toString(StandardCharsets.UTF_8);
        assertTrue(text.endsWith("\n"), "output ends with a line break");
        return List.of(text.substring(0, text.length() - 1).split("\n", -1));
    }

    private static JsonNode parse(String line) throws IOException {
        JsonNode node = JSON.readTree(line);
        assertNotNull(node, "empty line");
        assertTrue(node.isObject(), () -> "not a JSON object: " + line);
        for (String field : List.of("timestamp", "level", "logger", "message", "thread")) {
            assertTrue(node.hasNonNull(field), () -> "no '" + field + "' in " + line);
        }
        return node;
    }

    @Test
    void jsonIsOneObjectPerLineWithLevelLoggerMessageTimestamp() throws Exception {
        Logger log = logger(LogFormat.JSON);
        String tricky = "quote \" backslash \\ newline\nsecond line\ttab \r cr \u0001 ctrl \u007f del é € 😀 "
                + "\u2028 ls \u2029 ps </script> {}";
        Instant before = Instant.now().minusMillis(1);
        log.info("plain message");
        log.warn("with {} and {}", "args", 42);
        log.debug(tricky);
        log.error("failed: {}", "op", new IllegalStateException("outer \"bad\"", new java.io.IOException("inner\ncause")));
        log.trace("lone surrogate \ud800 here");
        Instant after = Instant.now().plusMillis(1);

        List<String> lines = lines();
        assertEquals(5, lines.size(), () -> "one line per event:\n" + out);
        List<JsonNode> events = new ArrayList<>();
        for (String line : lines) {
            events.add(parse(line));
        }
        assertEquals(List.of("INFO", "WARN", "DEBUG", "ERROR", "TRACE"),
                events.stream().map(e -> e.get("level").asText()).toList());
        for (JsonNode e : events) {
            assertEquals("io.traverse.test.Component", e.get("logger").asText());
            assertEquals(Thread.currentThread().getName(), e.get("thread").asText());
            String timestamp = e.get("timestamp").asText();
            assertTrue(timestamp.matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z"), timestamp);
            Instant t = Instant.parse(timestamp);
            assertFalse(t.isBefore(before.truncatedTo(java.time.temporal.ChronoUnit.MILLIS)), timestamp);
            assertFalse(t.isAfter(after), timestamp);
        }
        assertEquals("plain message", events.get(0).get("message").asText());
        assertEquals("with args and 42", events.get(1).get("message").asText(), "the message is formatted");
        assertEquals(tricky, events.get(2).get("message").asText(), "every character survives the round trip");
        assertEquals("failed: op", events.get(3).get("message").asText());
        String exception = events.get(3).get("exception").asText();
        assertTrue(exception.startsWith("java.lang.IllegalStateException: outer \"bad\""), exception);
        assertTrue(exception.contains("Caused by: java.io.IOException: inner\ncause"), exception);
        assertTrue(exception.contains("\tat io.traverse.ops.LogFormatTest"), exception);
        assertNull(events.get(0).get("exception"), "no exception field without an exception");
        assertEquals("lone surrogate \ufffd here", events.get(4).get("message").asText());
        assertFalse(lines.get(2).contains("\u2028"), "U+2028 is escaped");
    }

    @Test
    void jsonCarriesTheMdcWhenThereIsOne() throws Exception {
        Logger log = logger(LogFormat.JSON);
        LoggerContext context = log.getLoggerContext();
        context.getMDCAdapter().put("allocation", "a-17");
        try {
            log.info("with mdc");
        } finally {
            context.getMDCAdapter().clear();
        }
        log.info("without mdc");
        List<String> lines = lines();
        assertEquals("a-17", parse(lines.get(0)).get("mdc").get("allocation").asText());
        assertNull(parse(lines.get(1)).get("mdc"));
    }

    @Test
    void textKeepsThePattern() {
        Logger log = logger(LogFormat.TEXT);
        log.info("hello {}", "world");
        log.warn("second");
        List<String> lines = lines();
        assertEquals(2, lines.size());
        for (String line : lines) {
            assertTrue(TEXT_LINE.matcher(line).matches(), line);
        }
        assertTrue(lines.get(0).contains(" INFO  [" + Thread.currentThread().getName() + "] "), lines.get(0));
        assertTrue(lines.get(0).endsWith(".Component - hello world"), lines.get(0));
    }

    @Test
    void applySwitchesFormatAndLevelOfTheServersLoggingOnStderr() throws Exception {
        globalChanged = true;
        PrintStream originalErr = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        org.slf4j.Logger log = LoggerFactory.getLogger("io.traverse.test.Applied");
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            assertTrue(LogSetup.apply(new LoggingConfig(LogLevel.DEBUG, LogFormat.JSON)));
            assertTrue(LogSetup.apply(new LoggingConfig(LogLevel.DEBUG, LogFormat.JSON)), "idempotent");
            log.debug("json at debug");
            log.trace("not at trace");
            assertEquals(List.of(LogSetup.appenderName(LogFormat.JSON)), appenderNames(root),
                    "one appender: logback-test.xml's was replaced, applying twice added none");
            assertEquals(Level.DEBUG, root.getLevel());
            assertEquals(Level.WARN, context.getLogger("io.netty").getLevel(), "Netty stays at WARN");

            assertTrue(LogSetup.apply(new LoggingConfig(LogLevel.INFO, LogFormat.TEXT))); // what SIGHUP does
            log.debug("text at debug: dropped");
            log.info("text at info");
            assertEquals(List.of(LogSetup.appenderName(LogFormat.TEXT)), appenderNames(root));

            assertTrue(LogSetup.applyLevel(LogLevel.ERROR));
            assertEquals(Level.ERROR, context.getLogger("io.netty").getLevel(), "a stricter root applies to Netty");
            log.warn("dropped at error");
        } finally {
            System.setErr(originalErr);
        }
        String[] lines = err.toString(StandardCharsets.UTF_8).split("\n");
        assertEquals(2, lines.length, () -> "captured:\n" + err);
        JsonNode first = parse(lines[0]);
        assertEquals("json at debug", first.get("message").asText());
        assertEquals("DEBUG", first.get("level").asText());
        assertEquals("io.traverse.test.Applied", first.get("logger").asText());
        assertTrue(TEXT_LINE.matcher(lines[1]).matches(), lines[1]);
        assertTrue(lines[1].endsWith(" - text at info"), lines[1]);
    }

    private static List<String> appenderNames(Logger logger) {
        List<String> names = new ArrayList<>();
        for (Iterator<Appender<ILoggingEvent>> it = logger.iteratorForAppenders(); it.hasNext(); ) {
            names.add(it.next().getName());
        }
        return names;
    }
}
