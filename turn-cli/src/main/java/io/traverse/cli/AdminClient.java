package io.traverse.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Option;

/**
 * The Traverse admin endpoint as the operator commands ({@code sessions}, {@code disconnect}, {@code status},
 * {@code reload}) reach it: {@code --admin URL} (default the server's own default, http://127.0.0.1:9641), the
 * bearer token from {@code --token-file} or the {@value #TOKEN_ENV} variable. A picocli mixin.
 */
final class AdminClient {
    static final String DEFAULT_URL = "http://127.0.0.1:9641";
    static final String TOKEN_ENV = "TRAVERSE_ADMIN_TOKEN";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    /**
     * One client for the process: its connection is reused from call to call. A client per call would leave an
     * idle keep-alive connection behind each time, and the admin endpoint caps connections per IP
     * ({@code admin.max-connections-per-ip}).
     */
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();

    @Option(names = "--admin", paramLabel = "URL", defaultValue = DEFAULT_URL,
            description = "The admin endpoint (default: ${DEFAULT-VALUE}).")
    String url;

    @Option(names = "--token-file", paramLabel = "FILE",
            description = "File holding the admin bearer token (else the " + TOKEN_ENV + " variable, else none).")
    Path tokenFile;

    /** Sends a request; the JSON answer of a 2xx, else a {@link CliException} with the server's error. */
    JsonNode call(CliEnvironment env, String method, String pathAndQuery) throws CliException {
        URI uri;
        try {
            uri = URI.create(url.replaceAll("/+$", "") + pathAndQuery);
        } catch (IllegalArgumentException e) {
            throw CliException.usage("--admin: not a URL: " + url);
        }
        if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
            throw CliException.usage("--admin: needs an http:// or https:// URL, got " + url);
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(TIMEOUT)
                .method(method, HttpRequest.BodyPublishers.noBody());
        String token = token(env);
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> response;
        try {
            response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw CliException.failed("admin endpoint " + url + ": " + describe(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw CliException.failed("interrupted");
        }
        if (response.statusCode() == 401) {
            throw CliException.failed("admin endpoint " + url + ": unauthorized (give --token-file or " + TOKEN_ENV
                    + ")");
        }
        JsonNode body;
        try {
            body = JSON.readTree(response.body());
        } catch (IOException e) {
            throw CliException.failed("admin endpoint " + url + ": HTTP " + response.statusCode()
                    + ", not a JSON answer (is this the Traverse admin endpoint?)");
        }
        if (response.statusCode() / 100 != 2 && !(body != null && body.has("applied"))) {
            String error = body != null && body.hasNonNull("error") ? body.get("error").asText() : "no detail";
            throw CliException.failed("admin endpoint: HTTP " + response.statusCode() + ": " + error);
        }
        return body;
    }

    private String token(CliEnvironment env) throws CliException {
        if (tokenFile != null) {
            try {
                String token = Files.readString(tokenFile, StandardCharsets.UTF_8).trim();
                if (token.isEmpty()) {
                    throw CliException.usage("--token-file " + tokenFile + " is empty");
                }
                return token;
            } catch (IOException e) {
                throw CliException.usage("--token-file " + tokenFile + ": cannot read it ("
                        + e.getClass().getSimpleName() + ")");
            }
        }
        String token = env.env().apply(TOKEN_ENV);
        return token == null || token.isBlank() ? null : token.trim();
    }

    static String query(String name, String value) {
        return name + "=" + URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private static String describe(IOException e) {
        String message = e.getMessage();
        return e.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }
}
