package io.traverse.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.traverse.net.IpAddresses;
import io.traverse.server.Sessions;
import io.traverse.server.TraverseServer;
import java.net.InetAddress;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator API under {@value #PREFIX} (JSON; docs/operations.md):
 * <ul>
 *   <li>{@code GET /admin/sessions?user=U&client=IP&offset=N&limit=N}: a page of allocations (default 100, at
 *       most {@link Sessions#MAX_PAGE}) in id order, and the total matching;</li>
 *   <li>{@code DELETE /admin/sessions/ID}: ends one allocation; {@code DELETE /admin/sessions?user=U} (or
 *       {@code client=IP}): ends all of a user's or client's;</li>
 *   <li>{@code GET /admin/status}: version, uptime, listeners, draining, counts, reload generation;</li>
 *   <li>{@code POST /admin/reload}: the same as SIGHUP.</li>
 * </ul>
 * The caller ({@link AdminHandler}) has already checked the bearer token. Every call is written to the audit
 * log ({@code io.traverse.admin.audit}): who, what, the answer. Answers come back as futures, since the
 * allocations are read on their own event loops.
 */
public final class AdminApi {
    static final String PREFIX = "/admin/";
    static final String SESSIONS = "/admin/sessions";
    static final String STATUS = "/admin/status";
    static final String RELOAD = "/admin/reload";
    static final int DEFAULT_PAGE = 100;
    /** How long the event loops get to answer. */
    static final Duration LOOP_DEADLINE = Duration.ofSeconds(5);

    private static final Logger AUDIT = LoggerFactory.getLogger("io.traverse.admin.audit");

    /**
     * Jackson's data binding, created on the first API call: its static set-up (date formats, locale data) costs
     * about 50 ms of start-up, and most servers never get an API call.
     */
    private static final class Json {
        static final ObjectMapper MAPPER = new ObjectMapper();
    }

    /** A reload as SIGHUP does it. */
    public interface Reloader {
        /** Reloads; false when the new configuration was refused (the running one stays). */
        boolean reload();

        /** How many reloads succeeded since the start. */
        long generation();
    }

    /** An answer: status and JSON body. */
    record Answer(HttpResponseStatus status, String json) {}

    private final TraverseServer server;
    private final String version;
    private final Reloader reloader;

    public AdminApi(TraverseServer server, String version, Reloader reloader) {
        this.server = server;
        this.version = version;
        this.reloader = reloader;
    }

    /** Writes the self-test page access to the audit log (the page itself holds no secret). */
    static void auditPage(FullHttpRequest request, String remote) {
        AUDIT.info("admin {} {} {} -> 200", remote, request.method(), request.uri());
    }

    /** Answers a request whose path starts with {@value #PREFIX}; audits it when the answer is ready. */
    CompletableFuture<Answer> handle(FullHttpRequest request, String path, String remote) {
        CompletableFuture<Answer> answer;
        try {
            answer = route(request, path).orTimeout(LOOP_DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (IllegalArgumentException e) {
            answer = CompletableFuture.completedFuture(error(HttpResponseStatus.BAD_REQUEST, e.getMessage()));
        }
        return answer.exceptionally(AdminApi::failure).thenApply(a -> {
            AUDIT.info("admin {} {} {} -> {}", remote, request.method(), request.uri(), a.status().code());
            return a;
        });
    }

    private CompletableFuture<Answer> route(FullHttpRequest request, String path) {
        HttpMethod method = request.method();
        QueryStringDecoder query = new QueryStringDecoder(request.uri());
        if (SESSIONS.equals(path)) {
            Sessions.Filter filter = filter(query);
            if (HttpMethod.GET.equals(method)) {
                int offset = intParam(query, "offset", 0);
                int limit = intParam(query, "limit", DEFAULT_PAGE);
                return server.sessions().list(filter, offset, limit).thenApply(p -> ok(p));
            }
            if (HttpMethod.DELETE.equals(method)) {
                if (filter.user() == null && filter.clientIp() == null) {
                    throw new IllegalArgumentException("say which sessions to end: user=U or client=IP");
                }
                return server.sessions().end(filter, -1).thenApply(n -> ended(n, true));
            }
            return done(notAllowed());
        }
        if (path.startsWith(SESSIONS + "/")) {
            long id = parseLong(path.substring(SESSIONS.length() + 1), "session id");
            if (HttpMethod.DELETE.equals(method)) {
                return server.sessions().end(Sessions.Filter.ALL, id).thenApply(n -> ended(n, false));
            }
            return done(notAllowed());
        }
        if (SelfTestPage.CONFIG_PATH.equals(path)) {
            String host = request.headers().get(io.netty.handler.codec.http.HttpHeaderNames.HOST, "127.0.0.1");
            host = host.startsWith("[") ? host.substring(0, host.indexOf(']') + 1)
                    : host.indexOf(':') >= 0 ? host.substring(0, host.indexOf(':')) : host;
            return HttpMethod.GET.equals(method) ? done(ok(SelfTestPage.config(server, host))) : done(notAllowed());
        }
        if (STATUS.equals(path)) {
            return HttpMethod.GET.equals(method) ? done(ok(status())) : done(notAllowed());
        }
        if (RELOAD.equals(path)) {
            if (!HttpMethod.POST.equals(method)) {
                return done(notAllowed());
            }
            // off the admin thread: a reload reads files
            return CompletableFuture.supplyAsync(() -> {
                boolean applied = reloader.reload();
                Map<String, Object> body = new LinkedHashMap<>();
                body.put("applied", applied);
                body.put("generation", reloader.generation());
                return applied ? ok(body) : new Answer(HttpResponseStatus.UNPROCESSABLE_ENTITY, json(body));
            });
        }
        return done(error(HttpResponseStatus.NOT_FOUND, "no such admin path: " + path));
    }

    private Map<String, Object> status() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("version", version);
        body.put("uptimeSeconds", (System.currentTimeMillis() - server.startedAtMillis()) / 1000);
        body.put("listeners", server.listeners().stream()
                .map(l -> l.protocol().configName() + "://" + TraverseServer.format(l.address()))
                .toList());
        body.put("draining", server.isDraining());
        body.put("ready", server.isReady());
        body.put("allocations", server.allocations().registered());
        body.put("users", server.allocations().activeUsers());
        body.put("maxAllocations", server.allocations().maxAllocations());
        body.put("reloadGeneration", reloader.generation());
        return body;
    }

    private static Sessions.Filter filter(QueryStringDecoder query) {
        String user = param(query, "user");
        String client = param(query, "client");
        InetAddress ip = null;
        if (client != null) {
            try {
                ip = IpAddresses.parse(client);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("client: not an IP address: " + client);
            }
        }
        return new Sessions.Filter(user, ip);
    }

    private static String param(QueryStringDecoder query, String name) {
        List<String> values = query.parameters().get(name);
        if (values == null || values.isEmpty()) {
            return null;
        }
        if (values.size() > 1) {
            throw new IllegalArgumentException(name + " given more than once");
        }
        return values.get(0);
    }

    private static int intParam(QueryStringDecoder query, String name, int fallback) {
        String value = param(query, name);
        if (value == null) {
            return fallback;
        }
        long n = parseLong(value, name);
        if (n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(name + " too large: " + value);
        }
        return (int) n;
    }

    private static long parseLong(String value, String name) {
        if (value.isEmpty() || value.length() > 18 || !value.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException(name + ": not a number: " + value);
        }
        return Long.parseLong(value);
    }

    private static Answer ended(int n, boolean many) {
        if (n == 0 && !many) {
            return error(HttpResponseStatus.NOT_FOUND, "no such session");
        }
        return ok(Map.of("ended", n));
    }

    private static CompletableFuture<Answer> done(Answer answer) {
        return CompletableFuture.completedFuture(answer);
    }

    private static Answer notAllowed() {
        return error(HttpResponseStatus.METHOD_NOT_ALLOWED, "method not allowed");
    }

    private static Answer failure(Throwable t) {
        Throwable cause = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
        if (cause instanceof IllegalArgumentException) {
            return error(HttpResponseStatus.BAD_REQUEST, cause.getMessage());
        }
        if (cause instanceof TimeoutException) {
            return error(HttpResponseStatus.SERVICE_UNAVAILABLE, "the event loops did not answer in time");
        }
        LoggerFactory.getLogger(AdminApi.class).warn("admin API: {}", cause.toString());
        return error(HttpResponseStatus.INTERNAL_SERVER_ERROR, "internal error");
    }

    private static Answer ok(Object body) {
        return new Answer(HttpResponseStatus.OK, json(body));
    }

    private static Answer error(HttpResponseStatus status, String message) {
        return new Answer(status, json(Map.of("error", message)));
    }

    private static String json(Object body) {
        try {
            return Json.MAPPER.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON: " + e.getMessage(), e);
        }
    }
}
