package io.traverse.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.traverse.stun.StunMessage;
import io.traverse.transport.TlsTestCertificates;
import io.traverse.transport.TlsTestCertificates.PemPair;
import io.traverse.turn.TransportProtocol;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every STUN message or ChannelData frame the server sends over TLS is one TLS record of its own, even when a burst
 * of peer datagrams is relayed in one read batch. TLS is a byte stream and RFC 8656 does not require this, but
 * coturn's turnutils_uclient (and any client that, like it, takes one {@code SSL_read} for one message) loses every
 * message after the first in a record; that was the intermittent loss in {@link TlsUclientInteropTest} on a busy
 * machine, where the peer's echoes pile up and are read (and were written) as a batch.
 *
 * <p>The JDK's {@code SSLSocket} input stream returns at most one record per {@code read}, like {@code SSL_read}, so
 * each read here is one record.
 */
class TlsRecordPerMessageTest {
    /** Datagrams in one burst: far more than the loop reads per batch, far below a loopback socket's buffer. */
    private static final int BURST = 64;
    private static final int PAYLOAD = 101;

    @TempDir
    static Path dir;

    private static TestServer server;

    @BeforeAll
    static void start() throws Exception {
        PemPair certificate = TlsTestCertificates.write(dir, "server", "localhost");
        server = TurnFixture.start(dir, Map.of(
                "listeners", "tls://127.0.0.1:0",
                "tls.certificate", certificate.certificate().toString(),
                "tls.private-key", certificate.key().toString()));
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void dataIndicationsOneRecordEach() throws Exception {
        assertOneMessagePerRecord(false);
    }

    @Test
    void channelDataOneRecordEach() throws Exception {
        assertOneMessagePerRecord(true);
    }

    private static void assertOneMessagePerRecord(boolean channel) throws Exception {
        InetSocketAddress tls = server.server().address(TransportProtocol.TLS, false);
        try (TlsTestClient connection = TlsTestClient.connect(tls);
                TurnTestSession session = new TurnTestSession(StunTestClient.stream(connection.socket()),
                        TurnFixture.USER, TurnFixture.PASSWORD, TurnTestSession.Options.browser());
                UdpPeer peer = UdpPeer.on("127.0.0.1")) {
            StunMessage allocated = session.allocate();
            InetSocketAddress relayed = TurnTestSession.relayed(allocated, false);
            if (channel) {
                session.channelBind(0x4000, peer.address());
            } else {
                session.createPermission(peer.address());
            }
            byte[] data = new byte[PAYLOAD];
            for (int i = 0; i < BURST; i++) {
                data[0] = (byte) i;
                peer.send(relayed, data);
            }
            InputStream in = connection.socket().getInputStream();
            byte[] record = new byte[1 << 16];
            List<Integer> messagesPerRecord = new ArrayList<>();
            int messages = 0;
            while (messages < BURST) {
                int n = in.read(record);
                assertTrue(n > 0, "connection closed after " + messages + " messages");
                int inRecord = countMessages(record, n);
                assertTrue(inRecord > 0, "a TLS record of " + n + " bytes that is not whole messages");
                messagesPerRecord.add(inRecord);
                messages += inRecord;
            }
            assertEquals(BURST, messages);
            assertTrue(messagesPerRecord.stream().allMatch(c -> c == 1),
                    "messages per TLS record: " + messagesPerRecord);
        }
    }

    /** Whole STUN messages and padded ChannelData frames (RFC 8656 §12.5) in {@code bytes[0..n)}; 0 if torn. */
    private static int countMessages(byte[] bytes, int n) {
        int count = 0;
        int at = 0;
        while (at + 4 <= n) {
            int length = ((bytes[at + 2] & 0xff) << 8) | (bytes[at + 3] & 0xff);
            boolean channelData = (bytes[at] & 0xC0) == 0x40;
            at += channelData ? (4 + length + 3) & ~3 : 20 + length;
            count++;
        }
        return at == n ? count : 0;
    }
}
