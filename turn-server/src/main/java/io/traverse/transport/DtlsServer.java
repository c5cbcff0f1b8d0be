package io.traverse.transport;

import java.io.IOException;
import java.security.PrivateKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Vector;
import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.AlertLevel;
import org.bouncycastle.tls.Certificate;
import org.bouncycastle.tls.CipherSuite;
import org.bouncycastle.tls.DefaultTlsServer;
import org.bouncycastle.tls.ProtocolName;
import org.bouncycastle.tls.ProtocolVersion;
import org.bouncycastle.tls.SignatureAlgorithm;
import org.bouncycastle.tls.SignatureAndHashAlgorithm;
import org.bouncycastle.tls.TlsCredentialedSigner;
import org.bouncycastle.tls.TlsFatalAlert;
import org.bouncycastle.tls.TlsUtils;
import org.bouncycastle.tls.crypto.TlsCertificate;
import org.bouncycastle.tls.crypto.TlsCryptoParameters;
import org.bouncycastle.tls.crypto.impl.jcajce.JcaDefaultTlsCredentialedSigner;
import org.bouncycastle.tls.crypto.impl.jcajce.JcaTlsCrypto;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Bouncy Castle server peer of one DTLS handshake: DTLS 1.2 only (RFC 6347), forward-secret ECDHE/DHE suites
 * matching the certificate's key type (RSA or ECDSA/EdDSA), the same certificate and key as the TLS listeners,
 * ALPN {@code stun.turn} / {@code stun.nat-discovery} (RFC 7443) when the client asks, and the configured
 * handshake timeout. One instance per handshake (Bouncy Castle keeps per-connection state in it).
 */
final class DtlsServer extends DefaultTlsServer {
    private static final Logger LOG = LoggerFactory.getLogger(DtlsServer.class);

    private final JcaTlsCrypto crypto;
    private final TlsCredentials credentials;
    private final int handshakeTimeoutMillis;
    private final KeyKind keyKind;

    private enum KeyKind { RSA, EC, ED25519, ED448 }

    DtlsServer(JcaTlsCrypto crypto, TlsCredentials credentials, int handshakeTimeoutMillis) {
        super(crypto);
        this.crypto = crypto;
        this.credentials = credentials;
        this.handshakeTimeoutMillis = handshakeTimeoutMillis;
        this.keyKind = keyKind(credentials.privateKey(), credentials.leaf());
    }

    private static KeyKind keyKind(PrivateKey key, X509Certificate leaf) {
        switch (key.getAlgorithm()) {
            case "RSA":
                return KeyKind.RSA;
            case "EC":
                return KeyKind.EC;
            default:
                // EdDSA: the curve is in the certificate's algorithm name on JDK 15+ ("Ed25519" / "Ed448").
                return leaf.getPublicKey().getAlgorithm().equals("Ed448")
                        || leaf.getSigAlgName().equalsIgnoreCase("Ed448") ? KeyKind.ED448 : KeyKind.ED25519;
        }
    }

    @Override
    protected ProtocolVersion[] getSupportedVersions() {
        return ProtocolVersion.DTLSv12.only();
    }

    /** Forward-secret AEAD first, then CBC for older clients; only suites our certificate can sign for. */
    private static final int[] ECDSA_SUITES = {
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        CipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256,
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA,
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA,
    };
    private static final int[] RSA_SUITES = {
        CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        CipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
        CipherSuite.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
        CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256,
        CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA,
        CipherSuite.TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA,
    };

    @Override
    protected int[] getSupportedCipherSuites() {
        return TlsUtils.getSupportedCipherSuites(getCrypto(), keyKind == KeyKind.RSA ? RSA_SUITES : ECDSA_SUITES);
    }

    @Override
    protected Vector<ProtocolName> getProtocolNames() {
        Vector<ProtocolName> names = new Vector<>();
        for (String id : TlsCredentials.ALPN) {
            names.add(ProtocolName.asUtf8Encoding(id));
        }
        return names;
    }

    @Override
    public int getHandshakeTimeoutMillis() {
        return handshakeTimeoutMillis;
    }

    @Override
    protected TlsCredentialedSigner getRSASignerCredentials() throws IOException {
        // PKCS#1 v1.5 only: with the JDK provider Bouncy Castle reports RSA-PSS as available but cannot create
        // the signer (it asks for "SHA256WITHRSASSA-PSS"); every DTLS 1.2 client offers rsa_pkcs1_sha256.
        return signer(SignatureAlgorithm.rsa);
    }

    @Override
    protected TlsCredentialedSigner getECDSASignerCredentials() throws IOException {
        if (keyKind == KeyKind.ED25519) {
            return signer(SignatureAlgorithm.ed25519);
        }
        if (keyKind == KeyKind.ED448) {
            return signer(SignatureAlgorithm.ed448);
        }
        return signer(SignatureAlgorithm.ecdsa);
    }

    /**
     * A signer with the first signature algorithm in the client's {@code signature_algorithms} (RFC 5246
     * §7.4.1.4.1) that fits our key and the crypto provider.
     */
    private TlsCredentialedSigner signer(short... acceptable) throws IOException {
        SignatureAndHashAlgorithm chosen = null;
        Vector<?> offered = context.getSecurityParametersHandshake().getClientSigAlgs();
        if (offered == null) {
            chosen = TlsUtils.getDefaultSignatureAlgorithm(acceptable[acceptable.length - 1]);
        } else {
            for (Object o : offered) {
                SignatureAndHashAlgorithm candidate = (SignatureAndHashAlgorithm) o;
                if (contains(acceptable, candidate.getSignature()) && crypto.hasSignatureAndHashAlgorithm(candidate)) {
                    chosen = candidate;
                    break;
                }
            }
        }
        if (chosen == null) {
            throw new TlsFatalAlert(AlertDescription.handshake_failure, "no common signature algorithm");
        }
        return new JcaDefaultTlsCredentialedSigner(new TlsCryptoParameters(context), crypto,
                credentials.privateKey(), certificateChain(), chosen);
    }

    private Certificate certificateChain() throws IOException {
        List<X509Certificate> chain = credentials.chain();
        TlsCertificate[] certificates = new TlsCertificate[chain.size()];
        try {
            for (int i = 0; i < certificates.length; i++) {
                certificates[i] = crypto.createCertificate(chain.get(i).getEncoded());
            }
        } catch (CertificateEncodingException e) {
            throw new TlsFatalAlert(AlertDescription.internal_error, e);
        }
        return new Certificate(certificates);
    }

    private static boolean contains(short[] values, short value) {
        for (short v : values) {
            if (v == value) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void notifyAlertRaised(short alertLevel, short alertDescription, String message, Throwable cause) {
        if (LOG.isDebugEnabled()) {
            LOG.debug("DTLS alert sent: {} {}{}", AlertLevel.getText(alertLevel),
                    AlertDescription.getText(alertDescription), message == null ? "" : " (" + message + ")");
        }
    }

    @Override
    public void notifyAlertReceived(short alertLevel, short alertDescription) {
        if (LOG.isDebugEnabled()) {
            LOG.debug("DTLS alert received: {} {}", AlertLevel.getText(alertLevel),
                    AlertDescription.getText(alertDescription));
        }
    }
}
