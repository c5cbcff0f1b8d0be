package io.traverse.cli;

import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import picocli.CommandLine;

/** Runs turn-cli in-process with captured output, a fixed clock, given stdin, env and terminal prompt. */
final class Cli {
    static final Instant NOW = Instant.parse("2030-01-01T00:00:00Z");

    /** Exit code and what went to stdout and stderr. */
    record Result(int exitCode, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- out\n" + out + "--- err\n" + err;
        }
    }

    private String stdin = "";
    private final Map<String, String> env = new HashMap<>();
    private Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
    private PasswordPrompt prompt = PasswordPrompt.NONE;

    Cli stdin(String text) {
        this.stdin = text;
        return this;
    }

    Cli env(String name, String value) {
        env.put(name, value);
        return this;
    }

    Cli clock(Clock clock) {
        this.clock = clock;
        return this;
    }

    Cli prompt(PasswordPrompt prompt) {
        this.prompt = prompt;
        return this;
    }

    Result run(String... args) {
        CliEnvironment environment = new CliEnvironment(
                new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), env::get, clock, prompt);
        CommandLine commandLine = TurnCli.commandLine(new TurnCli(environment));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        int code = commandLine.execute(args);
        return new Result(code, out.toString(), err.toString());
    }

    static Result exec(String... args) {
        return new Cli().run(args);
    }
}
