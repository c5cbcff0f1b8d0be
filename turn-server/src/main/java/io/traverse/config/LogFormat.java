package io.traverse.config;

/** Log output format ({@code logging.format}); written in lower case in the file. */
public enum LogFormat {
    /** Human-readable lines. */
    TEXT,
    /** One JSON object per line. */
    JSON
}
