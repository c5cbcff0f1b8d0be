package io.traverse.transport;

import java.io.IOException;
import java.io.Writer;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.io.pem.PemObject;

/** Self-signed test certificates made in the test with Bouncy Castle, written as PEM in the forms we accept. */
public final class TlsTestCertificates {
    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

    /** How a private key is written. */
    public enum KeyFormat {
        /** {@code BEGIN PRIVATE KEY}. */
        PKCS8,
        /** {@code BEGIN RSA PRIVATE KEY} (PKCS#1) or {@code BEGIN EC PRIVATE KEY} (SEC 1). */
        TRADITIONAL
    }

    private TlsTestCertificates() {}

    public static KeyPair rsa() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(2048);
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public static KeyPair ec() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A self-signed certificate for {@code cn} valid from an hour ago for a year. */
    public static X509Certificate selfSigned(KeyPair keys, String cn) {
        Instant now = Instant.now();
        return selfSigned(keys, cn, now.minus(Duration.ofHours(1)), now.plus(Duration.ofDays(365)));
    }

    public static X509Certificate selfSigned(KeyPair keys, String cn, Instant notBefore, Instant notAfter) {
        return issue(keys, cn, keys, cn, notBefore, notAfter, true);
    }

    /** A certificate for {@code subjectKeys} signed by {@code issuerKeys}. */
    public static X509Certificate issue(KeyPair subjectKeys, String subjectCn, KeyPair issuerKeys, String issuerCn,
            Instant notBefore, Instant notAfter, boolean ca) {
        try {
            JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                    new X500Principal("CN=" + issuerCn), BigInteger.valueOf(SERIAL.incrementAndGet()),
                    Date.from(notBefore), Date.from(notAfter), new X500Principal("CN=" + subjectCn),
                    subjectKeys.getPublic());
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
            builder.addExtension(Extension.subjectAlternativeName, false,
                    new GeneralNames(new GeneralName(GeneralName.dNSName, subjectCn)));
            String algorithm = issuerKeys.getPrivate().getAlgorithm().equals("EC") ? "SHA256withECDSA"
                    : "SHA256withRSA";
            ContentSigner signer = new JcaContentSignerBuilder(algorithm).setSecureRandom(new SecureRandom())
                    .build(issuerKeys.getPrivate());
            return new JcaX509CertificateConverter().getCertificate(builder.build(signer));
        } catch (IOException | GeneralSecurityException | OperatorCreationException e) {
            throw new IllegalStateException(e);
        }
    }

    public static void writeCertificates(Path file, X509Certificate... chain) throws IOException {
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.US_ASCII);
                JcaPEMWriter pem = new JcaPEMWriter(w)) {
            for (X509Certificate c : chain) {
                pem.writeObject(c);
            }
        }
    }

    public static void writeKey(Path file, KeyPair keys, KeyFormat format) throws IOException {
        PrivateKey key = keys.getPrivate();
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.US_ASCII);
                JcaPEMWriter pem = new JcaPEMWriter(w)) {
            if (format == KeyFormat.PKCS8) {
                pem.writeObject(new JcaPKCS8Generator(key, null));
            } else if (key instanceof ECPrivateKey) {
                // As openssl writes it: SEC 1 ECPrivateKey with the named curve and the public key.
                ECPrivateKey ec = (ECPrivateKey) key;
                ASN1Encodable curve = PrivateKeyInfo.getInstance(key.getEncoded()).getPrivateKeyAlgorithm()
                        .getParameters();
                org.bouncycastle.asn1.sec.ECPrivateKey sec1 = new org.bouncycastle.asn1.sec.ECPrivateKey(
                        ec.getParams().getOrder().bitLength(), ec.getS(),
                        SubjectPublicKeyInfo.getInstance(keys.getPublic().getEncoded()).getPublicKeyData(), curve);
                pem.writeObject(new PemObject("EC PRIVATE KEY", sec1.getEncoded()));
            } else {
                pem.writeObject(key); // RSA: PKCS#1
            }
        }
    }

    /** A certificate/key pair on disk. */
    public record PemPair(Path certificate, Path key, X509Certificate leaf) {}

    /** Writes a fresh self-signed RSA certificate for {@code cn} as {@code dir/name.crt} and {@code dir/name.key}. */
    public static PemPair write(Path dir, String name, String cn) throws IOException {
        KeyPair keys = rsa();
        X509Certificate cert = selfSigned(keys, cn);
        Path c = dir.resolve(name + ".crt");
        Path k = dir.resolve(name + ".key");
        writeCertificates(c, cert);
        writeKey(k, keys, KeyFormat.PKCS8);
        return new PemPair(c, k, cert);
    }

    /** A client context that trusts any server certificate (tests inspect the certificate themselves). */
    public static SSLContext trustAll() {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {new X509TrustManager() {
                @Override
                public void checkClientTrusted(X509Certificate[] chain, String authType) {}

                @Override
                public void checkServerTrusted(X509Certificate[] chain, String authType) {}

                @Override
                public X509Certificate[] getAcceptedIssuers() {
                    return new X509Certificate[0];
                }
            }}, new SecureRandom());
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
