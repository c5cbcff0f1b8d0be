package io.traverse.it;

import io.traverse.stun.MessageType;
import io.traverse.stun.Method;
import io.traverse.stun.StunMessage;
import io.traverse.stun.TransactionId;
import io.traverse.stun.attr.Nonce;
import io.traverse.stun.attr.Realm;
import io.traverse.stun.attr.RequestedTransport;
import io.traverse.stun.attr.Username;
import io.traverse.stun.auth.LongTermKey;
import io.traverse.stun.auth.PasswordAlgorithm;
import io.traverse.stun.codec.DecodedMessage;
import io.traverse.stun.codec.Integrity;
import io.traverse.stun.codec.StunDecoder;
import io.traverse.stun.codec.StunEncoder;
import io.traverse.transport.TlsTestCertificates;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.List;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/** A blocking STUN/TURN client over TLS (JDK SSLSocket trusting any certificate) for integration tests. */
public final class TlsTestClient implements AutoCloseable {
    private final SSLSocket socket;

    private TlsTestClient(SSLSocket socket) {
        this.socket = socket;
    }

    /** Connects and completes the handshake with the given protocol versions and ALPN offer (empty: no ALPN). */
    public static TlsTestClient connect(InetSocketAddress server, List<String> protocols, List<String> alpn)
            throws IOException {
        Socket tcp = new Socket();
        tcp.connect(server, 3000);
        SSLSocket socket = (SSLSocket) TlsTestCertificates.trustAll().getSocketFactory()
                .createSocket(tcp, server.getHostString(), server.getPort(), true);
        SSLParameters params = socket.getSSLParameters();
        params.setProtocols(protocols.toArray(new String[0]));
        if (!alpn.isEmpty()) {
            params.setApplicationProtocols(alpn.toArray(new String[0]));
        }
        socket.setSSLParameters(params);
        socket.setSoTimeout(5000);
        socket.setTcpNoDelay(true);
        socket.startHandshake();
        return new TlsTestClient(socket);
    }

    public static TlsTestClient connect(InetSocketAddress server) throws IOException {
        return connect(server, List.of("TLSv1.3", "TLSv1.2"), List.of());
    }

    public SSLSocket socket() {
        return socket;
    }

    public InetSocketAddress localAddress() {
        return (InetSocketAddress) socket.getLocalSocketAddress();
    }

    /** The server's leaf certificate as presented in this connection's handshake. */
    public X509Certificate serverCertificate() throws IOException {
        return (X509Certificate) socket.getSession().getPeerCertificates()[0];
    }

    public void send(byte[] bytes) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(bytes);
        out.flush();
    }

    /** Receives one framed STUN message. */
    public DecodedMessage receive() throws Exception {
        DataInputStream in = new DataInputStream(socket.getInputStream());
        byte[] header = new byte[20];
        in.readFully(header);
        int length = ((header[2] & 0xff) << 8) | (header[3] & 0xff);
        byte[] whole = Arrays.copyOf(header, 20 + length);
        in.readFully(whole, 20, length);
        return StunDecoder.decode(whole);
    }

    public StunMessage exchange(StunMessage request) throws Exception {
        send(StunEncoder.encode(request));
        return receive().message();
    }

    public StunMessage binding() throws Exception {
        return exchange(StunMessage.builder(MessageType.request(Method.BINDING), TransactionId.random()).build());
    }

    /** One request/response round trip over some transport. */
    @FunctionalInterface
    public interface Exchange {
        StunMessage exchange(byte[] request) throws Exception;
    }

    /** Allocate with long-term credentials (RFC 8656 §7.1 after the 401 challenge); returns the final response. */
    public StunMessage allocate(String user, String password) throws Exception {
        return allocate(bytes -> {
            send(bytes);
            return receive().message();
        }, user, password);
    }

    /** The Allocate exchange of {@link #allocate(String, String)} over any transport. */
    public static StunMessage allocate(Exchange exchange, String user, String password) throws Exception {
        StunMessage challenge = exchange.exchange(StunEncoder.encode(StunMessage.builder(
                MessageType.request(Method.ALLOCATE), TransactionId.random())
                .add(new RequestedTransport(RequestedTransport.UDP)).build()));
        String realm = challenge.attribute(Realm.class).orElseThrow().value();
        String nonce = challenge.attribute(Nonce.class).orElseThrow().value();
        byte[] key = LongTermKey.derive(PasswordAlgorithm.MD5, user, realm, password);
        StunMessage request = StunMessage.builder(MessageType.request(Method.ALLOCATE), TransactionId.random())
                .add(new RequestedTransport(RequestedTransport.UDP))
                .add(new Username(user)).add(new Realm(realm)).add(new Nonce(nonce)).build();
        return exchange.exchange(StunEncoder.encode(request, Integrity.sha1(key), false));
    }

    /** Whether the server closed the connection (end of stream or a reset) within the socket timeout. */
    public boolean closedByServer() {
        try {
            return socket.getInputStream().read() < 0;
        } catch (java.net.SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
