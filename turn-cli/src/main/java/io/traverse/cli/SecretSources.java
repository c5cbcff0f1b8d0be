package io.traverse.cli;

import io.traverse.auth.CredentialFileException;
import io.traverse.auth.RestSecrets;
import io.traverse.config.AuthConfig;
import io.traverse.config.ConfigException;
import io.traverse.config.ConfigLoader;
import io.traverse.config.TraverseConfig;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;

/**
 * Where TURN REST API shared secrets come from (draft-uberti-behave-turn-rest-00): a secrets file (newest
 * first), an environment variable, or a Traverse config's {@code auth.rest-secrets-file} /
 * {@code auth.rest-secrets}. Messages never quote a secret.
 */
final class SecretSources {
    private SecretSources() {}

    static RestSecrets fromFile(Path file, Clock clock) throws CliException {
        RestSecrets secrets;
        try {
            secrets = RestSecrets.parse(file, clock);
        } catch (CredentialFileException e) {
            throw CliException.failed(e.getMessage());
        }
        if (secrets.size() == 0) {
            throw CliException.failed(file + " holds no secret");
        }
        return secrets;
    }

    static RestSecrets fromEnv(String variable, CliEnvironment env) throws CliException {
        String value = env.env().apply(variable);
        if (value == null || value.isBlank()) {
            throw CliException.failed("environment variable " + variable + " is not set or empty");
        }
        return RestSecrets.of(List.of(value.strip()), env.clock());
    }

    /**
     * The secrets a config file gives the server: {@code auth.rest-secrets-file} when set (its first line is
     * the newest), else the inline {@code auth.rest-secrets} (first is newest).
     */
    static RestSecrets fromConfig(TraverseConfig config, Path configFile, Clock clock) throws CliException {
        AuthConfig auth = config.auth();
        if (auth.restSecretsFile() != null) {
            return fromFile(auth.restSecretsFile(), clock);
        }
        if (!auth.restSecrets().isEmpty()) {
            return RestSecrets.of(auth.restSecrets(), clock);
        }
        throw CliException.failed(configFile + " configures no REST secret (auth.rest-secrets-file or "
                + "auth.rest-secrets)");
    }

    static TraverseConfig loadConfig(Path configFile) throws CliException {
        try {
            return ConfigLoader.load(configFile);
        } catch (ConfigException e) {
            throw CliException.failed(configFile + " is not a valid configuration: " + e.problems().get(0)
                    + (e.problems().size() > 1 ? " (and " + (e.problems().size() - 1) + " more; run 'turn-cli "
                    + "config check " + configFile + "')" : ""));
        }
    }
}
