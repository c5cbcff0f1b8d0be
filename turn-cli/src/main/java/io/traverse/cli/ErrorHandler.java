package io.traverse.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * Turns every failure into one line on stderr: {@code turn-cli: <what went wrong>}. Command-line mistakes
 * exit {@value ExitCodes#USAGE} with a pointer to the command's help; {@link CliException}s exit with their
 * own code; anything else exits {@value ExitCodes#FAILED}. Never prints a stack trace.
 */
final class ErrorHandler implements IExecutionExceptionHandler, IParameterExceptionHandler {

    @Override
    public int handleParseException(ParameterException ex, String[] args) {
        CommandLine cmd = ex.getCommandLine();
        PrintWriter err = cmd.getErr();
        err.println("turn-cli: " + oneLine(ex.getMessage()) + " (see '" + cmd.getCommandSpec().qualifiedName()
                + " --help')");
        err.flush();
        return ExitCodes.USAGE;
    }

    @Override
    public int handleExecutionException(Exception ex, CommandLine cmd, ParseResult parseResult) {
        PrintWriter err = cmd.getErr();
        int code;
        String message;
        if (ex instanceof CliException cli) {
            code = cli.exitCode();
            message = cli.getMessage();
        } else if (ex instanceof ParameterException p) {
            code = ExitCodes.USAGE;
            message = p.getMessage();
        } else {
            code = ExitCodes.FAILED;
            message = ex.getMessage() == null ? ex.getClass().getSimpleName()
                    : ex.getClass().getSimpleName() + ": " + ex.getMessage();
        }
        err.println("turn-cli: " + oneLine(message));
        err.flush();
        return code;
    }

    static String oneLine(String message) {
        return message == null ? "error" : message.strip().replaceAll("\\s*[\\r\\n]+\\s*", "; ");
    }
}
