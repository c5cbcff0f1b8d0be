package io.traverse.it;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A private PostgreSQL server for one test class: {@code initdb} into a fresh temp directory, {@code postgres} on
 * 127.0.0.1 and a free port (its Unix socket in the same directory), password authentication for user {@value
 * #USER}, and a database {@value #DATABASE} with coturn's schema ({@code coturn-schema.sql}). Stopped by {@link
 * #close()} and on JVM exit.
 *
 * <p>PostgreSQL refuses to run as root. When the tests run as root (CI does), the server runs as the {@code
 * postgres} system user of the Debian package through {@code setpriv} (which execs, so the process the test holds
 * is the postmaster itself); its directory is then owned by that user. The binaries come from {@code
 * /usr/lib/postgresql/<newest>/bin}. Fails (does not skip) when PostgreSQL is missing: {@code scripts/test.sh}
 * installs it.
 */
public final class PostgresFixture implements AutoCloseable {
    public static final String USER = "turn";
    public static final String DATABASE = "coturn";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    private final Path dir;
    private final Path bin;
    private final int port;
    private final String password;
    private final List<String> runAs;
    private final Thread hook;
    private Process process;

    private PostgresFixture(Path dir, Path bin, int port, String password, List<String> runAs) {
        this.dir = dir;
        this.bin = bin;
        this.port = port;
        this.password = password;
        this.runAs = runAs;
        this.hook = new Thread(this::stop, "postgres-fixture-stop");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    public static PostgresFixture start() throws Exception {
        Path bin = binaries();
        boolean root = "root".equals(System.getProperty("user.name"));
        // Not under JUnit's @TempDir: that is root-only (0700) and the postgres user must reach its directory.
        Path dir = Files.createTempDirectory("traverse-pg-");
        List<String> runAs = new ArrayList<>();
        if (root) {
            run(List.of("chown", "postgres:postgres", dir.toString()));
            runAs.addAll(List.of("setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups", "--"));
        }
        String password = "pw-" + Long.toHexString(new java.security.SecureRandom().nextLong());
        PostgresFixture pg = new PostgresFixture(dir, bin, RedisFixture.freeTcpPort(), password, runAs);
        Path pwfile = dir.resolve("pwfile");
        Files.writeString(pwfile, password + "\n");
        if (root) {
            run(List.of("chown", "postgres:postgres", pwfile.toString()));
        }
        List<String> initdb = new ArrayList<>(runAs);
        initdb.addAll(List.of(bin.resolve("initdb").toString(), "-D", dir.resolve("data").toString(), "-U", USER,
                "--pwfile=" + pwfile, "-A", "scram-sha-256", "-E", "UTF8", "--no-sync"));
        run(initdb);
        pg.launch();
        pg.createDatabase();
        return pg;
    }

    private static Path binaries() {
        Path root = Path.of("/usr/lib/postgresql");
        if (Files.isDirectory(root)) {
            try (Stream<Path> versions = Files.list(root)) {
                Path newest = versions.filter(v -> Files.isExecutable(v.resolve("bin/initdb")))
                        .max(Comparator.comparingInt(v -> Integer.parseInt(v.getFileName().toString().replaceAll(
                                "\\D", "0")))).orElse(null);
                if (newest != null) {
                    return newest.resolve("bin");
                }
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
        return org.junit.jupiter.api.Assertions.fail("PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/"
                + "initdb): scripts/test.sh installs the Debian package postgresql");
    }

    private static void run(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
        }
    }

    private void launch() throws Exception {
        Path log = dir.resolve("postgres.log");
        List<String> command = new ArrayList<>(runAs);
        command.addAll(List.of(bin.resolve("postgres").toString(), "-D", dir.resolve("data").toString(),
                "-p", Integer.toString(port), "-k", dir.toString(), "-c", "listen_addresses=127.0.0.1",
                "-c", "fsync=off", "-c", "full_page_writes=off", "-c", "synchronous_commit=off"));
        process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (true) {
            try (Connection c = connect("postgres")) {
                return;
            } catch (SQLException e) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("postgres exited: " + Files.readString(log));
                }
                if (System.nanoTime() - deadline > 0) {
                    stop();
                    throw new IllegalStateException("postgres did not accept connections: " + Files.readString(log));
                }
                Thread.sleep(50);
            }
        }
    }

    private void createDatabase() throws Exception {
        try (Connection c = connect("postgres"); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + DATABASE);
        }
        String schema;
        try (InputStream in = PostgresFixture.class.getResourceAsStream("/coturn-schema.sql")) {
            schema = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        try (Connection c = connect(DATABASE); Statement s = c.createStatement()) {
            s.execute(schema);
        }
    }

    /** A JDBC connection to {@code database} as {@value #USER}. */
    public Connection connect(String database) throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/" + database, USER, password);
    }

    public int port() {
        return port;
    }

    public String password() {
        return password;
    }

    /** {@code postgres://turn@127.0.0.1:PORT/coturn}; the password goes in a password file. */
    public String url() {
        return "postgres://" + USER + "@127.0.0.1:" + port + "/" + DATABASE;
    }

    /** coturn's connection string for {@code turnadmin -e} / {@code turnserver --psql-userdb}. */
    public String coturnConnection() {
        return "host=127.0.0.1 port=" + port + " dbname=" + DATABASE + " user=" + USER + " password=" + password
                + " connect_timeout=10";
    }

    /** Immediate shutdown (SIGQUIT): like a crash, but the server's children go too, so it can start again. */
    public void stop() {
        if (process != null && process.isAlive()) {
            try {
                new ProcessBuilder("kill", "-QUIT", Long.toString(process.pid())).start().waitFor();
                if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor();
                }
            } catch (IOException e) {
                process.destroyForcibly();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Starts again on the same port and data (the database and its users are kept). */
    public void restart() throws Exception {
        stop();
        launch();
    }

    @Override
    public void close() {
        stop();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the JVM is already exiting; the hook stops the server
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // best effort: a temp directory
        }
    }
}
