package io.traverse.cli;

import java.io.PrintWriter;
import java.util.Objects;
import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code turn-cli}: operator tool for Traverse: mint TURN REST credentials, manage the users file, check a
 * configuration, probe a STUN/TURN server. Every subcommand returns {@link ExitCodes}: 0 ok, 1 failed,
 * 2 usage error. Errors are one line on stderr, never a stack trace.
 *
 * <p>Tests run it in-process through {@link #commandLine(TurnCli)} with their own {@link CliEnvironment}
 * and output writers.
 */
@Command(name = "turn-cli",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        usageHelpAutoWidth = true,
        description = "Operator tool for the Traverse STUN/TURN server.",
        subcommands = {
            CredentialsCommand.class,
            UserCommand.class,
            ConfigCommand.class,
            ProbeCommand.class,
            ClusterCommand.class,
            AdminCommands.Sessions.class,
            AdminCommands.Disconnect.class,
            AdminCommands.Status.class,
            AdminCommands.Reload.class,
            AutoComplete.GenerateCompletion.class,
            CommandLine.HelpCommand.class,
        },
        footerHeading = "%n",
        footer = {
            "Exit codes: 0 ok, 1 the command failed (probe step, invalid config, unusable file), 2 usage error.",
            "See docs/cli.md for examples."
        })
public final class TurnCli implements Callable<Integer> {
    private final CliEnvironment environment;

    @Spec
    CommandSpec spec;

    /** The real process environment. */
    public TurnCli() {
        this(CliEnvironment.system());
    }

    /** A given environment (tests). */
    public TurnCli(CliEnvironment environment) {
        this.environment = Objects.requireNonNull(environment, "environment");
    }

    public static void main(String[] args) {
        System.exit(commandLine(new TurnCli()).execute(args));
    }

    /**
     * The configured command line: one-line error handlers for bad arguments (exit 2) and failures (exit 1 or
     * the {@link CliException}'s code). Callers may replace its out and err writers.
     */
    public static CommandLine commandLine(TurnCli cli) {
        CommandLine commandLine = new CommandLine(cli);
        ErrorHandler handler = new ErrorHandler();
        commandLine.setExecutionExceptionHandler(handler);
        commandLine.setParameterExceptionHandler(handler);
        commandLine.setCaseInsensitiveEnumValuesAllowed(true);
        return commandLine;
    }

    /** The environment of the running command line; any subcommand finds it through its spec's root. */
    static CliEnvironment environment(CommandSpec spec) {
        return ((TurnCli) spec.root().userObject()).environment;
    }

    /** Writes {@code turn-cli: warning: ...} to stderr. */
    static void warn(CommandSpec spec, String message) {
        PrintWriter err = spec.commandLine().getErr();
        err.println("turn-cli: warning: " + message);
        err.flush();
    }

    /** Without a subcommand: the usage on stderr, exit 2. */
    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return ExitCodes.USAGE;
    }
}
