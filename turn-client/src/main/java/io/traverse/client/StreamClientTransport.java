package io.traverse.client;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * TCP or TLS to the server, with the stream framing of RFC 8656 §12.5: a STUN message is 20 bytes plus its
 * length field; a ChannelData message is 4 bytes plus its length padded to a multiple of 4. Partial reads are
 * kept across {@link #receive} calls, so a timeout never loses bytes.
 */
final class StreamClientTransport implements ClientTransport {
    private static final int MAX_FRAME = 20 + 0xFFFF + 3;

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final InetSocketAddress server;
    private byte[] buffer = new byte[4096];
    private int start;
    private int end;

    private StreamClientTransport(Socket socket, InetSocketAddress server) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
        this.server = server;
    }

    static StreamClientTransport open(InetSocketAddress server, boolean tls, TurnClientOptions options)
            throws IOException {
        UdpClientTransport.requireResolved(server);
        int connectMillis = (int) Math.min(Integer.MAX_VALUE, options.connectTimeout().toMillis());
        Socket plain = new Socket();
        try {
            if (options.localAddress().isPresent()) {
                plain.bind(options.localAddress().get());
            }
            plain.connect(server, connectMillis);
            plain.setTcpNoDelay(true);
            if (!tls) {
                return new StreamClientTransport(plain, server);
            }
            String name = options.tlsServerName().orElse(server.getHostString());
            SSLContext context = options.sslContext().isPresent() ? options.sslContext().get() : SSLContext.getDefault();
            SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(plain, name, server.getPort(), true);
            SSLParameters parameters = socket.getSSLParameters();
            if (options.verifyHostname()) {
                parameters.setEndpointIdentificationAlgorithm("HTTPS");
            }
            if (isHostName(name)) {
                parameters.setServerNames(List.of(new SNIHostName(name)));
            }
            socket.setSSLParameters(parameters);
            socket.setSoTimeout(connectMillis);
            socket.startHandshake();
            return new StreamClientTransport(socket, server);
        } catch (NoSuchAlgorithmException e) {
            plain.close();
            throw new IOException("no default TLS context: " + e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            plain.close();
            throw e;
        }
    }

    /** SNI carries DNS names only (RFC 6066 §3), never IP literals. */
    static boolean isHostName(String name) {
        if (name == null || name.isEmpty() || name.indexOf(':') >= 0) {
            return false;
        }
        if (name.chars().allMatch(c -> c == '.' || (c >= '0' && c <= '9'))) {
            return false;
        }
        try {
            new SNIHostName(name);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    @Override
    public void send(byte[] frame) throws IOException {
        out.write(frame);
        out.flush();
    }

    @Override
    public byte[] receive(long timeoutMillis) throws IOException, TurnProtocolException {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        while (true) {
            byte[] frame = nextFrame();
            if (frame != null) {
                return frame;
            }
            long remaining = (deadline - System.nanoTime()) / 1_000_000L;
            if (remaining <= 0) {
                return null;
            }
            socket.setSoTimeout((int) Math.max(1, Math.min(Integer.MAX_VALUE, remaining)));
            int n;
            try {
                n = in.read(buffer, end, buffer.length - end);
            } catch (SocketTimeoutException e) {
                return null;
            }
            if (n < 0) {
                throw new EOFException("the server closed the connection");
            }
            end += n;
        }
    }

    /** A complete frame from the buffer, or null (after making room for the rest) when it is not all there. */
    private byte[] nextFrame() throws TurnProtocolException {
        int available = end - start;
        if (available < 4) {
            compact(4);
            return null;
        }
        int first = buffer[start] & 0xFF;
        int length = ((buffer[start + 2] & 0xFF) << 8) | (buffer[start + 3] & 0xFF);
        int total;
        if (first <= 3) {
            total = 20 + length;
        } else if (first >= 64 && first <= 79) {
            total = 4 + ((length + 3) & ~3);
        } else {
            throw new TurnProtocolException(String.format(
                    "the server sent bytes that are neither STUN nor ChannelData (first byte 0x%02x)", first));
        }
        if (available < total) {
            compact(total);
            return null;
        }
        byte[] frame = Arrays.copyOfRange(buffer, start, start + total);
        start += total;
        if (start == end) {
            start = 0;
            end = 0;
        }
        return frame;
    }

    /** Moves the pending bytes to the front and grows the buffer so that {@code needed} bytes fit. */
    private void compact(int needed) {
        if (start > 0) {
            System.arraycopy(buffer, start, buffer, 0, end - start);
            end -= start;
            start = 0;
        }
        if (buffer.length < needed || end == buffer.length) {
            int size = Math.max(needed, Math.min(MAX_FRAME, buffer.length * 2));
            buffer = Arrays.copyOf(buffer, Math.max(size, end + 1));
        }
    }

    @Override
    public boolean reliable() {
        return true;
    }

    @Override
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) socket.getLocalSocketAddress();
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return server;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
