package io.traverse.transport;

import io.netty.channel.Channel;
import io.traverse.config.TlsConfig;
import java.security.SecureRandom;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.bouncycastle.tls.DTLSServerProtocol;
import org.bouncycastle.tls.DTLSVerifier;
import org.bouncycastle.tls.crypto.impl.jcajce.JcaTlsCrypto;
import org.bouncycastle.tls.crypto.impl.jcajce.JcaTlsCryptoProvider;

/**
 * What the DTLS listener channels of one configured {@code dtls://} listener share: the stateless cookie verifier
 * (RFC 6347 §4.2.1, Bouncy Castle {@link DTLSVerifier}), the crypto provider (JCA, so AES-GCM uses the JDK's
 * intrinsics), the certificate store, and the bounded pool that runs Bouncy Castle's blocking handshakes.
 *
 * <p>Threading: {@link DTLSServerProtocol#accept} blocks on its transport while waiting for the client's next
 * flight, so each handshake occupies one thread of a pool of at most {@link #MAX_CONCURRENT_HANDSHAKES}, and no
 * more handshakes than that run at once (a ClientHello beyond the limit is dropped; the client retransmits). After
 * the handshake every record is decrypted and encrypted on the client's event loop; no thread is held.
 */
final class DtlsListener {
    /** Handshakes running at once (and handshake threads) per DTLS listener. */
    static final int MAX_CONCURRENT_HANDSHAKES = 32;

    private final CertificateStore certificates;
    private final JcaTlsCrypto crypto;
    private final DTLSVerifier verifier;
    private final DTLSServerProtocol protocol = new DTLSServerProtocol();
    private final ThreadPoolExecutor handshakes;
    private final int handshakeTimeoutMillis;
    private final long handshakeTimeoutNanos;
    private final long idleNanos;
    private final AtomicInteger sessions = new AtomicInteger();
    private final AtomicInteger handshaking = new AtomicInteger();
    private final AtomicInteger openChannels = new AtomicInteger();

    DtlsListener(CertificateStore certificates, TlsConfig tls) {
        this.certificates = certificates;
        this.crypto = new JcaTlsCryptoProvider().create(new SecureRandom());
        this.verifier = new DTLSVerifier(crypto);
        this.handshakeTimeoutMillis = (int) Math.min(Integer.MAX_VALUE, Math.max(1, tls.handshakeTimeout().toMillis()));
        this.handshakeTimeoutNanos = tls.handshakeTimeout().toNanos();
        this.idleNanos = tls.idleTimeout().toNanos();
        AtomicInteger threadNumber = new AtomicInteger();
        this.handshakes = new ThreadPoolExecutor(MAX_CONCURRENT_HANDSHAKES, MAX_CONCURRENT_HANDSHAKES, 30,
                TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, "traverse-dtls-handshake-" + threadNumber.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        this.handshakes.allowCoreThreadTimeOut(true);
    }

    DTLSVerifier verifier() {
        return verifier;
    }

    DTLSServerProtocol protocol() {
        return protocol;
    }

    ThreadPoolExecutor executor() {
        return handshakes;
    }

    /** A server peer for one handshake with the certificate in force now (a reload affects new handshakes). */
    DtlsServer newServer() {
        return new DtlsServer(crypto, certificates.current(), handshakeTimeoutMillis);
    }

    long handshakeTimeoutNanos() {
        return handshakeTimeoutNanos;
    }

    long idleNanos() {
        return idleNanos;
    }

    /** Reserves a handshake slot; false when {@link #MAX_CONCURRENT_HANDSHAKES} are running. */
    boolean tryBeginHandshake() {
        while (true) {
            int n = handshaking.get();
            if (n >= MAX_CONCURRENT_HANDSHAKES) {
                return false;
            }
            if (handshaking.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }

    void endHandshake() {
        handshaking.decrementAndGet();
    }

    void sessionOpened() {
        sessions.incrementAndGet();
    }

    void sessionClosed() {
        sessions.decrementAndGet();
    }

    /** Per-client DTLS state (handshaking or established) across all channels of this listener. */
    int sessions() {
        return sessions.get();
    }

    /** Handshakes running now. */
    int handshakesInProgress() {
        return handshaking.get();
    }

    /** Stops the handshake pool when the last of {@code channels} closes. */
    void track(List<Channel> channels) {
        openChannels.addAndGet(channels.size());
        for (Channel channel : channels) {
            channel.closeFuture().addListener(f -> {
                if (openChannels.decrementAndGet() == 0) {
                    handshakes.shutdownNow();
                }
            });
        }
    }
}
