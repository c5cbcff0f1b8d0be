package io.traverse.ops;

/** The exit status of the {@code traverse} process (documented in docs/operations.md and {@code --help}). */
public enum ExitCode {
    /** Stopped cleanly, also after SIGTERM/SIGINT and the drain. */
    OK(0),
    /** Failed at run time: a listener or the admin endpoint could not start. */
    FAILED(1),
    /** Bad configuration or arguments; nothing was started. */
    USAGE(2);

    private final int code;

    ExitCode(int code) {
        this.code = code;
    }

    /** The process exit status. */
    public int code() {
        return code;
    }
}
