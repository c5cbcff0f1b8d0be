package io.traverse.transport;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Vector;
import org.bouncycastle.tls.DTLSClientProtocol;
import org.bouncycastle.tls.DTLSTransport;
import org.bouncycastle.tls.DatagramTransport;
import org.bouncycastle.tls.DefaultTlsClient;
import org.bouncycastle.tls.ProtocolName;
import org.bouncycastle.tls.ProtocolVersion;
import org.bouncycastle.tls.ServerOnlyTlsAuthentication;
import org.bouncycastle.tls.TlsAuthentication;
import org.bouncycastle.tls.TlsServerCertificate;
import org.bouncycastle.tls.UDPTransport;
import org.bouncycastle.tls.crypto.TlsCrypto;
import org.bouncycastle.tls.crypto.impl.jcajce.JcaTlsCryptoProvider;

/**
 * A DTLS 1.2 test client on Bouncy Castle's own client protocol over a connected UDP socket; records every
 * datagram it sends so tests can replay them (e.g. a cookie-bearing ClientHello from another port).
 */
public final class DtlsTestClient implements AutoCloseable {
    private static final TlsCrypto CRYPTO = new JcaTlsCryptoProvider().create(new SecureRandom());

    private final DatagramSocket socket;
    private final DTLSTransport dtls;
    private final List<byte[]> sent;
    private final Client client;

    private DtlsTestClient(DatagramSocket socket, DTLSTransport dtls, List<byte[]> sent, Client client) {
        this.socket = socket;
        this.dtls = dtls;
        this.sent = sent;
        this.client = client;
    }

    /** A Bouncy Castle client that accepts any server certificate and may offer ALPN. */
    static final class Client extends DefaultTlsClient {
        private final List<String> alpn;
        volatile TlsServerCertificate serverCertificate;

        Client(List<String> alpn) {
            super(CRYPTO);
            this.alpn = alpn;
        }

        @Override
        protected ProtocolVersion[] getSupportedVersions() {
            return ProtocolVersion.DTLSv12.only();
        }

        @Override
        protected Vector<ProtocolName> getProtocolNames() {
            if (alpn.isEmpty()) {
                return null;
            }
            Vector<ProtocolName> names = new Vector<>();
            alpn.forEach(a -> names.add(ProtocolName.asUtf8Encoding(a)));
            return names;
        }

        String applicationProtocol() {
            ProtocolName name = context.getSecurityParametersConnection().getApplicationProtocol();
            return name == null ? null : name.getUtf8Decoding();
        }

        @Override
        public TlsAuthentication getAuthentication() {
            return new ServerOnlyTlsAuthentication() {
                @Override
                public void notifyServerCertificate(TlsServerCertificate certificate) {
                    serverCertificate = certificate;
                }
            };
        }
    }

    /** Records what the client sends. */
    private static final class Recording implements DatagramTransport {
        private final DatagramTransport inner;
        private final List<byte[]> sent;

        Recording(DatagramTransport inner, List<byte[]> sent) {
            this.inner = inner;
            this.sent = sent;
        }

        @Override
        public int getReceiveLimit() throws IOException {
            return inner.getReceiveLimit();
        }

        @Override
        public int getSendLimit() throws IOException {
            return inner.getSendLimit();
        }

        @Override
        public int receive(byte[] buf, int off, int len, int waitMillis) throws IOException {
            return inner.receive(buf, off, len, waitMillis);
        }

        @Override
        public void send(byte[] buf, int off, int len) throws IOException {
            sent.add(Arrays.copyOfRange(buf, off, off + len));
            inner.send(buf, off, len);
        }

        @Override
        public void close() throws IOException {
            inner.close();
        }
    }

    /** Handshakes with {@code server} from a fresh local port. */
    public static DtlsTestClient connect(InetSocketAddress server, List<String> alpn) throws IOException {
        return connectFrom(server, server.getAddress(), alpn);
    }

    /** Handshakes with {@code server} from a fresh port on {@code local} (e.g. 127.0.0.2: another source IP). */
    public static DtlsTestClient connectFrom(InetSocketAddress server, java.net.InetAddress local, List<String> alpn)
            throws IOException {
        DatagramSocket socket = new DatagramSocket(new InetSocketAddress(local, 0));
        try {
            socket.connect(server);
            List<byte[]> sent = Collections.synchronizedList(new ArrayList<>());
            Client client = new Client(alpn);
            DTLSTransport dtls = new DTLSClientProtocol().connect(client,
                    new Recording(new UDPTransport(socket, 1500), sent));
            return new DtlsTestClient(socket, dtls, sent, client);
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    public static DtlsTestClient connect(InetSocketAddress server) throws IOException {
        return connect(server, List.of());
    }

    /**
     * A client that stops half way: it answers the HelloVerifyRequest with a cookie-bearing ClientHello (so the
     * server starts a handshake for it) and then ignores everything the server sends, retransmitting its ClientHello
     * until closed. Runs on a daemon thread; {@link AutoCloseable#close} ends it.
     */
    public static AutoCloseable stalled(InetSocketAddress server) throws IOException {
        return stalledFrom(server, server.getAddress());
    }

    /** {@link #stalled} from a port on {@code local}. */
    public static AutoCloseable stalledFrom(InetSocketAddress server, java.net.InetAddress local) throws IOException {
        DatagramSocket socket = new DatagramSocket(new InetSocketAddress(local, 0));
        socket.connect(server);
        DatagramTransport udp = new UDPTransport(socket, 1500);
        DatagramTransport firstReplyOnly = new DatagramTransport() {
            private boolean replied;

            @Override
            public int getReceiveLimit() throws IOException {
                return udp.getReceiveLimit();
            }

            @Override
            public int getSendLimit() throws IOException {
                return udp.getSendLimit();
            }

            @Override
            public int receive(byte[] buf, int off, int len, int waitMillis) throws IOException {
                if (replied) {
                    int n = udp.receive(buf, off, len, waitMillis);
                    return n < 0 ? n : -1; // the server's flight is dropped: time out, retransmit
                }
                int n = udp.receive(buf, off, len, waitMillis);
                replied = n >= 0;
                return n;
            }

            @Override
            public void send(byte[] buf, int off, int len) throws IOException {
                udp.send(buf, off, len);
            }

            @Override
            public void close() throws IOException {
                udp.close();
            }
        };
        Thread t = new Thread(() -> {
            try {
                new DTLSClientProtocol().connect(new Client(List.of()), firstReplyOnly);
            } catch (IOException | RuntimeException ended) {
                // closed by the test
            }
        }, "stalled-dtls-client");
        t.setDaemon(true);
        t.start();
        return socket::close;
    }

    /** The first datagram a client sends to {@code server}: a ClientHello without cookie. */
    public static byte[] firstClientHello(InetSocketAddress server) throws IOException {
        List<byte[]> sent = new ArrayList<>();
        DatagramTransport capture = new DatagramTransport() {
            @Override
            public int getReceiveLimit() {
                return 1500;
            }

            @Override
            public int getSendLimit() {
                return 1200;
            }

            @Override
            public int receive(byte[] buf, int off, int len, int waitMillis) throws IOException {
                throw new IOException("capture only");
            }

            @Override
            public void send(byte[] buf, int off, int len) throws IOException {
                sent.add(Arrays.copyOfRange(buf, off, off + len));
                throw new IOException("captured");
            }

            @Override
            public void close() {}
        };
        try {
            new DTLSClientProtocol().connect(new Client(List.of()), capture);
        } catch (IOException expected) {
            // the capture stops the handshake after the first flight
        }
        return sent.get(0);
    }

    public InetSocketAddress localAddress() {
        return (InetSocketAddress) socket.getLocalSocketAddress();
    }

    /** Datagrams sent so far (handshake flights and records). */
    public List<byte[]> sent() {
        synchronized (sent) {
            return List.copyOf(sent);
        }
    }

    /** The server's leaf certificate (DER). */
    public byte[] serverCertificate() throws IOException {
        return client.serverCertificate.getCertificate().getCertificateAt(0).getEncoded();
    }

    /** The ALPN protocol the server selected, or null. */
    public String applicationProtocol() {
        return client.applicationProtocol();
    }

    public void send(byte[] data) throws IOException {
        dtls.send(data, 0, data.length);
    }

    /** The next application-data record, or null after {@code waitMillis}. */
    public byte[] receive(int waitMillis) throws IOException {
        byte[] buf = new byte[2048];
        int n = dtls.receive(buf, 0, buf.length, waitMillis);
        return n < 0 ? null : Arrays.copyOf(buf, n);
    }

    /** Sends close_notify and closes the socket. */
    @Override
    public void close() throws IOException {
        try {
            dtls.close();
        } finally {
            socket.close();
        }
    }
}
