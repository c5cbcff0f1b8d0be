package io.traverse.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import picocli.CommandLine.Model.CommandSpec;

/** Reads a password from the source {@link PasswordOptions} names, or from the terminal. */
final class Passwords {
    private Passwords() {}

    /**
     * The password.
     *
     * @param options the parsed group, or null when none of its options was given (then prompt)
     * @param who shown in the prompt, e.g. {@code alice@example.org}
     * @param confirm prompt twice and require the same answer (when setting a password)
     * @throws CliException when there is no source, the source is unreadable or empty, or the prompts differ
     */
    static String read(PasswordOptions options, CommandSpec spec, String who, boolean confirm) throws CliException {
        CliEnvironment env = TurnCli.environment(spec);
        String password;
        if (options == null) {
            password = prompt(env.prompt(), who, confirm);
        } else if (options.stdin) {
            try {
                password = firstLine(env.stdin().readAllBytes());
            } catch (IOException e) {
                throw CliException.failed("cannot read the password from standard input: " + e.getMessage());
            }
        } else if (options.file != null) {
            password = fromFile(options.file);
        } else {
            TurnCli.warn(spec, "--password exposes the password in the process list and shell history; "
                    + "prefer --password-stdin or --password-file");
            password = options.inline;
        }
        if (password == null || password.isEmpty()) {
            throw CliException.failed("the password is empty");
        }
        return password;
    }

    static String fromFile(Path file) throws CliException {
        try {
            return firstLine(Files.readAllBytes(file));
        } catch (java.nio.file.NoSuchFileException e) {
            throw CliException.failed("password file " + file + " does not exist");
        } catch (IOException e) {
            throw CliException.failed("cannot read password file " + file + ": " + e.getClass().getSimpleName());
        }
    }

    private static String prompt(PasswordPrompt prompt, String who, boolean confirm) throws CliException {
        char[] first = prompt.read("Password for " + who + ": ");
        if (first == null) {
            throw CliException.usage("no password given and no terminal to ask on: use --password-stdin or "
                    + "--password-file");
        }
        try {
            if (confirm) {
                char[] second = prompt.read("Repeat the password: ");
                try {
                    if (second == null || !Arrays.equals(first, second)) {
                        throw CliException.failed("the passwords do not match");
                    }
                } finally {
                    if (second != null) {
                        Arrays.fill(second, '\0');
                    }
                }
            }
            return new String(first);
        } finally {
            Arrays.fill(first, '\0');
        }
    }

    /** The text up to the first line feed, without a trailing carriage return. */
    static String firstLine(byte[] bytes) {
        String text = new String(bytes, StandardCharsets.UTF_8);
        int nl = text.indexOf('\n');
        String line = nl < 0 ? text : text.substring(0, nl);
        return line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
    }

    static String firstLine(InputStream in) throws IOException {
        return firstLine(in.readAllBytes());
    }
}
