package io.traverse.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * conf/traverse.yaml and docs/configuration.md against the schema: the sample loads and equals the
 * defaults, and both mention every key the loader knows.
 */
public class SampleConfigTest {

    /** Finds {@code relative} in the working directory or a parent (tests run in turn-server/). */
    public static Path projectFile(String relative) {
        for (Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve(relative);
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        throw new AssertionError(relative + " not found above " + System.getProperty("user.dir"));
    }

    /** Every key path the loader asks for (list elements excluded). */
    static Set<String> schemaKeys() {
        List<ConfigProblem> problems = new ArrayList<>();
        Binder binder = new Binder(problems, Path.of("/"), Path.of("/"));
        new ConfigBinder(binder).bind(YamlReader.read("", problems));
        assertTrue(problems.isEmpty(), problems::toString);
        return new TreeSet<>(binder.askedKeys());
    }

    @Test
    void sampleConfigIsTheDefaults() throws Exception {
        TraverseConfig sample = ConfigLoader.load(projectFile("conf/traverse.yaml"));
        assertEquals(TraverseConfig.defaults(), sample);
        // The sample must not let anyone allocate: no users file, no REST secret.
        assertNull(sample.auth().usersFile());
        assertNull(sample.auth().restSecretsFile());
        assertTrue(sample.auth().restSecrets().isEmpty());
    }

    @Test
    void sampleConfigSpellsOutEveryKey() throws IOException {
        List<ConfigProblem> problems = new ArrayList<>();
        YamlNode.Mapping root = YamlReader.read(Files.readString(projectFile("conf/traverse.yaml")), problems);
        assertNotNull(root, problems::toString);
        Set<String> keys = new TreeSet<>();
        collect("", root, keys);
        assertEquals(schemaKeys(), keys);
    }

    @Test
    void sampleConfigCommentsEveryKey() throws IOException {
        List<String> lines = Files.readAllLines(projectFile("conf/traverse.yaml"));
        for (int i = 0; i < lines.size(); i++) {
            if (!lines.get(i).matches("\\s*[a-z-]+:.*")) {
                continue;
            }
            int above = i - 1;
            while (above >= 0 && lines.get(above).isBlank()) {
                above--;
            }
            assertTrue(above >= 0 && lines.get(above).strip().startsWith("#"),
                    "no comment right above line " + (i + 1) + ": " + lines.get(i));
        }
    }

    @Test
    void documentationMentionsEveryKey() throws IOException {
        String doc = Files.readString(projectFile("docs/configuration.md"));
        Set<String> missing = new LinkedHashSet<>();
        for (String key : schemaKeys()) {
            if (!doc.contains("`" + key + "`")) {
                missing.add(key);
            }
        }
        assertTrue(missing.isEmpty(), "docs/configuration.md lacks `key` entries for " + missing);
    }

    @Test
    void documentedErrorExamplesAreReal() throws Exception {
        String doc = Files.readString(projectFile("docs/configuration.md"));
        ConfigException e = ConfigAssertions.fails("relay:\n  port-range:\n    min: 70000\n");
        assertTrue(doc.contains(e.getMessage()), "docs should show: " + e.getMessage());
        ConfigException o = ConfigAssertions.fails("", Map.of("relay.port-rang.min", "50000"));
        assertTrue(doc.contains(o.getMessage()), "docs should show: " + o.getMessage());

        // The "several mistakes" example: the YAML block and the output block after it.
        int example = doc.indexOf("A file with several mistakes");
        int yamlStart = doc.indexOf("```yaml\n", example) + "```yaml\n".length();
        int yamlEnd = doc.indexOf("```", yamlStart);
        int outStart = doc.indexOf("```\n", yamlEnd + 3) + "```\n".length();
        int outEnd = doc.indexOf("```", outStart);
        assertTrue(example > 0 && yamlStart > example && outStart > yamlEnd, "example not found");
        ConfigException several = ConfigAssertions.fails(doc.substring(yamlStart, yamlEnd));
        assertEquals(doc.substring(outStart, outEnd).strip(), several.getMessage());
    }

    private static void collect(String path, YamlNode.Mapping m, Set<String> keys) {
        for (Map.Entry<String, YamlNode.Mapping.Entry> e : m.entries().entrySet()) {
            String key = Keys.join(path, e.getKey());
            keys.add(key);
            if (e.getValue().value() instanceof YamlNode.Mapping) {
                collect(key, (YamlNode.Mapping) e.getValue().value(), keys);
            }
        }
    }
}
