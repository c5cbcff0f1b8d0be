package io.traverse.transport;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMException;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/**
 * Reads PEM files with Bouncy Castle's {@link PEMParser}: a certificate chain (leaf first) and a private key in
 * any of the forms OpenSSL and ACME clients write: PKCS#8 ({@code BEGIN PRIVATE KEY}), PKCS#1 RSA
 * ({@code BEGIN RSA PRIVATE KEY}) and SEC 1 EC ({@code BEGIN EC PRIVATE KEY}, optionally after an
 * {@code EC PARAMETERS} block). Keys become JDK key objects (no JCA provider is registered).
 */
final class TlsPem {
    static final String CERTIFICATE_KEY = "tls.certificate";
    static final String PRIVATE_KEY_KEY = "tls.private-key";

    private TlsPem() {}

    /** The certificates of {@code file} in file order; other PEM blocks (e.g. a key) are skipped. */
    static List<X509Certificate> readCertificates(Path file) throws CertificateStoreException {
        List<X509Certificate> chain = new ArrayList<>();
        JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
        try (Reader reader = open(CERTIFICATE_KEY, file); PEMParser pem = new PEMParser(reader)) {
            Object o;
            while ((o = pem.readObject()) != null) {
                if (o instanceof X509CertificateHolder) {
                    chain.add(converter.getCertificate((X509CertificateHolder) o));
                }
            }
        } catch (CertificateException e) {
            throw new CertificateStoreException(CERTIFICATE_KEY, file, "not a valid X.509 certificate: "
                    + e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            // Bouncy Castle reports bad Base64 and bad DER as unchecked exceptions.
            throw new CertificateStoreException(CERTIFICATE_KEY, file, "not a readable PEM file: " + e.getMessage(),
                    e);
        }
        if (chain.isEmpty()) {
            throw new CertificateStoreException(CERTIFICATE_KEY, file,
                    "no certificate found (expected -----BEGIN CERTIFICATE-----)");
        }
        return chain;
    }

    /** The first private key of {@code file}. Encrypted keys are refused: the server has no passphrase. */
    static PrivateKey readPrivateKey(Path file) throws CertificateStoreException {
        JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
        try (Reader reader = open(PRIVATE_KEY_KEY, file); PEMParser pem = new PEMParser(reader)) {
            Object o;
            while ((o = pem.readObject()) != null) {
                if (o instanceof PrivateKeyInfo) {
                    return converter.getPrivateKey((PrivateKeyInfo) o);
                }
                if (o instanceof PEMKeyPair) {
                    // Only the private half: SEC 1 keys may omit the public key.
                    return converter.getPrivateKey(((PEMKeyPair) o).getPrivateKeyInfo());
                }
                if (o instanceof PKCS8EncryptedPrivateKeyInfo || o instanceof PEMEncryptedKeyPair) {
                    throw new CertificateStoreException(PRIVATE_KEY_KEY, file, "the private key is encrypted; "
                            + "store it unencrypted (e.g. openssl pkey -in key.pem -out plain.pem) with mode 0600");
                }
            }
        } catch (PEMException e) {
            throw new CertificateStoreException(PRIVATE_KEY_KEY, file, "unsupported or corrupt private key: "
                    + e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            throw new CertificateStoreException(PRIVATE_KEY_KEY, file, "not a readable PEM file: " + e.getMessage(),
                    e);
        }
        throw new CertificateStoreException(PRIVATE_KEY_KEY, file, "no private key found (expected -----BEGIN "
                + "PRIVATE KEY-----, -----BEGIN RSA PRIVATE KEY----- or -----BEGIN EC PRIVATE KEY-----)");
    }

    private static Reader open(String key, Path file) throws CertificateStoreException {
        try {
            return Files.newBufferedReader(file, StandardCharsets.ISO_8859_1);
        } catch (NoSuchFileException e) {
            throw new CertificateStoreException(key, file, "file does not exist");
        } catch (AccessDeniedException e) {
            throw new CertificateStoreException(key, file, "permission denied");
        } catch (IOException e) {
            throw new CertificateStoreException(key, file, "cannot read: " + e);
        }
    }
}
