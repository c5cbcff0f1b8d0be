package io.traverse.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.traverse.auth.RestCredential;
import io.traverse.auth.RestSecrets;
import io.traverse.config.ListenerConfig;
import io.traverse.config.TraverseConfig;
import io.traverse.stun.auth.CredentialException;
import io.traverse.turn.TransportProtocol;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code turn-cli credentials}: mints a time-limited credential with a TURN REST API shared secret
 * (draft-uberti-behave-turn-rest-00, as coturn's {@code use-auth-secret}): username {@code expiry[:user]},
 * credential {@code base64(HMAC-SHA1(secret, username))}. Prints an RTCIceServer array by default.
 */
@Command(name = "credentials",
        mixinStandardHelpOptions = true,
        usageHelpAutoWidth = true,
        sortOptions = false,
        description = {
            "Mint a time-limited TURN credential with a REST API shared secret.",
            "username = <unix-expiry>[:<user>], credential = base64(HMAC-SHA1(secret, username)).",
            "The default output is a WebRTC RTCIceServer array, ready for RTCPeerConnection's iceServers."
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  turn-cli credentials --secret-file /etc/traverse/rest-secrets \\",
            "      --user alice --ttl 12h \\",
            "      --url 'turn:turn.example.org:3478?transport=udp' \\",
            "      --url 'turns:turn.example.org:5349?transport=tcp'",
            "  turn-cli credentials --config /etc/traverse/traverse.yaml \\",
            "      --host turn.example.org --format env",
            "",
            "Exit codes: 0 printed, 1 no usable secret or config, 2 usage error."
        })
final class CredentialsCommand implements Callable<Integer> {
    /** Output formats. */
    enum Format { json, plain, env }

    @Spec
    CommandSpec spec;

    @ArgGroup(exclusive = true, multiplicity = "0..1", heading = "Shared secret (one of; or --config):%n")
    SecretOptions secret;

    static final class SecretOptions {
        @Option(names = "--secret-file", paramLabel = "FILE",
                description = "Secrets file, one per line, newest first (the first signs).")
        Path file;

        @Option(names = "--secret-env", paramLabel = "VAR", description = "Environment variable holding the secret.")
        String env;

        @Option(names = "--secret", paramLabel = "SECRET",
                description = "The secret itself; needs --insecure-secret-arg (visible in the process list).")
        String inline;
    }

    @Option(names = "--insecure-secret-arg", description = "Allow --secret despite the exposure (prints a warning).")
    boolean insecureSecretArg;

    @Option(names = "--config", paramLabel = "FILE",
            description = "Traverse config: its auth.rest-secrets-file / auth.rest-secrets give the secret (when no "
                    + "other source is given) and its listeners the URLs (when no --url is given).")
    Path config;

    @Option(names = "--user", paramLabel = "ID", description = "User id appended to the username (optional).")
    String user;

    @Option(names = "--ttl", paramLabel = "DURATION", defaultValue = "24h", converter = TtlConverter.class,
            description = "Lifetime: seconds or 30m, 12h, 1d (default: ${DEFAULT-VALUE}).")
    Duration ttl;

    @Option(names = "--realm", paramLabel = "REALM",
            description = "Realm, shown in plain/env output for reference (the credential does not depend on it).")
    String realm;

    @Option(names = "--url", paramLabel = "URL", split = ",",
            description = "TURN/STUN URL for the output, repeatable, e.g. turn:turn.example.org:3478?transport=udp.")
    List<String> urls = new ArrayList<>();

    @Option(names = "--host", paramLabel = "HOST",
            description = "Public host name for URLs derived from --config listeners (which often bind 0.0.0.0).")
    String host;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "json",
            description = "json (RTCIceServer array), plain or env (default: ${DEFAULT-VALUE}).")
    Format format;

    @Override
    public Integer call() throws Exception {
        CliEnvironment env = TurnCli.environment(spec);
        TraverseConfig loaded = config == null ? null : SecretSources.loadConfig(config);
        RestSecrets secrets = secrets(env, loaded);
        List<String> urlList = urls(loaded);
        if (format == Format.json && urlList.isEmpty()) {
            throw CliException.usage("an RTCIceServer needs urls: give --url or --config");
        }
        RestCredential credential;
        try {
            credential = secrets.sign(user, ttl);
        } catch (CredentialException e) {
            throw CliException.failed(e.getMessage());
        }
        PrintWriter out = spec.commandLine().getOut();
        switch (format) {
            case plain: printPlain(out, credential, urlList); break;
            case env: printEnv(out, credential, urlList); break;
            default: printJson(out, credential, urlList); break;
        }
        out.flush();
        return ExitCodes.OK;
    }

    private RestSecrets secrets(CliEnvironment env, TraverseConfig loaded) throws CliException {
        if (secret != null && secret.file != null) {
            return SecretSources.fromFile(secret.file, env.clock());
        }
        if (secret != null && secret.env != null) {
            return SecretSources.fromEnv(secret.env, env);
        }
        if (secret != null && secret.inline != null) {
            if (!insecureSecretArg) {
                throw CliException.usage("--secret exposes the secret in the process list and shell history; use "
                        + "--secret-file or --secret-env, or add --insecure-secret-arg");
            }
            TurnCli.warn(spec, "--secret exposes the secret in the process list and shell history");
            return RestSecrets.of(List.of(secret.inline), env.clock());
        }
        if (loaded != null) {
            return SecretSources.fromConfig(loaded, config, env.clock());
        }
        throw CliException.usage("no shared secret: give --secret-file, --secret-env or --config");
    }

    private List<String> urls(TraverseConfig loaded) throws CliException {
        Set<String> out = new LinkedHashSet<>();
        if (!urls.isEmpty()) {
            for (String u : urls) {
                try {
                    TurnUrl.parse(u);
                } catch (IllegalArgumentException e) {
                    throw CliException.usage(e.getMessage());
                }
                out.add(u.trim());
            }
            if (host != null) {
                TurnCli.warn(spec, "--host is ignored: the URLs come from --url");
            }
            return new ArrayList<>(out);
        }
        if (loaded == null) {
            if (host != null) {
                throw CliException.usage("--host needs --config (it names the host of URLs derived from listeners)");
            }
            return List.of();
        }
        for (ListenerConfig listener : loaded.listeners()) {
            if (listener.protocol() == TransportProtocol.DTLS) {
                continue; // no URL form browsers accept for TURN over DTLS
            }
            String h = host != null ? bracketed(host) : listenerHost(listener);
            switch (listener.protocol()) {
                case UDP: out.add("turn:" + h + ":" + listener.port() + "?transport=udp"); break;
                case TCP: out.add("turn:" + h + ":" + listener.port() + "?transport=tcp"); break;
                default: out.add("turns:" + h + ":" + listener.port() + "?transport=tcp"); break;
            }
        }
        return new ArrayList<>(out);
    }

    private String listenerHost(ListenerConfig listener) throws CliException {
        if (listener.address().isAnyLocalAddress()) {
            throw CliException.usage("listener " + listener.uri() + " binds a wildcard address: give --host with "
                    + "the name clients use");
        }
        // The listener's URI form has the compact literal, IPv6 in brackets: tcp://[2001:db8::5]:3478.
        String uri = listener.uri();
        return uri.substring(uri.indexOf("://") + 3, uri.lastIndexOf(':'));
    }

    private static String bracketed(String h) {
        return h.indexOf(':') >= 0 && !h.startsWith("[") ? "[" + h + "]" : h;
    }

    private static void printJson(PrintWriter out, RestCredential c, List<String> urls) throws Exception {
        Map<String, Object> server = new LinkedHashMap<>();
        server.put("urls", urls);
        server.put("username", c.username());
        server.put("credential", c.password());
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        out.println(mapper.writeValueAsString(List.of(server)));
    }

    private void printPlain(PrintWriter out, RestCredential c, List<String> urls) {
        out.println("username:   " + c.username());
        out.println("credential: " + c.password());
        out.println("expires:    " + Instant.ofEpochSecond(c.expiresAtEpochSecond()) + " (in " + TtlConverter.format(ttl)
                + ")");
        if (realm != null) {
            out.println("realm:      " + realm);
        }
        for (String u : urls) {
            out.println("url:        " + u);
        }
    }

    private void printEnv(PrintWriter out, RestCredential c, List<String> urls) {
        out.println("TURN_USERNAME=" + shellQuote(c.username()));
        out.println("TURN_CREDENTIAL=" + shellQuote(c.password()));
        out.println("TURN_EXPIRES=" + c.expiresAtEpochSecond());
        if (!urls.isEmpty()) {
            out.println("TURN_URLS=" + shellQuote(String.join(",", urls)));
        }
        if (realm != null) {
            out.println("TURN_REALM=" + shellQuote(realm));
        }
    }

    /** POSIX shell single quotes; an embedded quote becomes '\''. */
    static String shellQuote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }
}
