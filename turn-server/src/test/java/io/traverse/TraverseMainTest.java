package io.traverse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.traverse.ops.ExitCode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The command line through its constructor seam: refusals before anything starts, with their exit codes. */
class TraverseMainTest {
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return new CommandLine(new TraverseMain(new PrintStream(err, true, StandardCharsets.UTF_8))).execute(args);
    }

    private String stderr() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void malformedSetIsAUsageError() {
        assertEquals(ExitCode.USAGE.code(), run("--set", "no-equals-sign"));
        assertTrue(stderr().contains("--set needs KEY=VALUE, got 'no-equals-sign'"), stderr());
    }

    @Test
    void invalidConfigurationNamesTheKeyAndExitsWithUsage(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("traverse.yaml");
        Files.writeString(file, "relay:\n  port-range: {min: 70000, max: 70001}\n");
        assertEquals(ExitCode.USAGE.code(), run("--config", file.toString()));
        assertTrue(stderr().contains("invalid configuration in " + file), stderr());
        assertTrue(stderr().contains("relay.port-range.min"), stderr());
    }

    @Test
    void unknownOverrideKeyIsRefused() {
        assertEquals(ExitCode.USAGE.code(), run("--set", "server.no-such-key=1"));
        assertTrue(stderr().contains("server.no-such-key"), stderr());
    }

    @Test
    void exitCodesAreTheDocumentedOnes() {
        assertEquals(0, ExitCode.OK.code());
        assertEquals(1, ExitCode.FAILED.code());
        assertEquals(2, ExitCode.USAGE.code());
    }
}
