package io.traverse.cli;

import java.io.Console;

/** Reads a password from the user's terminal without echo; {@link #NONE} when there is no terminal. */
@FunctionalInterface
public interface PasswordPrompt {
    /** No terminal: {@link #read} always answers null. */
    PasswordPrompt NONE = prompt -> null;

    /** The password typed after {@code prompt}, or null when no terminal is available. */
    char[] read(String prompt);

    /** {@link System#console()} when the process has one, else {@link #NONE}. */
    static PasswordPrompt console() {
        Console console = System.console();
        return console == null ? NONE : prompt -> console.readPassword("%s", prompt);
    }
}
