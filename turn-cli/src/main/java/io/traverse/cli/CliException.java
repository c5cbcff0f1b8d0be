package io.traverse.cli;

/**
 * A failure a command reports as one line on stderr, with its exit code ({@link ExitCodes#FAILED} or
 * {@link ExitCodes#USAGE}). The message never contains a password or secret.
 */
public final class CliException extends Exception {
    private static final long serialVersionUID = 1L;

    private final int exitCode;

    public CliException(int exitCode, String message) {
        super(message, null, false, false);
        this.exitCode = exitCode;
    }

    /** A runtime failure (exit 1). */
    public static CliException failed(String message) {
        return new CliException(ExitCodes.FAILED, message);
    }

    /** A command-line mistake (exit 2). */
    public static CliException usage(String message) {
        return new CliException(ExitCodes.USAGE, message);
    }

    public int exitCode() {
        return exitCode;
    }
}
