package io.traverse.cli;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The real server as a child JVM ({@code java -cp <this class path> io.traverse.TraverseMain --config FILE}),
 * its output in a log file. The ports it bound (all 0 in the config) are read from its start-up log lines.
 */
final class ServerProcess implements AutoCloseable {
    private static final Pattern ADMIN = Pattern.compile("admin endpoint listening on [^ ]*/127\\.0\\.0\\.1:(\\d+)");
    private static final Pattern LISTENER = Pattern.compile("listening on (udp|tcp|tls)://127\\.0\\.0\\.1:(\\d+)");

    private final Process process;
    private final Path log;

    private ServerProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /** Starts the server on {@code config} and waits (bounded) until its admin endpoint listens. */
    static ServerProcess start(Path config) throws IOException, InterruptedException {
        Path log = config.resolveSibling("server.log");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process process = new ProcessBuilder(List.of(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                "io.traverse.TraverseMain", "--config", config.toString()))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        ServerProcess server = new ServerProcess(process, log);
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!ADMIN.matcher(server.log()).find()) {
            if (!process.isAlive() || System.nanoTime() - deadline > 0) {
                server.close();
                fail("the server did not start:\n" + server.log());
            }
            Thread.sleep(50);
        }
        return server;
    }

    String log() throws IOException {
        return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
    }

    String adminUrl() throws IOException {
        Matcher m = ADMIN.matcher(log());
        m.find();
        return "http://127.0.0.1:" + m.group(1);
    }

    InetSocketAddress listener(String protocol) throws IOException {
        Matcher m = LISTENER.matcher(log());
        while (m.find()) {
            if (m.group(1).equals(protocol)) {
                return new InetSocketAddress("127.0.0.1", Integer.parseInt(m.group(2)));
            }
        }
        throw new IllegalStateException("no " + protocol + " listener in the log:\n" + log());
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }
}
