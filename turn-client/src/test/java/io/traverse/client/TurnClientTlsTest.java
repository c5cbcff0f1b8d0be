package io.traverse.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.traverse.stun.StunMessage;
import io.traverse.stun.attr.XorMappedAddress;
import io.traverse.stun.codec.StunDecoder;
import io.traverse.stun.codec.StunEncoder;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Arrays;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** TLS transport: certificate trust and host name verification, then STUN framing over the TLS stream. */
class TurnClientTlsTest {
    private static SelfSignedTls tls;
    private static SSLServerSocket listener;
    private static Thread acceptor;

    @BeforeAll
    static void start() throws Exception {
        tls = new SelfSignedTls();
        listener = (SSLServerSocket) tls.server.getServerSocketFactory()
                .createServerSocket(0, 10, InetAddress.getLoopbackAddress());
        acceptor = new Thread(TurnClientTlsTest::serve, "tls-fake");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    @AfterAll
    static void stop() throws Exception {
        listener.close();
        acceptor.join(2000);
    }

    /** Answers every Binding request on every connection, one connection at a time. */
    private static void serve() {
        while (!listener.isClosed()) {
            try (SSLSocket s = (SSLSocket) listener.accept()) {
                s.setSoTimeout(5000);
                DataInputStream in = new DataInputStream(s.getInputStream());
                while (true) {
                    byte[] header = new byte[20];
                    in.readFully(header);
                    int length = ((header[2] & 0xFF) << 8) | (header[3] & 0xFF);
                    byte[] whole = Arrays.copyOf(header, 20 + length);
                    in.readFully(whole, 20, length);
                    StunMessage request = StunDecoder.decode(whole).message();
                    s.getOutputStream().write(StunEncoder.encode(StunMessage.successResponseTo(request)
                            .add(new XorMappedAddress((InetSocketAddress) s.getRemoteSocketAddress())).build()));
                    s.getOutputStream().flush();
                }
            } catch (IOException | io.traverse.stun.codec.StunParseException e) {
                // handshake refused by the client, or the client went away: next connection
            }
        }
    }

    private static InetSocketAddress address(String host) {
        return new InetSocketAddress(host, listener.getLocalPort());
    }

    @Test
    void trustedCertificateAndMatchingNameWork() throws Exception {
        TurnClientOptions options = TurnClientOptions.builder().sslContext(tls.clientTrusting).build();
        try (TurnClient client = TurnClient.connect(Transport.TLS, address("localhost"), options)) {
            assertEquals(client.localAddress(), client.binding());
        }
        try (TurnClient client = TurnClient.connect(Transport.TLS, address("127.0.0.1"), options)) {
            assertEquals(client.localAddress(), client.binding(), "IP literal checked against the IP SAN");
        }
    }

    @Test
    void untrustedCertificateFailsTheHandshake() {
        assertThrows(SSLHandshakeException.class, () -> TurnClient.connect(Transport.TLS, address("localhost")));
    }

    @Test
    void nameMismatchFailsUnlessVerificationIsOff() throws Exception {
        TurnClientOptions wrongName = TurnClientOptions.builder().sslContext(tls.clientTrusting)
                .tlsServerName("turn.example.org").build();
        assertThrows(SSLHandshakeException.class, () -> TurnClient.connect(Transport.TLS, address("127.0.0.1"),
                wrongName));
        TurnClientOptions unchecked = TurnClientOptions.builder().sslContext(tls.clientTrusting)
                .tlsServerName("turn.example.org").verifyHostname(false).build();
        try (TurnClient client = TurnClient.connect(Transport.TLS, address("127.0.0.1"), unchecked)) {
            assertEquals(client.localAddress(), client.binding());
        }
    }
}
