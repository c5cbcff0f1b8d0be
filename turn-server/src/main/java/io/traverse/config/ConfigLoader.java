package io.traverse.config;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Loads a {@link TraverseConfig} from one YAML file, strictly: unknown keys, duplicate keys, wrong types,
 * bad values and host names where IP addresses belong all fail, and every problem found is reported
 * together in one {@link ConfigException}, each naming its full key.
 *
 * <p>Overrides ({@code relay.port-range.min=50000}, {@code listeners=udp://0.0.0.0:3478,tcp://[::]:3478})
 * replace values of the file before validation, so command-line flags win over the file. Relative paths in
 * the file are resolved against the file's directory; relative paths in overrides against the working
 * directory. No DNS lookups are ever made. See {@code docs/configuration.md}.
 */
public final class ConfigLoader {
    private ConfigLoader() {}

    /** Loads {@code file} without overrides. */
    public static TraverseConfig load(Path file) throws ConfigException {
        return load(file, Map.of());
    }

    /**
     * Loads {@code file} with {@code overrides} (dotted key to value) applied on top.
     *
     * @throws ConfigException listing every problem, including an unreadable file
     */
    public static TraverseConfig load(Path file, Map<String, String> overrides) throws ConfigException {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new ConfigException(List.of(new ConfigProblem("", "cannot read " + file + ": no such file")));
        } catch (CharacterCodingException e) {
            throw new ConfigException(List.of(new ConfigProblem("", "cannot read " + file + ": not valid UTF-8")));
        } catch (IOException e) {
            throw new ConfigException(List.of(new ConfigProblem("", "cannot read " + file + ": " + e)));
        }
        Path directory = file.toAbsolutePath().normalize().getParent();
        return parse(text, overrides, directory);
    }

    /**
     * Parses YAML text; relative paths resolve against the working directory. For tests and tools.
     */
    public static TraverseConfig parse(String yaml, Map<String, String> overrides) throws ConfigException {
        return parse(yaml, overrides, workingDirectory());
    }

    /**
     * Parses YAML text; relative paths in the text resolve against {@code baseDirectory}, relative paths in
     * overrides against the working directory.
     */
    public static TraverseConfig parse(String yaml, Map<String, String> overrides, Path baseDirectory)
            throws ConfigException {
        List<ConfigProblem> problems = new ArrayList<>();
        YamlNode.Mapping root = YamlReader.read(yaml, problems);
        if (root == null) {
            throw new ConfigException(problems);
        }
        Overrides.apply(root, overrides, problems);
        Binder binder = new Binder(problems, baseDirectory.toAbsolutePath().normalize(), workingDirectory());
        TraverseConfig config = new ConfigBinder(binder).bind(root);
        if (!problems.isEmpty() || config == null) {
            throw new ConfigException(problems.isEmpty()
                    ? List.of(new ConfigProblem("", "invalid configuration")) : problems);
        }
        return config;
    }

    private static Path workingDirectory() {
        return Path.of("").toAbsolutePath();
    }
}
