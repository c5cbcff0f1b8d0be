package io.traverse.ops;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs a repository script or tool as a child process and captures its output (test helper). */
final class ScriptRunner {
    /** The repository root: tests run with the module directory (turn-server/) as working directory. */
    static final Path REPO = Path.of(System.getProperty("user.dir")).toAbsolutePath().getParent();

    /** Exit code and combined output of one run. */
    record Result(int exitCode, String output) {
        Result assertSuccess() {
            if (exitCode != 0) {
                fail("exit code " + exitCode + ", output:\n" + output);
            }
            return this;
        }
    }

    private ScriptRunner() {}

    /** Runs {@code command} in {@code REPO} with the inherited environment plus {@code env}. */
    static Result run(Map<String, String> env, String... command) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(List.of(command)).directory(REPO.toFile()).redirectErrorStream(true);
        // Variables the scripts read must come from the test only, never from the developer's shell.
        for (String name : new ArrayList<>(builder.environment().keySet())) {
            if (name.equals("DESTDIR") || name.startsWith("TRAVERSE_")) {
                builder.environment().remove(name);
            }
        }
        builder.environment().putAll(env);
        Path log = Files.createTempFile("traverse-script", ".log");
        try {
            Process process = builder.redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.from(
                    Path.of("/dev/null").toFile())).start();
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                fail(String.join(" ", command) + " did not finish within 120 s:\n" + Files.readString(log));
            }
            return new Result(process.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(log);
        }
    }

    /** The absolute path of {@code name} on $PATH, or null. */
    static Path onPath(String name) {
        String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
        for (String dir : path.split(":")) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, name);
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return null;
    }
}
