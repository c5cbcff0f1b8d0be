package io.traverse.ops;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.LayoutBase;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;

/**
 * One log event as one line of JSON (RFC 8259; "JSON Lines"):
 * <pre>{"timestamp":"2025-01-31T12:00:00.123Z","level":"INFO","thread":"main","logger":"io.traverse.Foo",
 * "message":"formatted text","exception":"java.io.IOException: ...\n\tat ...","mdc":{"k":"v"}}</pre>
 * {@code exception} and {@code mdc} appear only when the event has them. Line breaks inside values are
 * escaped, so every event is exactly one line however many lines its message or stack trace has.
 *
 * <p>Why not Logback's own {@code JsonEncoder}: it writes the message <em>template</em> ({@code "x={}"})
 * with a separate argument array unless told otherwise, names the fields {@code loggerName} and
 * {@code threadName}, writes the timestamp as epoch milliseconds and adds a {@code context} object to every
 * line; log collectors want a formatted message and an ISO-8601 time.
 *
 * <p>Thread-safe: Logback may call {@link #doLayout} from several threads at once.
 */
public final class JsonLineLayout extends LayoutBase<ILoggingEvent> {
    private static final DateTimeFormatter TIMESTAMP =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSX").withZone(ZoneOffset.UTC);
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    @Override
    public String doLayout(ILoggingEvent event) {
        StringBuilder out = new StringBuilder(256);
        out.append('{');
        field(out, "timestamp", TIMESTAMP.format(event.getInstant()));
        out.append(',');
        field(out, "level", event.getLevel().toString());
        out.append(',');
        field(out, "thread", event.getThreadName());
        out.append(',');
        field(out, "logger", event.getLoggerName());
        out.append(',');
        field(out, "message", event.getFormattedMessage());
        IThrowableProxy throwable = event.getThrowableProxy();
        if (throwable != null) {
            out.append(',');
            field(out, "exception", ThrowableProxyUtil.asString(throwable));
        }
        Map<String, String> mdc = event.getMDCPropertyMap();
        if (mdc != null && !mdc.isEmpty()) {
            out.append(",\"mdc\":{");
            boolean first = true;
            for (Map.Entry<String, String> e : mdc.entrySet()) {
                if (!first) {
                    out.append(',');
                }
                first = false;
                field(out, e.getKey(), e.getValue());
            }
            out.append('}');
        }
        out.append("}\n");
        return out.toString();
    }

    @Override
    public String getContentType() {
        return "application/json";
    }

    private static void field(StringBuilder out, String name, String value) {
        string(out, name);
        out.append(':');
        if (value == null) {
            out.append("null");
        } else {
            string(out, value);
        }
    }

    /**
     * A JSON string literal (RFC 8259 §7): quote, backslash and the control characters U+0000..U+001F are
     * escaped, and so are U+2028/U+2029 (line separators to JavaScript) and DEL, so a line never breaks. A
     * lone surrogate is replaced by U+FFFD: it has no UTF-8 encoding and would make the line invalid.
     */
    static void string(StringBuilder out, String s) {
        out.append('"');
        int n = s.length();
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"':
                    out.append("\\\"");
                    break;
                case '\\':
                    out.append("\\\\");
                    break;
                case '\n':
                    out.append("\\n");
                    break;
                case '\r':
                    out.append("\\r");
                    break;
                case '\t':
                    out.append("\\t");
                    break;
                default:
                    if (c < 0x20 || c == 0x7f || c == 0x2028 || c == 0x2029) {
                        out.append("\\u").append(HEX[c >> 12]).append(HEX[(c >> 8) & 0xf])
                                .append(HEX[(c >> 4) & 0xf]).append(HEX[c & 0xf]);
                    } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                        out.append(c).append(s.charAt(++i));
                    } else if (Character.isSurrogate(c)) {
                        out.append((char) 0xfffd);
                    } else {
                        out.append(c);
                    }
            }
        }
        out.append('"');
    }
}
