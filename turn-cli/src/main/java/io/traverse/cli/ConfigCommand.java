package io.traverse.cli;

import io.traverse.auth.RestSecrets;
import io.traverse.auth.UsersFile;
import io.traverse.config.ConfigException;
import io.traverse.config.ConfigLoader;
import io.traverse.config.ConfigProblem;
import io.traverse.config.TraverseConfig;
import io.traverse.stun.auth.CredentialException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code turn-cli config check FILE}: validates a Traverse configuration as the server would load it. */
@Command(name = "config",
        mixinStandardHelpOptions = true,
        usageHelpAutoWidth = true,
        description = "Work with Traverse configuration files.",
        subcommands = {ConfigCommand.Check.class, ImportCoturnCommand.class})
final class ConfigCommand extends CommandGroup {

    @Command(name = "check",
            mixinStandardHelpOptions = true,
            usageHelpAutoWidth = true,
            description = {
                "Check a configuration file as the server loads it: every problem is printed on its own line, "
                        + "naming its key (e.g. relay.port-range.min: must be between 1 and 65535, got 70000 "
                        + "(line 12)).",
                "Also reads the files it names (auth.users-file, auth.rest-secrets-file)."
            },
            footerHeading = "%n",
            footer = {
                "Example:",
                "  turn-cli config check /etc/traverse/traverse.yaml \\",
                "      --set server.realm=example.org",
                "",
                "Exit codes: 0 valid (prints OK), 1 problems found (each printed), 2 usage error."
            })
    static final class Check implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "FILE", description = "The YAML configuration file.")
        Path file;

        @Option(names = "--set", paramLabel = "KEY=VALUE",
                description = "Override a key as the server's --set does, e.g. --set relay.port-range.min=50000.")
        List<String> sets = new ArrayList<>();

        @Override
        public Integer call() throws CliException {
            Map<String, String> overrides = new LinkedHashMap<>();
            for (String set : sets) {
                int eq = set.indexOf('=');
                if (eq <= 0) {
                    throw CliException.usage("--set needs KEY=VALUE, got '" + set + "'");
                }
                overrides.put(set.substring(0, eq).trim(), set.substring(eq + 1).trim());
            }
            PrintWriter out = spec.commandLine().getOut();
            List<ConfigProblem> problems = new ArrayList<>();
            try {
                TraverseConfig config = ConfigLoader.load(file, overrides);
                checkFiles(config, problems);
            } catch (ConfigException e) {
                problems.addAll(e.problems());
            }
            if (problems.isEmpty()) {
                out.println("OK: " + file + " is valid");
                out.flush();
                return ExitCodes.OK;
            }
            for (ConfigProblem p : problems) {
                out.println(p);
            }
            out.flush();
            PrintWriter err = spec.commandLine().getErr();
            err.println("turn-cli: " + file + ": " + problems.size() + (problems.size() == 1 ? " problem" : " problems"));
            err.flush();
            return ExitCodes.FAILED;
        }

        /** The files the config names must load too, or the server will not start. */
        private static void checkFiles(TraverseConfig config, List<ConfigProblem> problems) {
            readable("tls.certificate", config.tls().certificate(), problems);
            readable("tls.private-key", config.tls().privateKey(), problems);
            if (config.auth().usersFile() != null) {
                try {
                    UsersFile.parse(config.auth().usersFile());
                } catch (CredentialException e) {
                    problems.add(new ConfigProblem("auth.users-file", e.getMessage()));
                }
            }
            if (config.auth().restSecretsFile() != null) {
                try {
                    RestSecrets.parse(config.auth().restSecretsFile(), java.time.Clock.systemUTC());
                } catch (CredentialException e) {
                    problems.add(new ConfigProblem("auth.rest-secrets-file", e.getMessage()));
                }
            }
        }

        private static void readable(String key, Path file, List<ConfigProblem> problems) {
            if (file != null && !java.nio.file.Files.isReadable(file)) {
                problems.add(new ConfigProblem(key, "cannot read " + file
                        + (java.nio.file.Files.exists(file) ? " (permission denied)" : " (no such file)")));
            }
        }
    }
}
