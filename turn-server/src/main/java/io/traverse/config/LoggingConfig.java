package io.traverse.config;

/**
 * The {@code logging} section.
 *
 * @param level  root log level
 * @param format output format
 */
public record LoggingConfig(LogLevel level, LogFormat format) {

    public LoggingConfig {
        Validator v = new Validator();
        v.notNull("level", level);
        v.notNull("format", format);
        v.done();
    }

    /** info, text. */
    public static LoggingConfig defaults() {
        return new LoggingConfig(LogLevel.INFO, LogFormat.TEXT);
    }
}
