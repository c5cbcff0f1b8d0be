package io.traverse.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.traverse.client.SelfSignedTls;
import io.traverse.stun.StunMessage;
import io.traverse.stun.attr.XorMappedAddress;
import io.traverse.stun.codec.StunDecoder;
import io.traverse.stun.codec.StunEncoder;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code probe stuns:}: TLS trust options and the TLS failures the probe names. */
class ProbeTlsTest {
    private static SelfSignedTls tls;
    private static SSLServerSocket listener;
    private static Thread acceptor;

    @TempDir
    static Path dir;

    private static Path pem;

    @BeforeAll
    static void start() throws Exception {
        tls = new SelfSignedTls();
        pem = Files.writeString(dir.resolve("ca.pem"), tls.pem());
        listener = (SSLServerSocket) tls.server.getServerSocketFactory()
                .createServerSocket(0, 10, InetAddress.getLoopbackAddress());
        acceptor = new Thread(ProbeTlsTest::serve, "tls-fake");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    @AfterAll
    static void stop() throws Exception {
        listener.close();
        acceptor.join(2000);
    }

    private static void serve() {
        while (!listener.isClosed()) {
            try (SSLSocket s = (SSLSocket) listener.accept()) {
                s.setSoTimeout(5000);
                DataInputStream in = new DataInputStream(s.getInputStream());
                byte[] header = new byte[20];
                in.readFully(header);
                int length = ((header[2] & 0xFF) << 8) | (header[3] & 0xFF);
                byte[] whole = Arrays.copyOf(header, 20 + length);
                in.readFully(whole, 20, length);
                StunMessage request = StunDecoder.decode(whole).message();
                s.getOutputStream().write(StunEncoder.encode(StunMessage.successResponseTo(request)
                        .add(new XorMappedAddress((InetSocketAddress) s.getRemoteSocketAddress())).build()));
                s.getOutputStream().flush();
                in.read(); // until the client closes
            } catch (IOException | io.traverse.stun.codec.StunParseException e) {
                // refused handshake or closed client: next
            }
        }
    }

    private static String url() {
        return "stuns:127.0.0.1:" + listener.getLocalPort();
    }

    @Test
    void caFileMakesTheServerTrusted() {
        Cli.Result r = Cli.exec("probe", url(), "--ca-file", pem.toString());
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.out().contains("ok    connect") && r.out().contains("tls from 127.0.0.1:"), r.out());
        Cli.Result byName = Cli.exec("probe", url(), "--ca-file", pem.toString(), "--tls-server-name", "localhost");
        assertEquals(0, byName.exitCode(), byName.toString());
    }

    @Test
    void untrustedServerFailsAtConnect() {
        Cli.Result r = Cli.exec("probe", url());
        assertEquals(1, r.exitCode(), r.toString());
        assertTrue(r.err().startsWith("turn-cli: probe failed at step 'connect': TLS error: the server's certificate "
                + "is not trusted"), r.err());
    }

    @Test
    void wrongNameFailsAtConnect() {
        Cli.Result r = Cli.exec("probe", url(), "--ca-file", pem.toString(), "--tls-server-name", "turn.example.org");
        assertEquals(1, r.exitCode(), r.toString());
        assertTrue(r.err().contains("TLS error: the server's certificate does not name this host"), r.err());
    }

    @Test
    void insecureAcceptsAnythingButWarns() {
        Cli.Result r = Cli.exec("probe", url(), "--insecure", "--tls-server-name", "turn.example.org");
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.err().startsWith("turn-cli: warning: --insecure"), r.err());
    }

    @Test
    void insecureAndCaFileExcludeEachOther() {
        assertEquals(2, Cli.exec("probe", url(), "--insecure", "--ca-file", pem.toString()).exitCode());
    }

    @Test
    void missingCaFileFails() {
        Cli.Result r = Cli.exec("probe", url(), "--ca-file", dir.resolve("none.pem").toString());
        assertEquals(1, r.exitCode(), r.toString());
        assertTrue(r.err().contains("does not exist"), r.err());
    }
}
