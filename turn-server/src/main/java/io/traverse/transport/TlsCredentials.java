package io.traverse.transport;

import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import javax.net.ssl.SSLException;

/**
 * One loaded certificate chain and its private key, checked (the key matches the leaf certificate, the leaf is
 * valid now) and turned into a Netty {@link SslContext} for TLS listeners. The same material serves DTLS through
 * Bouncy Castle ({@link DtlsServer}). Immutable; {@link #toString()} never shows the key.
 *
 * <p>TLS 1.2 and 1.3 only, on the JDK provider (no tcnative). ALPN (RFC 7443) offers {@code stun.turn} and
 * {@code stun.nat-discovery}; a client that sends no ALPN, or none of these, is still accepted.
 */
public final class TlsCredentials {
    /** ALPN protocol IDs registered by RFC 7443 §6, most specific first. */
    public static final List<String> ALPN = List.of("stun.turn", "stun.nat-discovery");
    /** Protocol versions offered on TLS listeners. */
    static final String[] TLS_PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

    private final List<X509Certificate> chain;
    private final PrivateKey privateKey;
    private final SslContext sslContext;
    private final Path certificateFile;

    private TlsCredentials(List<X509Certificate> chain, PrivateKey privateKey, SslContext sslContext,
            Path certificateFile) {
        this.chain = chain;
        this.privateKey = privateKey;
        this.sslContext = sslContext;
        this.certificateFile = certificateFile;
    }

    /**
     * Reads and checks the two PEM files.
     *
     * @param now the time the certificate must be valid at
     * @throws CertificateStoreException naming the file and the problem: missing or unreadable file, no
     *     certificate or key in it, encrypted key, certificate expired or not yet valid, key not matching
     */
    public static TlsCredentials load(Path certificateFile, Path privateKeyFile, Instant now)
            throws CertificateStoreException {
        List<X509Certificate> chain = List.copyOf(TlsPem.readCertificates(certificateFile));
        PrivateKey key = TlsPem.readPrivateKey(privateKeyFile);
        X509Certificate leaf = chain.get(0);
        Instant notAfter = leaf.getNotAfter().toInstant();
        Instant notBefore = leaf.getNotBefore().toInstant();
        if (now.isAfter(notAfter)) {
            throw new CertificateStoreException(TlsPem.CERTIFICATE_KEY, certificateFile,
                    "certificate expired on " + notAfter.truncatedTo(ChronoUnit.SECONDS));
        }
        if (now.isBefore(notBefore)) {
            throw new CertificateStoreException(TlsPem.CERTIFICATE_KEY, certificateFile,
                    "certificate is not valid before " + notBefore.truncatedTo(ChronoUnit.SECONDS));
        }
        checkKeyMatches(leaf.getPublicKey(), key, certificateFile, privateKeyFile);
        SslContext context;
        try {
            context = SslContextBuilder.forServer(key, chain.toArray(new X509Certificate[0]))
                    .sslProvider(SslProvider.JDK)
                    .protocols(TLS_PROTOCOLS)
                    .clientAuth(ClientAuth.NONE)
                    .applicationProtocolConfig(new ApplicationProtocolConfig(
                            ApplicationProtocolConfig.Protocol.ALPN,
                            ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                            ALPN))
                    .build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new CertificateStoreException(TlsPem.CERTIFICATE_KEY, certificateFile,
                    "cannot build a TLS context: " + e.getMessage(), e);
        }
        return new TlsCredentials(chain, key, context, certificateFile);
    }

    /**
     * Proves that {@code key} belongs to {@code certificateKey} by signing a probe and verifying it: works for
     * RSA, EC and EdDSA alike without comparing key internals.
     */
    private static void checkKeyMatches(PublicKey certificateKey, PrivateKey key, Path certificateFile,
            Path keyFile) throws CertificateStoreException {
        String algorithm = signatureAlgorithm(key.getAlgorithm());
        if (algorithm == null) {
            throw new CertificateStoreException(TlsPem.PRIVATE_KEY_KEY, keyFile, "unsupported key algorithm "
                    + key.getAlgorithm() + " (RSA, EC and EdDSA are supported)");
        }
        if (!sameFamily(certificateKey.getAlgorithm(), key.getAlgorithm())) {
            throw new CertificateStoreException(TlsPem.PRIVATE_KEY_KEY, keyFile, "does not match the certificate in "
                    + certificateFile + " (" + key.getAlgorithm() + " key, " + certificateKey.getAlgorithm()
                    + " certificate)");
        }
        byte[] probe = "traverse key check".getBytes(StandardCharsets.US_ASCII);
        boolean matches;
        try {
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(certificateKey);
            verifier.update(probe);
            matches = verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            matches = false;
        }
        if (!matches) {
            throw new CertificateStoreException(TlsPem.PRIVATE_KEY_KEY, keyFile,
                    "does not match the certificate in " + certificateFile);
        }
    }

    private static String signatureAlgorithm(String keyAlgorithm) {
        switch (keyAlgorithm) {
            case "RSA":
                return "SHA256withRSA";
            case "EC":
                return "SHA256withECDSA";
            case "Ed25519":
            case "Ed448":
            case "EdDSA":
                return "EdDSA";
            default:
                return null;
        }
    }

    private static boolean sameFamily(String a, String b) {
        return a.equals(b) || (a.startsWith("Ed") && b.startsWith("Ed"));
    }

    /** The chain, leaf first. */
    public List<X509Certificate> chain() {
        return chain;
    }

    /** The leaf certificate. */
    public X509Certificate leaf() {
        return chain.get(0);
    }

    /** When the leaf certificate expires. */
    public Instant notAfter() {
        return leaf().getNotAfter().toInstant();
    }

    PrivateKey privateKey() {
        return privateKey;
    }

    /** The server context for new TLS connections (JDK provider, TLS 1.2/1.3, ALPN). */
    public SslContext sslContext() {
        return sslContext;
    }

    /** Subject, serial and expiry of the leaf; never the key. */
    @Override
    public String toString() {
        return "TlsCredentials[" + certificateFile + ": " + leaf().getSubjectX500Principal().getName()
                + ", serial " + leaf().getSerialNumber().toString(16) + ", expires "
                + notAfter().truncatedTo(ChronoUnit.SECONDS) + "]";
    }
}
