package io.traverse.cli;

import java.io.InputStream;
import java.time.Clock;
import java.util.Objects;
import java.util.function.Function;

/**
 * What turn-cli takes from its process besides arguments, so that tests can run it in-process: standard
 * input, environment variables, the clock and the terminal password prompt. Standard output and error are
 * the {@link picocli.CommandLine} writers.
 *
 * @param stdin standard input (for {@code --password-stdin})
 * @param env environment variable lookup (for {@code --secret-env}); null for unset
 * @param clock wall clock (credential expiry)
 * @param prompt terminal password prompt
 */
public record CliEnvironment(InputStream stdin, Function<String, String> env, Clock clock, PasswordPrompt prompt) {
    public CliEnvironment {
        Objects.requireNonNull(stdin, "stdin");
        Objects.requireNonNull(env, "env");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(prompt, "prompt");
    }

    /** The real process: System.in, System.getenv, the UTC system clock, System.console(). */
    public static CliEnvironment system() {
        return new CliEnvironment(System.in, System::getenv, Clock.systemUTC(), PasswordPrompt.console());
    }
}
