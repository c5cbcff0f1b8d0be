package io.traverse.config;

import java.util.List;
import java.util.stream.Collectors;

/**
 * Thrown by the compact constructors of the configuration records when values are invalid. Keys in its
 * problems are relative to the record that threw (e.g. {@code min} for {@link PortRange});
 * {@link ConfigLoader} prefixes them with the record's position in the file and reports them through a
 * checked {@link ConfigException}.
 */
final class InvalidConfigException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final transient List<ConfigProblem> problems;

    InvalidConfigException(List<ConfigProblem> problems) {
        super(problems.stream().map(ConfigProblem::toString).collect(Collectors.joining("\n")));
        this.problems = List.copyOf(problems);
    }

    /** The problems joined into one line, {@code key message; key message}, for string-form parsers. */
    String oneLine() {
        return problems.stream().map(p -> p.key() + " " + p.message()).collect(Collectors.joining("; "));
    }

    /** The problems, keys relative to the record that threw. */
    public List<ConfigProblem> problems() {
        return problems;
    }
}
