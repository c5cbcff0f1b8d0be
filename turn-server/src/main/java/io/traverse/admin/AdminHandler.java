package io.traverse.admin;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.timeout.ReadTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers the admin endpoints on an aggregated HTTP/1.1 request: {@code GET /metrics} (Prometheus text
 * format 0.0.4), {@code GET /healthz} (alive), {@code GET /readyz} (ready to serve). HEAD is accepted
 * wherever GET is. With a {@link BearerToken}, every path except {@code /healthz} requires it (401
 * otherwise). Unknown path 404, other method 405, undecodable request 400 and the connection closes.
 * Stateless, so one instance serves every connection.
 */
@Sharable
final class AdminHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger LOG = LoggerFactory.getLogger(AdminHandler.class);

    static final String METRICS = "/metrics";
    static final String HEALTHZ = "/healthz";
    static final String READYZ = "/readyz";
    /** The Prometheus text exposition format, version 0.0.4. */
    static final String PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
    private static final String TEXT = "text/plain; charset=utf-8";
    private static final String JSON = "application/json";

    private final PrometheusMeterRegistry registry;
    private final BooleanSupplier ready;
    private final BearerToken token;
    /** The operator API under /admin/, or null when not offered. */
    private final AdminApi api;

    /**
     * @param token the required token, or {@code null} for none
     */
    private volatile java.util.function.Supplier<String> readinessDetail = () -> null;

    void readinessDetail(java.util.function.Supplier<String> detail) {
        this.readinessDetail = detail;
    }

    /** "ready" or "not ready", plus the readiness detail line when there is one. */
    private String readyText(String state) {
        String detail;
        try {
            detail = readinessDetail.get();
        } catch (RuntimeException e) {
            detail = null;
        }
        return detail == null ? state : state + "\n" + detail;
    }

    AdminHandler(PrometheusMeterRegistry registry, BooleanSupplier ready, BearerToken token) {
        this(registry, ready, token, null);
    }

    /**
     * @param api the operator API served under {@code /admin/}, or {@code null} for none
     */
    AdminHandler(PrometheusMeterRegistry registry, BooleanSupplier ready, BearerToken token, AdminApi api) {
        this.registry = registry;
        this.ready = ready;
        this.token = token;
        this.api = api;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        if (request.decoderResult().isFailure()) {
            send(ctx, request, HttpResponseStatus.BAD_REQUEST, TEXT, "bad request", true);
            return;
        }
        String path = path(request.uri());
        if (path == null) {
            send(ctx, request, HttpResponseStatus.BAD_REQUEST, TEXT, "bad request", true);
            return;
        }
        if (api != null && SelfTestPage.PATH.equals(path) && HttpMethod.GET.equals(request.method())) {
            // a static page without secrets: what it fetches (/admin/selftest/config) needs the token
            AdminApi.auditPage(request, String.valueOf(ctx.channel().remoteAddress()));
            FullHttpResponse page = response(request, HttpResponseStatus.OK, "text/html; charset=utf-8",
                    SelfTestPage.html());
            page.headers().set("Content-Security-Policy", SelfTestPage.CONTENT_SECURITY_POLICY);
            write(ctx, request, page, false);
            return;
        }
        // Liveness stays open so that a probe needs no secret; everything else is behind the token,
        // including the answer to whether a path exists.
        if (token != null && !HEALTHZ.equals(path)
                && !token.matches(request.headers().get(HttpHeaderNames.AUTHORIZATION))) {
            FullHttpResponse response = response(request, HttpResponseStatus.UNAUTHORIZED, TEXT, "unauthorized");
            response.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer realm=\"traverse-admin\"");
            write(ctx, request, response, false);
            return;
        }
        if (api != null && path.startsWith(AdminApi.PREFIX)) {
            api.handle(request, path, String.valueOf(ctx.channel().remoteAddress())).thenAccept(
                    answer -> send(ctx, request, answer.status(), JSON, answer.json(), false));
            return;
        }
        if (!METRICS.equals(path) && !HEALTHZ.equals(path) && !READYZ.equals(path)) {
            send(ctx, request, HttpResponseStatus.NOT_FOUND, TEXT, "not found", false);
            return;
        }
        HttpMethod method = request.method();
        if (!HttpMethod.GET.equals(method) && !HttpMethod.HEAD.equals(method)) {
            FullHttpResponse response = response(request, HttpResponseStatus.METHOD_NOT_ALLOWED, TEXT,
                    "method not allowed");
            response.headers().set(HttpHeaderNames.ALLOW, "GET, HEAD");
            write(ctx, request, response, false);
            return;
        }
        if (HEALTHZ.equals(path)) {
            send(ctx, request, HttpResponseStatus.OK, TEXT, "ok", false);
        } else if (READYZ.equals(path)) {
            if (isReady()) {
                send(ctx, request, HttpResponseStatus.OK, TEXT, readyText("ready"), false);
            } else {
                send(ctx, request, HttpResponseStatus.SERVICE_UNAVAILABLE, TEXT, readyText("not ready"), false);
            }
        } else {
            String body;
            try {
                body = registry.scrape();
            } catch (RuntimeException e) {
                LOG.warn("admin: scraping the metrics failed: {}", e.toString());
                send(ctx, request, HttpResponseStatus.INTERNAL_SERVER_ERROR, TEXT, "scrape failed", false);
                return;
            }
            send(ctx, request, HttpResponseStatus.OK, PROMETHEUS_CONTENT_TYPE, body, false);
        }
    }

    private boolean isReady() {
        try {
            return ready.getAsBoolean();
        } catch (RuntimeException e) {
            LOG.warn("admin: readiness check failed: {}", e.toString());
            return false;
        }
    }

    /**
     * The path of a request target without its query (RFC 9112 §3.2: origin form, or absolute form whose
     * scheme and authority are skipped), or {@code null} when the target is neither.
     */
    static String path(String uri) {
        if (uri == null) {
            return null;
        }
        int start = 0;
        if (uri.regionMatches(true, 0, "http://", 0, 7) || uri.regionMatches(true, 0, "https://", 0, 8)) {
            int slash = uri.indexOf('/', uri.indexOf("//") + 2);
            if (slash < 0) {
                return "/";
            }
            start = slash;
        }
        if (start >= uri.length() || uri.charAt(start) != '/') {
            return null;
        }
        int end = uri.length();
        for (int i = start; i < uri.length(); i++) {
            char c = uri.charAt(i);
            if (c == '?' || c == '#') {
                end = i;
                break;
            }
        }
        return uri.substring(start, end);
    }

    private static void send(ChannelHandlerContext ctx, FullHttpRequest request, HttpResponseStatus status,
            String contentType, String body, boolean close) {
        write(ctx, request, response(request, status, contentType, body), close);
    }

    private static FullHttpResponse response(FullHttpRequest request, HttpResponseStatus status, String contentType,
            String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        // A response to HEAD carries the headers GET would, without the body (RFC 9110 §9.3.2).
        ByteBuf content = HttpMethod.HEAD.equals(request.method())
                ? Unpooled.EMPTY_BUFFER
                : Unpooled.wrappedBuffer(bytes);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, content);
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, contentType)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length)
                .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE)
                .set("X-Content-Type-Options", "nosniff");
        return response;
    }

    private static void write(ChannelHandlerContext ctx, FullHttpRequest request, FullHttpResponse response,
            boolean close) {
        boolean keepAlive = !close && request.decoderResult().isSuccess() && HttpUtil.isKeepAlive(request);
        if (!keepAlive) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        } else if (!request.protocolVersion().isKeepAliveDefault()) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE); // HTTP/1.0 client
        }
        if (keepAlive) {
            ctx.writeAndFlush(response, ctx.voidPromise());
        } else {
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!(cause instanceof ReadTimeoutException)) {
            LOG.debug("admin connection {}: {}", ctx.channel().remoteAddress(), cause.toString());
        }
        ctx.close();
    }
}
