package io.traverse.it;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A private redis-server for one test class: in a temp directory, on 127.0.0.1 and a free port, no persistence,
 * stopped by {@link #close()} (and on JVM exit). {@link #kill()} and {@link #restart()} simulate an outage on the
 * same port. Fails (does not skip) when redis-server is missing: {@code scripts/test.sh} installs it.
 */
public final class RedisFixture implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(20);

    private final Path dir;
    private final int port;
    private final Thread hook;
    private Process process;

    private RedisFixture(Path dir, int port) {
        this.dir = dir;
        this.port = port;
        this.hook = new Thread(this::kill, "redis-fixture-stop");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** Starts redis-server with its files under {@code dir}. */
    public static RedisFixture start(Path dir) throws Exception {
        ExternalTool.require("redis-server");
        Files.createDirectories(dir);
        RedisFixture redis = new RedisFixture(dir, freeTcpPort());
        redis.launch();
        return redis;
    }

    static int freeTcpPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private void launch() throws Exception {
        Path log = dir.resolve("redis.log");
        process = new ProcessBuilder("redis-server", "--bind", "127.0.0.1", "--port", Integer.toString(port),
                "--dir", dir.toString(), "--save", "", "--appendonly", "no", "--protected-mode", "no",
                "--daemonize", "no")
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (!ping()) {
            if (!process.isAlive()) {
                throw new IllegalStateException("redis-server exited: " + Files.readString(log));
            }
            if (System.nanoTime() - deadline > 0) {
                kill();
                throw new IllegalStateException("redis-server did not answer PING: " + Files.readString(log));
            }
            Thread.sleep(20);
        }
    }

    /** One PING over a plain socket (RESP inline command). */
    private boolean ping() {
        try (Socket s = new Socket(java.net.InetAddress.getLoopbackAddress(), port)) {
            s.setSoTimeout(1000);
            s.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            byte[] buf = new byte[7];
            int n = s.getInputStream().read(buf);
            return n > 0 && new String(buf, 0, n, StandardCharsets.US_ASCII).startsWith("+PONG");
        } catch (IOException e) {
            return false;
        }
    }

    public int port() {
        return port;
    }

    /** {@code redis://127.0.0.1:PORT/0}. */
    public String url() {
        return "redis://127.0.0.1:" + port + "/0";
    }

    /** coturn's connection string for {@code turnadmin -N} / {@code turnserver --redis-userdb}. */
    public String coturnConnection() {
        return "ip=127.0.0.1 port=" + port + " dbname=0";
    }

    /** SIGKILL: the outage a crash causes. */
    public void kill() {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Starts again on the same port (empty: nothing is persisted). */
    public void restart() throws Exception {
        kill();
        launch();
    }

    @Override
    public void close() {
        kill();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the JVM is already exiting; the hook stops the server
        }
    }
}
