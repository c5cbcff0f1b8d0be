package io.traverse.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.traverse.transport.TlsTestCertificates.KeyFormat;
import io.traverse.transport.TlsTestCertificates.PemPair;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CertificateStoreTest {
    @TempDir
    Path dir;

    private static final Clock CLOCK = Clock.systemUTC();

    private Path cert(String name, X509Certificate... chain) throws Exception {
        Path p = dir.resolve(name);
        TlsTestCertificates.writeCertificates(p, chain);
        return p;
    }

    private Path key(String name, KeyPair keys, KeyFormat format) throws Exception {
        Path p = dir.resolve(name);
        TlsTestCertificates.writeKey(p, keys, format);
        return p;
    }

    @ParameterizedTest
    @CsvSource({"RSA, PKCS8, -----BEGIN PRIVATE KEY-----", "RSA, TRADITIONAL, -----BEGIN RSA PRIVATE KEY-----",
            "EC, PKCS8, -----BEGIN PRIVATE KEY-----", "EC, TRADITIONAL, -----BEGIN EC PRIVATE KEY-----"})
    void loadsEveryKeyForm(String algorithm, KeyFormat format, String header) throws Exception {
        KeyPair keys = algorithm.equals("RSA") ? TlsTestCertificates.rsa() : TlsTestCertificates.ec();
        X509Certificate leaf = TlsTestCertificates.selfSigned(keys, "turn.example");
        Path c = cert("c.pem", leaf);
        Path k = key("k.pem", keys, format);
        assertTrue(Files.readString(k).startsWith(header), Files.readString(k));
        CertificateStore store = CertificateStore.load(c, k, CLOCK);
        assertEquals(leaf, store.current().leaf());
        assertNotNull(store.sslContext());
        assertTrue(store.sslContext().isServer());
        assertEquals(algorithm, store.current().privateKey().getAlgorithm());
        assertEquals(1, store.generation());
    }

    @Test
    void loadsAChainLeafFirst() throws Exception {
        KeyPair ca = TlsTestCertificates.rsa();
        KeyPair server = TlsTestCertificates.ec();
        Instant now = Instant.now();
        X509Certificate caCert = TlsTestCertificates.selfSigned(ca, "Test CA");
        X509Certificate leaf = TlsTestCertificates.issue(server, "turn.example", ca, "Test CA",
                now.minusSeconds(60), now.plus(Duration.ofDays(30)), false);
        CertificateStore store = CertificateStore.load(cert("chain.pem", leaf, caCert),
                key("k.pem", server, KeyFormat.PKCS8), CLOCK);
        assertEquals(2, store.current().chain().size());
        assertEquals(leaf, store.current().leaf());
    }

    @Test
    void expiredCertificateNamesFileAndDate() throws Exception {
        KeyPair keys = TlsTestCertificates.rsa();
        Instant expiry = Instant.parse("2025-01-01T00:00:00Z");
        Path c = cert("old.pem", TlsTestCertificates.selfSigned(keys, "old", expiry.minus(Duration.ofDays(90)),
                expiry));
        Path k = key("k.pem", keys, KeyFormat.PKCS8);
        CertificateStoreException e = assertThrows(CertificateStoreException.class,
                () -> CertificateStore.load(c, k, CLOCK));
        assertEquals("tls.certificate " + c + ": certificate expired on 2025-01-01T00:00:00Z", e.getMessage());
        assertEquals("tls.certificate", e.key());
        assertEquals(c, e.file());
    }

    @Test
    void notYetValidCertificateIsRefused() throws Exception {
        KeyPair keys = TlsTestCertificates.rsa();
        Instant start = Instant.parse("2031-06-01T00:00:00Z");
        Path c = cert("future.pem", TlsTestCertificates.selfSigned(keys, "f", start, start.plus(Duration.ofDays(9))));
        Path k = key("k.pem", keys, KeyFormat.PKCS8);
        CertificateStoreException e = assertThrows(CertificateStoreException.class,
                () -> CertificateStore.load(c, k, Clock.fixed(Instant.parse("2030-01-01T00:00:00Z"), ZoneOffset.UTC)));
        assertEquals("tls.certificate " + c + ": certificate is not valid before 2031-06-01T00:00:00Z",
                e.getMessage());
    }

    @Test
    void keyOfAnotherCertificateIsRefused() throws Exception {
        Path c = cert("c.pem", TlsTestCertificates.selfSigned(TlsTestCertificates.rsa(), "a"));
        Path k = key("other.pem", TlsTestCertificates.rsa(), KeyFormat.TRADITIONAL);
        CertificateStoreException e = assertThrows(CertificateStoreException.class,
                () -> CertificateStore.load(c, k, CLOCK));
        assertEquals("tls.private-key " + k + ": does not match the certificate in " + c, e.getMessage());
    }

    @Test
    void keyOfAnotherAlgorithmIsRefused() throws Exception {
        Path c = cert("c.pem", TlsTestCertificates.selfSigned(TlsTestCertificates.rsa(), "a"));
        Path k = key("ec.pem", TlsTestCertificates.ec(), KeyFormat.PKCS8);
        CertificateStoreException e = assertThrows(CertificateStoreException.class,
                () -> CertificateStore.load(c, k, CLOCK));
        assertTrue(e.getMessage().startsWith("tls.private-key " + k + ": does not match the certificate in " + c),
                e.getMessage());
    }

    @Test
    void missingFilesAreNamed() throws Exception {
        PemPair pair = TlsTestCertificates.write(dir, "s", "turn.example");
        Path nowhere = dir.resolve("missing.pem");
        assertEquals("tls.certificate " + nowhere + ": file does not exist", assertThrows(
                CertificateStoreException.class, () -> CertificateStore.load(nowhere, pair.key(), CLOCK)).getMessage());
        assertEquals("tls.private-key " + nowhere + ": file does not exist", assertThrows(
                CertificateStoreException.class,
                () -> CertificateStore.load(pair.certificate(), nowhere, CLOCK)).getMessage());
    }

    @Test
    void filesWithoutPemBlocksAreRefused() throws Exception {
        PemPair pair = TlsTestCertificates.write(dir, "s", "turn.example");
        Path der = dir.resolve("cert.der");
        Files.write(der, pair.leaf().getEncoded());
        CertificateStoreException e = assertThrows(CertificateStoreException.class,
                () -> CertificateStore.load(der, pair.key(), CLOCK));
        assertEquals("tls.certificate " + der + ": no certificate found (expected -----BEGIN CERTIFICATE-----)",
                e.getMessage());
        // A certificate file given as the key has no key in it.
        e = assertThrows(CertificateStoreException.class,
                () -> CertificateStore.load(pair.certificate(), pair.certificate(), CLOCK));
        assertTrue(e.getMessage().startsWith("tls.private-key " + pair.certificate() + ": no private key found"),
                e.getMessage());
    }

    @Test
    void corruptPemIsRefusedWithTheFileName() throws Exception {
        PemPair pair = TlsTestCertificates.write(dir, "s", "turn.example");
        Path bad = dir.resolve("bad.pem");
        Files.writeString(bad, "-----BEGIN CERTIFICATE-----\nAAAA!!!!\n-----END CERTIFICATE-----\n");
        CertificateStoreException e = assertThrows(CertificateStoreException.class,
                () -> CertificateStore.load(bad, pair.key(), CLOCK));
        assertTrue(e.getMessage().startsWith("tls.certificate " + bad + ": "), e.getMessage());
    }

    @Test
    void encryptedKeyIsRefused() throws Exception {
        PemPair pair = TlsTestCertificates.write(dir, "s", "turn.example");
        Path encrypted = dir.resolve("enc.pem");
        // An EncryptedPrivateKeyInfo: AlgorithmIdentifier (PBES2 OID) + OCTET STRING; content never decrypted.
        byte[] der = {0x30, 0x13, 0x30, 0x0b, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d,
                0x01, 0x05, 0x0d, 0x04, 0x04, 1, 2, 3, 4};
        Files.writeString(encrypted, "-----BEGIN ENCRYPTED PRIVATE KEY-----\n"
                + Base64.getMimeEncoder().encodeToString(der) + "\n-----END ENCRYPTED PRIVATE KEY-----\n");
        CertificateStoreException e = assertThrows(CertificateStoreException.class,
                () -> CertificateStore.load(pair.certificate(), encrypted, CLOCK));
        assertTrue(e.getMessage().startsWith("tls.private-key " + encrypted + ": the private key is encrypted"),
                e.getMessage());
    }

    @Test
    void reloadInstallsNewPairAndKeepsOldOnError() throws Exception {
        PemPair first = TlsTestCertificates.write(dir, "s", "first.example");
        CertificateStore store = CertificateStore.load(first.certificate(), first.key(), CLOCK);
        TlsCredentials before = store.current();

        PemPair second = TlsTestCertificates.write(dir, "tmp", "second.example");
        Files.move(second.certificate(), first.certificate(), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.move(second.key(), first.key(), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertTrue(store.reload());
        assertEquals(second.leaf(), store.current().leaf());
        assertEquals(2, store.generation());

        TlsCredentials good = store.current();
        Files.writeString(first.certificate(), "garbage", StandardCharsets.US_ASCII);
        assertFalse(store.reload());
        assertSame(good, store.current());
        assertEquals(2, store.generation());
        assertFalse(before == good);
    }

    @Test
    void pollReloadsOnlyWhenAFileChanged() throws Exception {
        PemPair first = TlsTestCertificates.write(dir, "s", "first.example");
        CertificateStore store = CertificateStore.load(first.certificate(), first.key(), CLOCK);
        assertFalse(store.poll());
        assertEquals(1, store.generation());

        // The key first, then the certificate: in between the pair does not match and the old one stays.
        KeyPair keys = TlsTestCertificates.rsa();
        X509Certificate next = TlsTestCertificates.selfSigned(keys, "next.example");
        TlsTestCertificates.writeKey(first.key(), keys, KeyFormat.PKCS8);
        bump(first.key());
        assertFalse(store.poll());
        assertEquals(first.leaf(), store.current().leaf());
        assertFalse(store.poll(), "a failed file is not retried until it changes");
        TlsTestCertificates.writeCertificates(first.certificate(), next);
        bump(first.certificate());
        assertTrue(store.poll());
        assertEquals(next, store.current().leaf());
        assertFalse(store.poll());
    }

    @Test
    void pollerPicksUpChanges() throws Exception {
        PemPair first = TlsTestCertificates.write(dir, "s", "first.example");
        try (CertificateStore store = CertificateStore.load(first.certificate(), first.key(), CLOCK)) {
            store.start(Duration.ofMillis(50));
            PemPair second = TlsTestCertificates.write(dir, "s", "second.example");
            bump(second.certificate());
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (!store.current().leaf().equals(second.leaf()) && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertEquals(second.leaf(), store.current().leaf());
        }
    }

    @Test
    void toStringNamesTheCertificateButNotTheKey() throws Exception {
        PemPair pair = TlsTestCertificates.write(dir, "s", "turn.example");
        CertificateStore store = CertificateStore.load(pair.certificate(), pair.key(), CLOCK);
        String text = store.current().toString();
        assertTrue(text.contains("CN=turn.example"), text);
        String keyBase64 = Base64.getEncoder().encodeToString(store.current().privateKey().getEncoded());
        assertFalse(text.contains(keyBase64.substring(40, 60)), text);
        assertFalse(text.toLowerCase().contains("private"), text);
    }

    /** Makes a rewrite visible to mtime polling even within the file system's timestamp granularity. */
    private static void bump(Path file) throws Exception {
        Files.setLastModifiedTime(file, FileTime.from(Files.getLastModifiedTime(file).toInstant().plusSeconds(2)));
    }
}
