package io.traverse.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Interop: coturn's {@code turnutils_stunclient} (a client we did not write) gets its correct reflexive address
 * from Traverse over UDP, IPv4 and IPv6. "Correct" is checked against the source address the server itself saw
 * (captured from the server's debug log), not just its shape.
 */
class StunClientInteropTest {
    private static final Pattern REFLEXIVE = Pattern.compile("UDP reflexive addr: (\\S+)");

    private static TestServer server;
    private static ListAppender<ILoggingEvent> seen;
    private static Logger bindingLog;
    private static Level previousLevel;

    @BeforeAll
    static void start() throws Exception {
        server = TestServer.start();
        bindingLog = (Logger) LoggerFactory.getLogger("io.traverse.server.BindingHandler");
        previousLevel = bindingLog.getLevel();
        bindingLog.setLevel(Level.DEBUG);
        seen = new ListAppender<>();
        seen.start();
        bindingLog.addAppender(seen);
    }

    @AfterAll
    static void stop() {
        bindingLog.detachAppender(seen);
        bindingLog.setLevel(previousLevel);
        server.close();
    }

    @Test
    void ipv4() {
        check("127.0.0.1", server.udp4().getPort(), "127.0.0.1");
    }

    @Test
    void ipv6() {
        check("::1", server.udp6().getPort(), "::1");
    }

    private void check(String host, int port, String expectedIp) {
        seen.list.clear();
        ExternalTool.Result result = ExternalTool.run(Duration.ofSeconds(20),
                "turnutils_stunclient", "-p", Integer.toString(port), host);
        assertEquals(0, result.exitCode(), result.output());
        Matcher m = REFLEXIVE.matcher(result.output());
        assertTrue(m.find(), "no reflexive address in output:\n" + result.output());
        String reported = m.group(1);
        int colon = reported.lastIndexOf(':');
        String ip = reported.substring(0, colon).replace("[", "").replace("]", "");
        int reportedPort = Integer.parseInt(reported.substring(colon + 1));
        assertEquals(expectedIp, normalise(ip));

        List<String> sources = seen.list.stream().map(e -> e.getArgumentArray()[0].toString()).toList();
        assertTrue(sources.stream().anyMatch(s -> s.endsWith(":" + reportedPort)),
                "reported port " + reportedPort + " is not a source the server saw: " + sources);
    }

    private static String normalise(String ip) {
        return ip.equals("0:0:0:0:0:0:0:1") ? "::1" : ip;
    }
}
