package io.traverse.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Runs scripts/install.sh and scripts/uninstall.sh into a temporary DESTDIR with staged fake jars
 * ({@code TRAVERSE_SERVER_JAR_DIR}, {@code TRAVERSE_CLI_JAR_DIR}, {@code --no-build}: no Maven inside Maven)
 * and a configuration template of our own ({@code TRAVERSE_CONFIG_TEMPLATE}).
 */
class InstallScriptTest {
    private static final String TEMPLATE = String.join("\n",
            "# Traverse configuration",
            "listen:",
            "  - udp://0.0.0.0:3478",
            "auth:",
            "  realm: example.org",
            "  users-file: conf/users   # development path",
            "  # rest-secrets-file: conf/rest-secrets",
            "admin:",
            "  address: 127.0.0.1",
            "  port: 9641",
            "");

    @TempDir
    Path tmp;

    private Path dest;
    private Path serverJars;
    private Path cliJars;
    private Path template;

    @BeforeEach
    void stage() throws IOException {
        dest = tmp.resolve("dest");
        serverJars = Files.createDirectories(tmp.resolve("server/lib")).getParent();
        cliJars = Files.createDirectories(tmp.resolve("cli/lib")).getParent();
        Files.writeString(serverJars.resolve("traverse-server.jar"), "server v1");
        Files.writeString(serverJars.resolve("lib/netty-a.jar"), "netty a");
        Files.writeString(serverJars.resolve("lib/netty-b.jar"), "netty b");
        Files.writeString(cliJars.resolve("turn-cli.jar"), "cli v1");
        Files.writeString(cliJars.resolve("lib/picocli.jar"), "picocli");
        template = tmp.resolve("traverse.yaml");
        Files.writeString(template, TEMPLATE);
    }

    private Map<String, String> env() {
        Map<String, String> env = new HashMap<>();
        env.put("DESTDIR", dest.toString());
        env.put("TRAVERSE_SERVER_JAR_DIR", serverJars.toString());
        env.put("TRAVERSE_CLI_JAR_DIR", cliJars.toString());
        env.put("TRAVERSE_CONFIG_TEMPLATE", template.toString());
        return env;
    }

    private ScriptRunner.Result install() throws Exception {
        return ScriptRunner.run(env(), "bash", "scripts/install.sh", "--no-build");
    }

    private ScriptRunner.Result uninstall(String... options) throws Exception {
        String[] command = Stream.concat(Stream.of("bash", "scripts/uninstall.sh"), Stream.of(options))
                .toArray(String[]::new);
        return ScriptRunner.run(Map.of("DESTDIR", dest.toString()), command);
    }

    private Path installed(String absolutePath) {
        return dest.resolve(absolutePath.substring(1));
    }

    private String mode(String absolutePath) throws IOException {
        return PosixFilePermissions.toString(
                Files.getPosixFilePermissions(installed(absolutePath), LinkOption.NOFOLLOW_LINKS));
    }

    /** All regular files and symlinks under DESTDIR, relative, sorted. */
    private List<String> tree() throws IOException {
        try (Stream<Path> files = Files.walk(dest)) {
            return files.filter(p -> !Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS))
                    .map(p -> "/" + dest.relativize(p)).sorted().collect(Collectors.toList());
        }
    }

    @Test
    void installsTheLayout() throws Exception {
        install().assertSuccess();
        assertEquals(List.of(
                "/etc/sysctl.d/60-traverse.conf",
                "/etc/systemd/system/traverse.service",
                "/etc/traverse/rest-secrets",
                "/etc/traverse/traverse.yaml",
                "/etc/traverse/users",
                "/opt/traverse/bin/traverse",
                "/opt/traverse/bin/turn-cli",
                "/opt/traverse/lib/cli/lib/picocli.jar",
                "/opt/traverse/lib/cli/turn-cli.jar",
                "/opt/traverse/lib/server/jvm.options",
                "/opt/traverse/lib/server/lib/netty-a.jar",
                "/opt/traverse/lib/server/lib/netty-b.jar",
                "/opt/traverse/lib/server/traverse-server.jar",
                "/usr/local/bin/turn-cli"), tree());
        assertEquals("server v1", Files.readString(installed("/opt/traverse/lib/server/traverse-server.jar")));
        assertEquals("netty b", Files.readString(installed("/opt/traverse/lib/server/lib/netty-b.jar")));
        assertEquals("cli v1", Files.readString(installed("/opt/traverse/lib/cli/turn-cli.jar")));
        assertArrayEquals(Files.readAllBytes(ScriptRunner.REPO.resolve("systemd/traverse.service")),
                Files.readAllBytes(installed("/etc/systemd/system/traverse.service")));
        assertEquals("rw-r--r--", mode("/etc/systemd/system/traverse.service"));
        assertEquals("rwxr-x---", mode("/etc/traverse"));
        assertEquals("rw-r-----", mode("/etc/traverse/traverse.yaml"));
    }

    @Test
    void launchersExecTheInstalledJars() throws Exception {
        install().assertSuccess();
        assertEquals("rwxr-xr-x", mode("/opt/traverse/bin/traverse"));
        assertEquals("rwxr-xr-x", mode("/opt/traverse/bin/turn-cli"));
        String server = Files.readString(installed("/opt/traverse/bin/traverse"));
        assertTrue(server.startsWith("#!/bin/sh\n"), server);
        // exec, so that the JVM is systemd's main process (NotifyAccess=main).
        // The shipped flags from jvm.options first, so that JAVA_OPTS wins.
        assertTrue(server.contains("\nJAR=/opt/traverse/lib/server/traverse-server.jar\n"), server);
        assertTrue(server.contains("\nexec \"$JAVA\" -XX:+ExitOnOutOfMemoryError @/opt/traverse/lib/server/jvm.options"
                + " $CDS ${JAVA_OPTS:-} -jar \"$JAR\" \"$@\"\n"), server);
        assertArrayEquals(Files.readAllBytes(ScriptRunner.REPO.resolve("conf/jvm.options")),
                Files.readAllBytes(installed("/opt/traverse/lib/server/jvm.options")));
        String cli = Files.readString(installed("/opt/traverse/bin/turn-cli"));
        assertTrue(cli.contains("\nexec \"$JAVA\" ${TURN_CLI_JAVA_OPTS:-} -jar /opt/traverse/lib/cli/turn-cli.jar \"$@\"\n"),
                cli);
        Path link = installed("/usr/local/bin/turn-cli");
        assertTrue(Files.isSymbolicLink(link));
        assertEquals(Path.of("/opt/traverse/bin/turn-cli"), Files.readSymbolicLink(link));
        ScriptRunner.run(Map.of(), "sh", "-n", installed("/opt/traverse/bin/traverse").toString()).assertSuccess();
        ScriptRunner.run(Map.of(), "sh", "-n", installed("/opt/traverse/bin/turn-cli").toString()).assertSuccess();
    }

    @Test
    void serverLauncherRecordsAClassDataSharingArchiveInTheStateDirectoryOnlyForServerRuns() throws Exception {
        install().assertSuccess();
        Path javaHome = Files.createDirectories(tmp.resolve("jdk/bin")).getParent();
        Path fakeJava = javaHome.resolve("bin/java");
        Files.writeString(fakeJava, "#!/bin/sh\necho \"java $*\"\n");
        Files.setPosixFilePermissions(fakeJava, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path state = Files.createDirectories(tmp.resolve("state"));
        String launcher = installed("/opt/traverse/bin/traverse").toString();
        String archive = "-XX:ArchiveClassesAtExit=" + state.resolve("traverse-server.jsa");

        String serve = ScriptRunner.run(Map.of("JAVA_HOME", javaHome.toString(), "STATE_DIRECTORY", state.toString()),
                "sh", launcher, "--config", "/etc/traverse/traverse.yaml").assertSuccess().output();
        assertTrue(serve.contains(" " + archive + " "), serve);

        String version = ScriptRunner.run(Map.of("JAVA_HOME", javaHome.toString(), "STATE_DIRECTORY", state.toString()),
                "sh", launcher, "--version").assertSuccess().output();
        assertFalse(version.contains("-XX:ArchiveClassesAtExit") || version.contains("-XX:SharedArchiveFile"), version);

        String off = ScriptRunner.run(Map.of("JAVA_HOME", javaHome.toString(), "STATE_DIRECTORY", state.toString(),
                "TRAVERSE_CDS", "off"), "sh", launcher).assertSuccess().output();
        assertFalse(off.contains("-XX:ArchiveClassesAtExit"), off);

        String noState = ScriptRunner.run(Map.of("JAVA_HOME", javaHome.toString()), "sh", launcher)
                .assertSuccess().output();
        assertFalse(noState.contains("-XX:ArchiveClassesAtExit"), noState);
    }

    @Test
    void credentialsFilesArePrivateAndTheSecretIsRandom() throws Exception {
        install().assertSuccess();
        assertEquals("rw-------", mode("/etc/traverse/users"));
        assertEquals("rw-------", mode("/etc/traverse/rest-secrets"));
        assertEquals(0, Files.size(installed("/etc/traverse/users")));
        List<String> secretLines = Files.readAllLines(installed("/etc/traverse/rest-secrets"));
        assertEquals(1, secretLines.size(), "one secret per line");
        assertEquals(32, Base64.getDecoder().decode(secretLines.get(0)).length);
        Path other = tmp.resolve("other");
        Map<String, String> env = env();
        env.put("DESTDIR", other.toString());
        ScriptRunner.run(env, "bash", "scripts/install.sh", "--no-build").assertSuccess();
        assertNotEquals(secretLines, Files.readAllLines(other.resolve("etc/traverse/rest-secrets")));
    }

    @Test
    void configPointsAtTheInstalledCredentialFiles() throws Exception {
        install().assertSuccess();
        assertEquals(TEMPLATE
                        .replace("  users-file: conf/users   # development path",
                                "  users-file: /etc/traverse/users")
                        .replace("  # rest-secrets-file: conf/rest-secrets",
                                "  rest-secrets-file: /etc/traverse/rest-secrets"),
                Files.readString(installed("/etc/traverse/traverse.yaml")));
    }

    static Stream<Arguments> templates() {
        return Stream.of(
                Arguments.of("keys missing under auth (4-space indent)",
                        "auth:\n    realm: r\nadmin:\n    port: 9641\n",
                        "auth:\n    realm: r\n    users-file: /etc/traverse/users\n"
                                + "    rest-secrets-file: /etc/traverse/rest-secrets\nadmin:\n    port: 9641\n"),
                Arguments.of("auth last in the file",
                        "admin:\n  port: 9641\nauth:\n  rest-secrets-file: a\n  users-file: b\n",
                        "admin:\n  port: 9641\nauth:\n  rest-secrets-file: /etc/traverse/rest-secrets\n"
                                + "  users-file: /etc/traverse/users\n"),
                Arguments.of("no auth section",
                        "admin:\n  port: 9641\n",
                        "admin:\n  port: 9641\n\nauth:\n  users-file: /etc/traverse/users\n"
                                + "  rest-secrets-file: /etc/traverse/rest-secrets\n"),
                Arguments.of("same key name in another section untouched",
                        "other:\n  users-file: keep\nauth: # credentials\n  users-file: x\n"
                                + "  # users-file: example\n  rest-secrets-file: y\n",
                        "other:\n  users-file: keep\nauth: # credentials\n  users-file: /etc/traverse/users\n"
                                + "  rest-secrets-file: /etc/traverse/rest-secrets\n"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("templates")
    void rewritesTheAuthPaths(String name, String source, String expected) throws Exception {
        Files.writeString(template, source);
        install().assertSuccess();
        assertEquals(expected, Files.readString(installed("/etc/traverse/traverse.yaml")));
    }

    @Test
    void refusesAFlowStyleAuthMappingItCannotRewrite() throws Exception {
        Files.writeString(template, "auth: {realm: r}\n");
        ScriptRunner.Result result = install();
        assertNotEquals(0, result.exitCode());
        assertTrue(result.output().contains("'auth:' must be a block mapping"), result.output());
        assertFalse(Files.exists(installed("/etc/traverse/traverse.yaml")));
    }

    @Test
    void realConfigurationTemplateIsRewritable() throws Exception {
        Path real = ScriptRunner.REPO.resolve("conf/traverse.yaml");
        assumeTrue(Files.isRegularFile(real), "conf/traverse.yaml not in this tree yet");
        Files.copy(real, template, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        install().assertSuccess();
        String config = Files.readString(installed("/etc/traverse/traverse.yaml"));
        assertTrue(config.contains("\n  users-file: /etc/traverse/users\n"), config);
        assertTrue(config.contains("\n  rest-secrets-file: /etc/traverse/rest-secrets\n"), config);
    }

    @Test
    void secondRunChangesNothingAndKeepsConfigurationAndSecret() throws Exception {
        install().assertSuccess();
        String secret = Files.readString(installed("/etc/traverse/rest-secrets"));
        String config = Files.readString(installed("/etc/traverse/traverse.yaml"));
        Files.writeString(installed("/etc/traverse/users"), "alice:example.org:00:11\n");
        Files.writeString(template, "auth:\n  realm: changed\n");
        FileTime jarTime = Files.getLastModifiedTime(installed("/opt/traverse/lib/server/traverse-server.jar"));
        List<String> before = tree();

        ScriptRunner.Result second = install().assertSuccess();

        assertEquals(before, tree());
        assertEquals(secret, Files.readString(installed("/etc/traverse/rest-secrets")));
        assertEquals(config, Files.readString(installed("/etc/traverse/traverse.yaml")));
        assertEquals("alice:example.org:00:11\n", Files.readString(installed("/etc/traverse/users")));
        assertEquals(jarTime, Files.getLastModifiedTime(installed("/opt/traverse/lib/server/traverse-server.jar")));
        assertFalse(second.output().contains("installed"), second.output());
        assertFalse(second.output().contains("updated"), second.output());
        assertTrue(second.output().contains("kept existing /etc/traverse/rest-secrets"), second.output());
    }

    @Test
    void upgradeReplacesJarsAndDropsStaleLibraries() throws Exception {
        install().assertSuccess();
        Files.writeString(serverJars.resolve("traverse-server.jar"), "server v2");
        Files.delete(serverJars.resolve("lib/netty-a.jar"));
        Files.writeString(serverJars.resolve("lib/netty-c.jar"), "netty c");

        install().assertSuccess();

        assertEquals("server v2", Files.readString(installed("/opt/traverse/lib/server/traverse-server.jar")));
        assertFalse(Files.exists(installed("/opt/traverse/lib/server/lib/netty-a.jar")));
        assertEquals("netty c", Files.readString(installed("/opt/traverse/lib/server/lib/netty-c.jar")));
        assertTrue(Files.exists(installed("/opt/traverse/lib/server/lib/netty-b.jar")));
    }

    @Test
    void leavesAForeignTurnCliCommandAlone() throws Exception {
        Path foreign = installed("/usr/local/bin/turn-cli");
        Files.createDirectories(foreign.getParent());
        Files.writeString(foreign, "#!/bin/sh\necho someone else\n");
        ScriptRunner.Result result = install().assertSuccess();
        assertTrue(result.output().contains("exists and is not ours"), result.output());
        assertEquals("#!/bin/sh\necho someone else\n", Files.readString(foreign));
        uninstall().assertSuccess();
        assertTrue(Files.exists(foreign), "uninstall removed a file it did not install");
    }

    @Test
    void noBuildWithoutJarsFailsNamingTheJar() throws Exception {
        Files.delete(cliJars.resolve("turn-cli.jar"));
        ScriptRunner.Result result = install();
        assertNotEquals(0, result.exitCode());
        assertTrue(result.output().contains("missing " + cliJars.resolve("turn-cli.jar")), result.output());
        assertFalse(Files.exists(dest), "nothing is installed when a jar is missing");
    }

    @Test
    void rejectsUnknownOptions() throws Exception {
        ScriptRunner.Result result = ScriptRunner.run(env(), "bash", "scripts/install.sh", "--no-bulid");
        assertNotEquals(0, result.exitCode());
        assertTrue(result.output().contains("unknown option '--no-bulid'"), result.output());
    }

    @Test
    void uninstallRemovesTheProgramAndKeepsConfiguration() throws Exception {
        install().assertSuccess();
        String secret = Files.readString(installed("/etc/traverse/rest-secrets"));

        uninstall().assertSuccess();

        assertEquals(List.of("/etc/sysctl.d/60-traverse.conf", "/etc/traverse/rest-secrets",
                "/etc/traverse/traverse.yaml", "/etc/traverse/users"), tree());
        assertFalse(Files.exists(installed("/opt/traverse")));
        assertEquals(secret, Files.readString(installed("/etc/traverse/rest-secrets")));

        install().assertSuccess(); // reinstalling after uninstall keeps the old secret
        assertEquals(secret, Files.readString(installed("/etc/traverse/rest-secrets")));
    }

    @Test
    void uninstallPurgeRemovesConfigurationToo() throws Exception {
        install().assertSuccess();
        uninstall("--purge").assertSuccess();
        assertEquals(List.of(), tree());
        assertFalse(Files.exists(installed("/etc/traverse")));
    }

    @Test
    void uninstallKeepsWhatAnAdministratorAddedUnderOpt() throws Exception {
        install().assertSuccess();
        Files.writeString(installed("/opt/traverse/NOTES"), "mine");
        uninstall().assertSuccess();
        assertEquals("mine", Files.readString(installed("/opt/traverse/NOTES")));
        assertFalse(Files.exists(installed("/opt/traverse/lib")));
        assertFalse(Files.exists(installed("/opt/traverse/bin")));
    }
}
