package io.traverse.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.read.ListAppender;
import io.traverse.auth.RestSecrets;
import io.traverse.client.AllocateResult;
import io.traverse.client.Transport;
import io.traverse.client.TurnClient;
import io.traverse.client.TurnClientOptions;
import io.traverse.client.TurnCredentials;
import io.traverse.client.TurnErrorException;
import io.traverse.it.TestServer;
import io.traverse.it.TurnFixture;
import io.traverse.it.TurnTestSession.Options;
import io.traverse.it.TurnTestSession;
import io.traverse.it.UdpPeer;
import io.traverse.stun.Method;
import io.traverse.stun.attr.Lifetime;
import io.traverse.stun.auth.LongTermKey;
import io.traverse.stun.auth.PasswordAlgorithm;
import io.traverse.stun.codec.DecodedMessage;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Secrets never reach the log: a server with users and a TURN REST secret serves successful and failed
 * Allocates (MD5 and SHA-256 keys, USERNAME and USERHASH, REST credentials) at DEBUG, and nothing any logger
 * wrote contains a password, the REST secret, a REST password or a derived long-term key in any usual encoding.
 */
class LogSecretsTest {
    private static final String WRONG_PASSWORD = "wrong horse battery";

    @TempDir
    Path dir;

    private final ListAppender<ILoggingEvent> captured = new ListAppender<>();
    private final List<Appender<ILoggingEvent>> consoles = new ArrayList<>();
    private Logger root;
    private Level rootLevel;

    @BeforeEach
    void captureEverythingAtDebug() {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        rootLevel = root.getLevel();
        captured.setContext(context);
        captured.setName("secrets-capture");
        captured.start();
        root.iteratorForAppenders().forEachRemaining(consoles::add);
        consoles.forEach(root::detachAppender); // DEBUG output of the whole server would only be noise here
        root.addAppender(captured);
        root.setLevel(Level.DEBUG);
    }

    @AfterEach
    void restore() {
        root.detachAppender(captured);
        captured.stop();
        consoles.forEach(root::addAppender);
        root.setLevel(rootLevel);
    }

    @Test
    void noPasswordSecretOrDerivedKeyIsLogged() throws Exception {
        String restUser = (System.currentTimeMillis() / 1000 + 3600) + ":carl";
        String restPassword = RestSecrets.password(TurnFixture.REST_SECRET, restUser);
        try (TestServer server = TurnFixture.start(dir, Map.of("listeners", "udp://127.0.0.1:0"));
                UdpPeer peer = UdpPeer.on("127.0.0.1")) {
            // Long-term credentials from the users file, RFC 5389-style (MD5 key, MESSAGE-INTEGRITY, USERNAME).
            try (TurnTestSession alice = TurnTestSession.open(server.udp4(), false, TurnFixture.USER,
                    TurnFixture.PASSWORD, Options.browser())) {
                InetSocketAddress relayed = TurnTestSession.relayed(alice.allocate(), false);
                alice.channelBind(0x4000, peer.address());
                alice.assertChannelRoundTrip(0x4000, peer, relayed);
                alice.succeed(alice.request(Method.REFRESH, new Lifetime(0)));
            }
            // RFC 8489 style: SHA-256 key, MESSAGE-INTEGRITY-SHA256, USERHASH.
            try (TurnTestSession bob = TurnTestSession.open(server.udp4(), false, TurnFixture.USER2,
                    TurnFixture.PASSWORD2, Options.modern())) {
                bob.allocate();
                bob.createPermission(peer.address());
            }
            // A wrong password: 401 after the HMAC fails.
            try (TurnTestSession wrong = TurnTestSession.open(server.udp4(), false, TurnFixture.USER,
                    WRONG_PASSWORD, Options.browser())) {
                wrong.challenge();
                DecodedMessage refused = wrong.send(TurnTestSession.allocateRequest());
                assertEquals(401, TurnTestSession.code(refused.message()));
            }
            // TURN REST credentials: good, then a REST password minted for another username.
            TurnClientOptions quick = TurnClientOptions.builder().transactionTimeout(Duration.ofSeconds(3)).build();
            try (TurnClient rest = TurnClient.connect(Transport.UDP, server.udp4(), quick)) {
                AllocateResult result = rest.allocate(TurnCredentials.password(restUser, restPassword));
                assertFalse(result.relayedAddresses().isEmpty());
                rest.deallocate();
            }
            try (TurnClient forged = TurnClient.connect(Transport.UDP, server.udp4(), quick)) {
                TurnErrorException e = assertThrows(TurnErrorException.class, () -> forged.allocate(
                        TurnCredentials.password(restUser.replace("carl", "dave"), restPassword)));
                assertEquals(401, e.code());
            }
            try (TurnClient unknown = TurnClient.connect(Transport.UDP, server.udp4(), quick)) {
                TurnErrorException e = assertThrows(TurnErrorException.class,
                        () -> unknown.allocate(TurnCredentials.password("mallory", TurnFixture.PASSWORD)));
                assertEquals(401, e.code());
            }
            assertTrue(server.server().reloadCredentials());
        }

        List<String> lines = new ArrayList<>();
        for (ILoggingEvent event : captured.list) {
            StringBuilder line = new StringBuilder(event.getLoggerName()).append(' ').append(event.getFormattedMessage());
            if (event.getThrowableProxy() != null) {
                line.append('\n').append(ThrowableProxyUtil.asString(event.getThrowableProxy()));
            }
            line.append(' ').append(event.getMDCPropertyMap());
            lines.add(line.toString());
        }
        String all = String.join("\n", lines);
        // The capture works and ran at DEBUG: the per-request debug lines name the users (usernames are not secret).
        assertTrue(captured.list.stream().anyMatch(e -> e.getLevel() == Level.DEBUG && e.getFormattedMessage()
                .contains(TurnFixture.USER)), () -> "no DEBUG line naming the user; captured:\n" + all);
        assertTrue(all.contains("carl"), () -> "the REST user's allocation is logged; captured:\n" + all);

        List<byte[]> keys = new ArrayList<>();
        for (PasswordAlgorithm algorithm : PasswordAlgorithm.values()) {
            keys.add(LongTermKey.derive(algorithm, TurnFixture.USER, TurnFixture.REALM, TurnFixture.PASSWORD));
            keys.add(LongTermKey.derive(algorithm, TurnFixture.USER2, TurnFixture.REALM, TurnFixture.PASSWORD2));
            keys.add(LongTermKey.derive(algorithm, restUser, TurnFixture.REALM, restPassword));
            keys.add(LongTermKey.derive(algorithm, TurnFixture.USER, TurnFixture.REALM, WRONG_PASSWORD));
        }
        List<String> forbidden = new ArrayList<>(List.of(TurnFixture.PASSWORD, TurnFixture.PASSWORD2, WRONG_PASSWORD,
                TurnFixture.REST_SECRET, restPassword, stripPadding(restPassword),
                HexFormat.of().formatHex(Base64.getDecoder().decode(restPassword)),
                Base64.getEncoder().encodeToString(TurnFixture.REST_SECRET.getBytes(StandardCharsets.UTF_8))));
        for (byte[] key : keys) {
            forbidden.addAll(encodings(key));
        }
        for (String secret : forbidden) {
            for (String line : lines) {
                assertFalse(line.contains(secret), () -> "secret '" + secret + "' logged: " + line);
            }
        }
    }

    /** Hex (both cases), Base64 (standard, URL-safe, unpadded) and {@code Arrays.toString} of a key. */
    private static List<String> encodings(byte[] key) {
        String base64 = Base64.getEncoder().encodeToString(key);
        return List.of(HexFormat.of().formatHex(key), HexFormat.of().withUpperCase().formatHex(key),
                HexFormat.ofDelimiter(":").formatHex(key), base64, stripPadding(base64),
                Base64.getUrlEncoder().withoutPadding().encodeToString(key), Arrays.toString(key),
                // what a log line would show of the first half: catches truncated dumps too
                HexFormat.of().formatHex(key, 0, key.length / 2));
    }

    private static String stripPadding(String base64) {
        return base64.replace("=", "");
    }
}
