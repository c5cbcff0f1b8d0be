package io.traverse.cli;

/** Exit codes of turn-cli, documented in every command's help and in docs/cli.md. */
public final class ExitCodes {
    /** The command did what was asked (probe passed, config valid, file written). */
    public static final int OK = 0;
    /** The command ran but failed: a probe step failed, the config has problems, a file could not be used. */
    public static final int FAILED = 1;
    /** The command line is wrong: unknown or missing options, conflicting choices, bad values. */
    public static final int USAGE = 2;

    private ExitCodes() {}
}
