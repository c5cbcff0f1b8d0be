package io.traverse.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * Where a password comes from; at most one (a picocli exclusive group). Without any, commands prompt on the
 * terminal when there is one. A password is never taken as a bare argument: {@code --password} exists for
 * scripts that have no better way and prints a warning.
 */
final class PasswordOptions {
    @Option(names = "--password-stdin", description = "Read the password from the first line of standard input.")
    boolean stdin;

    @Option(names = "--password-file", paramLabel = "FILE",
            description = "Read the password from the first line of FILE.")
    Path file;

    @Option(names = "--password", paramLabel = "PASSWORD",
            description = "The password itself. Insecure: visible in the process list and shell history "
                    + "(prints a warning); prefer --password-stdin or --password-file.")
    String inline;
}
