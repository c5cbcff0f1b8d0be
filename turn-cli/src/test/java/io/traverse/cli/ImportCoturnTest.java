package io.traverse.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.traverse.auth.UsersFile;
import io.traverse.config.ConfigLoader;
import io.traverse.config.TraverseConfig;
import io.traverse.net.IpAddresses;
import io.traverse.stun.auth.PasswordAlgorithm;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code turn-cli config import-coturn} on coturn's own example turnserver.conf (coturn 4.17.1, examples/etc),
 * on the one Debian's coturn package ships (/etc/turnserver.conf), and on a production-like file that uses every
 * translatable option: the output passes {@code config check} and means what the coturn file meant.
 */
class ImportCoturnTest {
    @TempDir
    Path dir;

    private static Path resource(String name) throws URISyntaxException {
        return Path.of(ImportCoturnTest.class.getResource("/coturn/" + name).toURI());
    }

    /** Lines of the file that hold an option (not blank, not a comment). */
    private static List<Integer> optionLines(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        List<Integer> out = new java.util.ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String t = lines.get(i).strip();
            if (!t.isEmpty() && !t.startsWith("#")) {
                out.add(i + 1);
            }
        }
        return out;
    }

    /** Imports {@code coturn} into {@code dir/traverse.yaml}, which {@code config check} must accept. */
    private Cli.Result importAndCheck(Path coturn) throws IOException {
        Cli.Result r = Cli.exec("config", "import-coturn", coturn.toString());
        assertEquals(0, r.exitCode(), r.toString());
        Path yaml = Files.writeString(dir.resolve("traverse.yaml"), r.out());
        Cli.Result check = Cli.exec("config", "check", yaml.toString());
        assertEquals(0, check.exitCode(), check + "\n" + r.out());
        return r;
    }

    @ParameterizedTest
    @ValueSource(strings = {"examples-turnserver.conf", "debian-turnserver.conf"})
    void theShippedConfigsTranslateToAValidConfigAndEveryOtherOptionIsListed(String name) throws Exception {
        Path coturn = resource(name);
        Cli.Result r = importAndCheck(coturn);
        Path yaml = dir.resolve("traverse.yaml");
        // every option line is translated or listed on stderr by its number
        TraverseConfig config = ConfigLoader.load(yaml, Map.of());
        for (int line : optionLines(coturn)) {
            String text = Files.readAllLines(coturn).get(line - 1).strip();
            boolean translated = text.startsWith("listening-port") || text.startsWith("realm");
            assertTrue(translated || r.err().contains("line " + line + ": "), "line " + line + " (" + text
                    + ") neither translated nor listed:\n" + r.err());
        }
        assertFalse(config.listeners().isEmpty());
    }

    @Test
    void debiansShippedConfigListsItsActiveOptionsWithReasons() throws Exception {
        Cli.Result r = Cli.exec("config", "import-coturn", resource("debian-turnserver.conf").toString());
        assertTrue(r.err().matches("(?s).*line \\d+: syslog: Traverse logs to stdout/journald.*"), r.err());
        assertTrue(r.err().contains("no-rfc5780: RFC 5780 runs only where nat-discovery is configured"), r.err());
    }

    /**
     * coturn's example with every documented option switched on (each {@code #option} line uncommented): every
     * option line is translated or listed, and the result is valid once its certificate paths exist.
     */
    @Test
    void theExampleWithEveryOptionSwitchedOnIsTranslatedOrListedLineByLine() throws Exception {
        Path all = dir.resolve("all.conf");
        Files.write(all, Files.readAllLines(resource("examples-turnserver.conf")).stream()
                .map(l -> l.matches("#[a-zA-Z-].*") ? l.substring(1) : l).toList());
        Cli.Result r = Cli.exec("config", "import-coturn", all.toString(), "--users-file",
                dir.resolve("users.txt").toString());
        assertEquals(0, r.exitCode(), r.toString());
        List<String> lines = Files.readAllLines(all);
        List<String> translated = List.of("listening-port", "tls-listening-port", "listening-ip", "relay-ip",
                "external-ip", "min-port", "max-port", "realm", "user=", "use-auth-secret", "static-auth-secret",
                "cert", "pkey", "no-udp", "no-tcp", "no-tls", "no-dtls", "total-quota", "user-quota",
                "max-allocate-lifetime", "permission-lifetime", "channel-lifetime", "stale-nonce",
                "unauthorized-ratelimit-rps", "prometheus-port", "max-bps", "bps-capacity", "verbose", "Verbose", "lt-cred-mech", "fingerprint",
                "no-multicast-peers", "no-loopback-peers", "no-cli", "no-tlsv1", "no-stdout-log", "simple-log",
                "new-log-timestamp", "check-origin-consistency", "denied-peer-ip", "allowed-peer-ip");
        for (int line : optionLines(all)) {
            String text = lines.get(line - 1).strip();
            if (translated.stream().anyMatch(text::startsWith)) {
                continue;
            }
            assertTrue(r.err().contains("line " + line + ": "), "line " + line + " (" + text
                    + ") neither translated nor listed:\n" + r.err());
        }
        Path yaml = Files.writeString(dir.resolve("traverse.yaml"), r.out());
        Path[] tls = certificate();
        Cli.Result check = Cli.exec("config", "check", yaml.toString(), "--set", "tls.certificate=" + tls[0],
                "--set", "tls.private-key=" + tls[1]);
        assertEquals(0, check.exitCode(), check + "\n" + r.out());
    }

    private Path[] certificate() throws IOException {
        java.security.KeyPair keys = io.traverse.transport.TlsTestCertificates.ec();
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        io.traverse.transport.TlsTestCertificates.writeCertificates(cert,
                io.traverse.transport.TlsTestCertificates.selfSigned(keys, "turn.example.org"));
        io.traverse.transport.TlsTestCertificates.writeKey(key, keys,
                io.traverse.transport.TlsTestCertificates.KeyFormat.PKCS8);
        return new Path[] {cert, key};
    }

    @Test
    void everyTranslatableOptionMeansTheSameInTraverse() throws Exception {
        Path users = dir.resolve("users.txt");
        Path[] tls = certificate();
        Path coturn = Files.writeString(dir.resolve("turnserver.conf"),
                Files.readString(resource("full-turnserver.conf")).replace("/etc/ssl/turn.pem", tls[0].toString())
                        .replace("/etc/ssl/turn.key", tls[1].toString()));
        Cli.Result r = Cli.exec("config", "import-coturn", coturn.toString(), "--users-file", users.toString());
        assertEquals(0, r.exitCode(), r.toString());
        Path yaml = Files.writeString(dir.resolve("traverse.yaml"), r.out());
        Cli.Result check = Cli.exec("config", "check", yaml.toString());
        assertEquals(0, check.exitCode(), check + "\n" + r.out());
        TraverseConfig c = ConfigLoader.load(yaml, Map.of());

        assertEquals("example.org", c.server().realm());
        assertEquals(List.of("udp://192.0.2.10:3479", "tcp://192.0.2.10:3479", "tls://192.0.2.10:5350",
                "udp://[2001:db8::10]:3479", "tcp://[2001:db8::10]:3479", "tls://[2001:db8::10]:5350"),
                c.listeners().stream().map(l -> l.protocol().configName() + "://"
                        + IpAddresses.formatForUri(l.address()) + ":" + l.port()).collect(Collectors.toList()));
        assertEquals("192.0.2.20", IpAddresses.format(c.relay().addresses().get(0).bind()));
        assertEquals("198.51.100.7", IpAddresses.format(c.relay().addresses().get(0).advertised()));
        assertEquals("2001:db8::20", IpAddresses.format(c.relay().addresses().get(1).bind()));
        assertEquals(50000, c.relay().portRange().min());
        assertEquals(50999, c.relay().portRange().max());
        assertEquals(500, c.relay().maxAllocations());
        assertEquals(12, c.relay().maxAllocationsPerUser());
        assertEquals(1800, c.relay().allocationLifetime().max().toSeconds());
        assertEquals(240, c.relay().permissionLifetime().toSeconds());
        assertEquals(500, c.relay().channelLifetime().toSeconds());
        assertEquals(900, c.auth().nonceLifetime().toSeconds());
        assertEquals(List.of("the-rest-secret"), c.auth().restSecrets());
        assertEquals(tls[0], c.tls().certificate());
        assertEquals(List.of("10.0.0.0/8", "172.16.0.1/32", "172.16.0.2/31", "172.16.0.4/31", "172.16.0.6/32"),
                c.peers().deny().stream().map(Object::toString).toList());
        assertEquals(List.of("10.1.2.3/32"), c.peers().allow().stream().map(Object::toString).toList());
        assertEquals("203.0.113.5", IpAddresses.format(c.drain().alternateServer().getAddress()));
        assertEquals(9100, c.admin().port());
        assertEquals(64000, c.bandwidth().maxBps());
        assertEquals(10000000, c.bandwidth().bpsCapacity());
        assertEquals("debug", c.logging().level().name().toLowerCase(java.util.Locale.ROOT));

        // users: alice from her password, bob's MD5 key as given; no password or secret printed anywhere
        UsersFile file = UsersFile.parse(users);
        assertEquals(2, file.entries().size());
        assertEquals("0123456789abcdef0123456789abcdef", HexFormat.of().formatHex(
                file.entries().get(1).key(PasswordAlgorithm.MD5).orElseThrow()));
        assertTrue(file.entries().get(0).hasKey(PasswordAlgorithm.SHA256));
        assertFalse(r.out().contains("wonderland") || r.err().contains("wonderland"));
        assertFalse(r.err().contains("the-rest-secret"), r.err());

        assertTrue(r.err().contains("line 36: mobility: ICE mobility (MOBILITY-TICKET) is not implemented"), r.err());
        assertTrue(r.err().contains("line 39: bogus-option=1: unknown option"), r.err());
        assertTrue(r.err().contains("translated with a caveat: line 31: prometheus:"), r.err());
        assertFalse(r.err().contains("fingerprint") || r.err().contains("no-cli"), r.err());
    }

    /** coturn's user databases become {@code auth.store}; a password in them is never copied nor printed. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "userdb=/var/lib/turn/turndb | sqlite:/var/lib/turn/turndb",
        "db /srv/turn/turndb | sqlite:/srv/turn/turndb",
        "psql-userdb=\"host=db.example.org dbname=coturn user=turn password=hunter2 connect_timeout=30\""
                + " | postgres://turn@db.example.org:5432/coturn",
        "sql-userdb=\"host=2001:db8::5 port=6543 dbname=turndb user=turn password='hunter2 x'\""
                + " | postgres://turn@[2001:db8::5]:6543/turndb",
        "psql-userdb=postgresql://turn:hunter2@db.example.org:6543/turndb?sslmode=require&password=hunter2"
                + " | postgres://turn@db.example.org:6543/turndb",
        "redis-userdb=\"ip=192.0.2.7 dbname=3 password=hunter2 port=6380 connect_timeout=30\""
                + " | redis://192.0.2.7:6380/3",
        "redis-userdb=\"ip=192.0.2.7 password=hunter2 port=6380 tls=true\" | rediss://192.0.2.7:6380/0"
    })
    void coturnsUserDatabaseBecomesTheCredentialStore(String option, String url) throws Exception {
        Path coturn = Files.writeString(dir.resolve("turnserver.conf"),
                "realm=example.org\nlt-cred-mech\nmysql-userdb=\"host=x password=hunter2\"\n" + option + "\n");
        Cli.Result r = importAndCheck(coturn);
        TraverseConfig c = ConfigLoader.load(dir.resolve("traverse.yaml"), Map.of());
        assertEquals(url, c.auth().store().url());
        assertEquals(List.of(PasswordAlgorithm.MD5), c.auth().passwordAlgorithms(), "coturn's keys are MD5 keys");
        assertTrue(r.err().contains("translated with a caveat: line 4: "), r.err());
        assertEquals(option.contains("hunter2"), r.err().contains("auth.store.password-file"), r.err());
        assertFalse(r.out().contains("hunter2") || r.err().contains("hunter2"), "never the password:\n" + r);
    }

    @Test
    void withoutAUserDatabaseTheDefaultSqliteFileIsMentioned() throws Exception {
        Path coturn = Files.writeString(dir.resolve("turnserver.conf"), "realm=example.org\nlt-cred-mech\n");
        Cli.Result r = Cli.exec("config", "import-coturn", coturn.toString());
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.err().contains("(user database): without userdb= coturn also reads users"), r.err());
        assertFalse(r.out().contains("store"), r.out());
    }

    @Test
    void usersWithoutAUsersFileAreListedNotLost() throws Exception {
        Cli.Result r = Cli.exec("config", "import-coturn", resource("full-turnserver.conf").toString());
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.err().contains("2 user(s) not written: give --users-file FILE"), r.err());
    }

    @Test
    void anExistingUsersFileIsNotOverwritten() throws Exception {
        Path users = Files.writeString(dir.resolve("users.txt"), "# mine\n");
        Cli.Result r = Cli.exec("config", "import-coturn", resource("full-turnserver.conf").toString(),
                "--users-file", users.toString());
        assertEquals(1, r.exitCode(), r.toString());
        assertTrue(r.err().contains("exists; give a new file"), r.err());
        assertEquals("# mine\n", Files.readString(users));
    }

    @Test
    void aRangeBecomesTheExactCidrBlocks() throws Exception {
        assertEquals(List.of("::/0"), CoturnImport.rangeToCidrs(IpAddresses.parse("::"),
                IpAddresses.parse("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")));
        assertEquals(List.of("192.168.1.255/32", "192.168.2.0/31"), CoturnImport.rangeToCidrs(
                IpAddresses.parse("192.168.1.255"), IpAddresses.parse("192.168.2.1")));
    }
}
