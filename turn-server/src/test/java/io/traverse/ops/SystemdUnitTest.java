package io.traverse.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Checks systemd/traverse.service: the directives the server relies on, and {@code systemd-analyze verify}. */
class SystemdUnitTest {
    private static final Path UNIT = ScriptRunner.REPO.resolve("systemd/traverse.service");
    private static final String EXEC_START = "/opt/traverse/bin/traverse --config /etc/traverse/traverse.yaml";

    @TempDir
    Path dir;

    /** "Section.Key" → values in file order (comments and blank lines skipped). */
    private static Map<String, List<String>> directives() throws IOException {
        Map<String, List<String>> result = new LinkedHashMap<>();
        String section = "";
        for (String raw : Files.readAllLines(UNIT)) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
                continue;
            }
            if (line.startsWith("[") && line.endsWith("]")) {
                section = line.substring(1, line.length() - 1);
                continue;
            }
            int eq = line.indexOf('=');
            assertTrue(eq > 0, "not a directive: " + raw);
            result.computeIfAbsent(section + "." + line.substring(0, eq).strip(), k -> new ArrayList<>())
                    .add(line.substring(eq + 1).strip());
        }
        return result;
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', value = {
        "Service.Type|notify",
        "Service.NotifyAccess|main",
        "Service.ExecStart|" + EXEC_START,
        "Service.ExecReload|/bin/kill -HUP $MAINPID",
        "Service.WatchdogSec|30s",
        "Service.TimeoutStopSec|90s",
        "Service.Restart|on-failure",
        "Service.RestartSec|2s",
        "Service.User|traverse",
        "Service.Group|traverse",
        "Service.LimitNOFILE|1048576",
        "Service.NoNewPrivileges|yes",
        "Service.ProtectSystem|strict",
        "Service.ProtectHome|yes",
        "Service.PrivateTmp|yes",
        "Service.PrivateDevices|yes",
        "Service.ProtectKernelTunables|yes",
        "Service.ProtectKernelModules|yes",
        "Service.ProtectControlGroups|yes",
        "Service.LockPersonality|yes",
        "Service.RestrictAddressFamilies|AF_INET AF_INET6 AF_UNIX AF_NETLINK",
        "Service.AmbientCapabilities|CAP_NET_BIND_SERVICE",
        "Service.CapabilityBoundingSet|CAP_NET_BIND_SERVICE",
        "Service.ReadWritePaths|/etc/traverse",
        "Install.WantedBy|multi-user.target",
    })
    void hasDirective(String key, String value) throws IOException {
        assertEquals(List.of(value), directives().get(key), key);
    }

    @Test
    void doesNotDenyWriteExecuteMemory() throws IOException {
        // The JVM's JIT compiler maps W+X code pages; MemoryDenyWriteExecute=yes would kill it at start-up.
        assertFalse(directives().containsKey("Service.MemoryDenyWriteExecute"));
    }

    @Test
    void everyDirectiveIsCommented() throws IOException {
        List<String> lines = Files.readAllLines(UNIT);
        List<String> bare = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            boolean directive = !line.isEmpty() && !line.startsWith("#") && !line.startsWith("[");
            if (directive && (i == 0 || !lines.get(i - 1).strip().startsWith("#"))) {
                bare.add(line);
            }
        }
        assertEquals(List.of(), bare, "directives without a comment line above them");
    }

    /**
     * {@code systemd-analyze verify} parses the unit as systemd would and reports unknown or malformed
     * directives. It also insists that every Exec*= binary exists, and /opt/traverse/bin/traverse does not
     * exist on a build machine, so the copy it checks runs /bin/true instead (the rest is byte-identical;
     * the real ExecStart is asserted by {@link #hasDirective}).
     */
    @Test
    void systemdAnalyzeVerifyAcceptsTheUnit() throws Exception {
        Path copy = dir.resolve("traverse.service");
        String unit = Files.readString(UNIT);
        assertTrue(unit.contains("\nExecStart=" + EXEC_START + "\n"));
        Files.writeString(copy, unit.replace("\nExecStart=" + EXEC_START + "\n", "\nExecStart=/bin/true --config x\n"));
        ScriptRunner.Result result = verify(copy);
        assertEquals(0, result.exitCode(), result.output());
        assertEquals("", unitMessages(result), "systemd-analyze verify reported problems");
    }

    /** The check above can fail: a bad directive is reported. */
    @Test
    void systemdAnalyzeVerifyReportsAMistake() throws Exception {
        Path copy = dir.resolve("traverse.service");
        Files.writeString(copy, Files.readString(UNIT)
                .replace("ExecStart=" + EXEC_START, "ExecStart=/bin/true")
                .replace("NotifyAccess=main", "NotifyAcess=main"));
        assertTrue(unitMessages(verify(copy)).contains("NotifyAcess"));
    }

    private static ScriptRunner.Result verify(Path unit) throws Exception {
        Path analyze = ScriptRunner.onPath("systemd-analyze");
        assertNotNull(analyze, "systemd-analyze is not installed; it is in the Debian package 'systemd'"
                + " (apt-get install systemd) and this test needs it to check systemd/traverse.service");
        return ScriptRunner.run(Map.of("SYSTEMD_LOG_COLOR", "0"), analyze.toString(), "verify", unit.toString());
    }

    /** The lines of verify's output about our unit (it may also mention unrelated units of the host). */
    private static String unitMessages(ScriptRunner.Result result) {
        return result.output().lines().filter(l -> l.contains("traverse.service"))
                .collect(Collectors.joining("\n"));
    }
}
