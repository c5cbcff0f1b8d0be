package io.traverse.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * turn-cli uses a small, deliberate part of turn-server (issue 11; listed in docs/architecture.md): the
 * configuration loader and its records, the user stores and the users file, REST credentials, and the cluster's
 * load reports. It reuses that code, never copies it, and reaches no further: a new import of a server type fails
 * here until it is added to the list on purpose (and to the docs). The client and STUN modules are not limited.
 */
class ServerApiTest {
    /** The turn-server types turn-cli may use. */
    static final Set<String> SERVER_API = Set.of(
            "io.traverse.config.ConfigLoader", "io.traverse.config.ConfigException", "io.traverse.config.ConfigProblem",
            "io.traverse.config.TraverseConfig", "io.traverse.config.AuthConfig", "io.traverse.config.ListenerConfig",
            "io.traverse.auth.UserStores", "io.traverse.auth.UserStore", "io.traverse.auth.UserEntry",
            "io.traverse.auth.StoreUnavailableException", "io.traverse.auth.UsersFile", "io.traverse.auth.RestSecrets",
            "io.traverse.auth.RestCredential", "io.traverse.auth.CredentialFileException",
            "io.traverse.cluster.LoadReports", "io.traverse.cluster.InstanceLoad",
            "io.traverse.cluster.ClusterUnavailableException",
            "io.traverse.net.IpAddresses", "io.traverse.turn.TransportProtocol");

    /** Packages of the other modules turn-cli builds on (traverse-stun, turn-client) and its own. */
    private static final List<String> OTHER_MODULES = List.of("io.traverse.stun.", "io.traverse.client.",
            "io.traverse.cli.");

    private static final Pattern IMPORT = Pattern.compile("^import\\s+(?:static\\s+)?(io\\.traverse\\.[\\w.]+);",
            Pattern.MULTILINE);
    /** A fully qualified use in code, e.g. {@code io.traverse.transport.Foo.bar()}. */
    private static final Pattern QUALIFIED = Pattern.compile("\\b(io\\.traverse\\.[a-z]+\\.[A-Z]\\w*)");

    @Test
    void turnCliUsesOnlyTheServersDeclaredApi() throws IOException {
        Path sources = Path.of("src/main/java/io/traverse/cli");
        assertTrue(Files.isDirectory(sources), "run from the turn-cli module: " + sources.toAbsolutePath());
        Set<String> used = new TreeSet<>();
        int files = 0;
        try (Stream<Path> all = Files.list(sources)) {
            for (Path file : all.filter(p -> p.toString().endsWith(".java")).toList()) {
                files++;
                String text = Files.readString(file);
                for (Pattern p : List.of(IMPORT, QUALIFIED)) {
                    Matcher m = p.matcher(text);
                    while (m.find()) {
                        String type = m.group(1);
                        if (OTHER_MODULES.stream().noneMatch(type::startsWith)) {
                            used.add(type.replaceAll("\\.[a-z]\\w*$", "") + " (" + file.getFileName() + ")");
                        }
                    }
                }
            }
        }
        assertTrue(files > 10, "found turn-cli's sources");
        Set<String> outside = new TreeSet<>();
        for (String use : used) {
            if (!SERVER_API.contains(use.substring(0, use.indexOf(' ')))) {
                outside.add(use);
            }
        }
        assertEquals(Set.of(), outside, "turn-cli reaches past turn-server's declared API; use the API or extend it "
                + "deliberately (ServerApiTest.SERVER_API and docs/architecture.md)");
    }
}
