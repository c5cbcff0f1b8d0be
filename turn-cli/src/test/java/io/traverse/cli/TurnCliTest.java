package io.traverse.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Help, version, completion, and the one-line error contract shared by all commands. */
class TurnCliTest {

    static Stream<Arguments> commands() {
        return Stream.of(
                Arguments.of(List.of(), List.of("credentials", "user", "config", "probe", "generate-completion",
                        "Exit codes: 0")),
                Arguments.of(List.of("credentials"), List.of("--secret-file", "--secret-env", "--config", "--ttl",
                        "--url", "--host", "--format", "RTCIceServer", "Exit codes")),
                Arguments.of(List.of("user"), List.of("add", "delete", "list", "passwd", "0600")),
                Arguments.of(List.of("user", "add"), List.of("--users-file", "--realm", "--user", "--password-stdin",
                        "--password-file", "Insecure")),
                Arguments.of(List.of("user", "delete"), List.of("--users-file", "--realm", "--user")),
                Arguments.of(List.of("user", "list"), List.of("--users-file", "Never prints")),
                Arguments.of(List.of("user", "passwd"), List.of("--users-file", "--password-stdin")),
                Arguments.of(List.of("config"), List.of("check")),
                Arguments.of(List.of("config", "check"), List.of("FILE", "--set", "Exit codes: 0 valid")),
                Arguments.of(List.of("probe"), List.of("URL", "--peer", "--[no-]peer-test", "--timeout", "--ca-file",
                        "--insecure", "Exit codes: 0 every step passed")));
    }

    @ParameterizedTest(name = "{0} --help")
    @MethodSource("commands")
    void everyCommandHasHelp(List<String> command, List<String> mentions) {
        String[] args = Stream.concat(command.stream(), Stream.of("--help")).toArray(String[]::new);
        Cli.Result r = Cli.exec(args);
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.out().startsWith("Usage: turn-cli"), r.out());
        for (String m : mentions) {
            assertTrue(r.out().contains(m), "help of " + command + " mentions " + m + ":\n" + r.out());
        }
        assertTrue(r.out().lines().allMatch(l -> l.length() <= 80), "fits 80 columns:\n" + r.out());
        assertEquals("", r.err());
    }

    @Test
    void version() {
        Cli.Result r = Cli.exec("--version");
        assertEquals(0, r.exitCode());
        assertTrue(r.out().startsWith("turn-cli "), r.out());
    }

    @Test
    void completionScript() {
        Cli.Result r = Cli.exec("generate-completion");
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().startsWith("#!/usr/bin/env bash"), r.out());
        assertTrue(r.out().contains("turn-cli"));
        assertTrue(r.out().contains("--users-file"), "subcommand options are completed");
    }

    @Test
    void noCommandPrintsUsageAndExits2() {
        Cli.Result r = Cli.exec();
        assertEquals(2, r.exitCode());
        assertTrue(r.err().startsWith("Usage: turn-cli"), r.err());
    }

    @ParameterizedTest
    @ValueSource(strings = {"bogus", "--bogus", "user frobnicate", "config check a b", "credentials --format xml"})
    void usageErrorsAreOneLineWithExit2(String line) {
        Cli.Result r = Cli.exec(line.split(" "));
        assertEquals(2, r.exitCode(), r.toString());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().startsWith("turn-cli: "), r.err());
        assertTrue(r.err().contains("--help"), r.err());
        assertFalse(r.err().contains("\tat "), "no stack trace");
    }

    @Test
    void unexpectedFailureIsOneLineWithExit1() {
        // A directory where a file is expected: the IOException becomes one line.
        Cli.Result r = Cli.exec("user", "list", "--users-file", System.getProperty("java.io.tmpdir"));
        assertEquals(1, r.exitCode(), r.toString());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().startsWith("turn-cli: "), r.err());
    }
}
