package io.traverse.config;

/** Root log level ({@code logging.level}); written in lower case in the file. */
public enum LogLevel {
    TRACE, DEBUG, INFO, WARN, ERROR
}
