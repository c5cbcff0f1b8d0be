package io.traverse.config;

import java.util.List;
import java.util.stream.Collectors;

/**
 * The configuration could not be loaded. Carries every problem found, not only the first, so that
 * {@code turn-cli config check} can print them all; {@link #getMessage()} is one problem per line, each
 * naming its full key (see {@link ConfigProblem#toString()}).
 */
public final class ConfigException extends Exception {
    private static final long serialVersionUID = 1L;

    private final transient List<ConfigProblem> problems;

    /** @param problems at least one problem */
    public ConfigException(List<ConfigProblem> problems) {
        super(format(problems));
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("a ConfigException needs at least one problem");
        }
        this.problems = List.copyOf(problems);
    }

    /** All problems, in the order they were found. */
    public List<ConfigProblem> problems() {
        return problems;
    }

    private static String format(List<ConfigProblem> problems) {
        return problems.stream().map(ConfigProblem::toString).collect(Collectors.joining("\n"));
    }
}
