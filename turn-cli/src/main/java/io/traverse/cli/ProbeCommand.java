package io.traverse.cli;

import io.traverse.auth.RestCredential;
import io.traverse.auth.RestSecrets;
import io.traverse.client.AddressFamily;
import io.traverse.client.AllocateOptions;
import io.traverse.client.AllocateResult;
import io.traverse.client.ChannelDataMessage;
import io.traverse.client.DataIndication;
import io.traverse.client.Inbound;
import io.traverse.client.TurnClient;
import io.traverse.client.TurnClientOptions;
import io.traverse.client.TurnCredentials;
import io.traverse.client.TurnErrorException;
import io.traverse.stun.auth.CredentialException;
import io.traverse.stun.auth.PasswordAlgorithm;
import io.traverse.stun.codec.Integrity;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code turn-cli probe URL}: checks a STUN/TURN server step by step with the real protocol: connect,
 * Binding, Allocate, then (the peer test) CreatePermission, ChannelBind and a packet through the relay and
 * back, and finally deletes the allocation. Each step prints its elapsed time; the first failing step ends the
 * probe with exit 1 and a one-line reason.
 *
 * <p>Default peer test: a second allocation is the peer, so the packet goes client A → relay A → relay B →
 * client B and back, with no outside host. Servers that deny their own relay addresses as peers answer
 * CreatePermission with 403; then {@code --peer HOST:PORT} names an outside UDP echo peer instead.
 */
@Command(name = "probe",
        mixinStandardHelpOptions = true,
        usageHelpAutoWidth = true,
        sortOptions = false,
        description = {
            "Probe a STUN/TURN server: connect, Binding, Allocate, CreatePermission, ChannelBind, a packet through "
                    + "the relay and back, then delete the allocation. Prints each step with its time.",
            "URL: turn:HOST[:PORT][?transport=udp|tcp], turns:HOST[:PORT] (TLS), stun:HOST[:PORT] (Binding only)."
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  turn-cli probe 'turn:turn.example.org?transport=udp' \\",
            "      --user alice --password-file ~/.turn-password",
            "  turn-cli probe turns:turn.example.org \\",
            "      --secret-file /etc/traverse/rest-secrets --user probe",
            "  turn-cli probe stun:stun.example.org:3478",
            "  turn-cli probe 'turn:203.0.113.5?transport=tcp' --user alice \\",
            "      --password-stdin --peer 198.51.100.9:7",
            "",
            "Exit codes: 0 every step passed; 1 a step failed, named with the reason",
            "(401, 403, timeout, TLS error, connection refused, ...); 2 usage error."
        })
final class ProbeCommand implements Callable<Integer> {
    static final int CHANNEL = 0x4000;

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "URL", description = "Server URL, e.g. turn:turn.example.org:3478?transport=udp.")
    String url;

    @Option(names = "--user", paramLabel = "USER",
            description = "Username; with --secret-file/--secret-env the REST user id (optional there).")
    String user;

    @ArgGroup(exclusive = true, multiplicity = "0..1", heading = "Password for --user (one of; default: ask):%n")
    PasswordOptions password;

    @ArgGroup(exclusive = true, multiplicity = "0..1", heading = "Or mint a REST credential (one of):%n")
    RestOptions rest;

    static final class RestOptions {
        @Option(names = "--secret-file", paramLabel = "FILE", description = "REST shared secrets file (first line signs).")
        Path file;

        @Option(names = "--secret-env", paramLabel = "VAR", description = "Environment variable holding the REST secret.")
        String env;
    }

    @Option(names = "--peer-test", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "After Allocate, test CreatePermission, ChannelBind and relaying (default: on).")
    boolean peerTest;

    @Option(names = "--peer", paramLabel = "HOST:PORT",
            description = "Relay to this UDP echo peer instead of a second allocation of the probe's own.")
    String peer;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "5s", converter = TtlConverter.class,
            description = "Per transaction, connect and wait for relayed data (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Option(names = "--family", paramLabel = "FAMILY",
            description = "REQUESTED-ADDRESS-FAMILY of the relayed address: ipv4 or ipv6.")
    AddressFamily family;

    @Option(names = "--password-algorithm", paramLabel = "ALG",
            description = "Force the password algorithm: md5 or sha256 (default: the server's first supported).")
    String passwordAlgorithm;

    @Option(names = "--integrity", paramLabel = "KIND",
            description = "Force MESSAGE-INTEGRITY (sha1) or MESSAGE-INTEGRITY-SHA256 (sha256); default: sha256 "
                    + "for RFC 8489 servers.")
    String integrity;

    @Option(names = "--userhash", description = "Send USERHASH instead of USERNAME.")
    boolean userHash;

    @Option(names = "--ca-file", paramLabel = "PEM", description = "TLS: trust these CA certificates.")
    Path caFile;

    @Option(names = "--tls-server-name", paramLabel = "NAME", description = "TLS: name to send (SNI) and verify.")
    String tlsServerName;

    @Option(names = "--insecure", description = "TLS: accept any certificate and name (test servers only).")
    boolean insecure;

    @Override
    public Integer call() throws Exception {
        TurnUrl target;
        try {
            target = TurnUrl.parse(url);
        } catch (IllegalArgumentException e) {
            throw CliException.usage(e.getMessage());
        }
        InetSocketAddress explicitPeer = peer == null ? null : parsePeer(peer);
        AllocateOptions allocateOptions = allocateOptions();
        TurnCredentials credentials = target.isTurn() ? credentials() : null;
        TurnClientOptions clientOptions = clientOptions(target);

        PrintWriter out = spec.commandLine().getOut();
        out.println("probe " + target);
        out.flush();
        ProbeStep steps = new ProbeStep(out);
        try {
            probe(steps, target, clientOptions, credentials, allocateOptions, explicitPeer);
        } catch (ProbeStep.Failed f) {
            throw CliException.failed("probe failed at step '" + f.step() + "': " + f.getMessage());
        }
        out.println("OK: " + steps.passed() + " steps passed in " + steps.elapsedMillis() + " ms");
        out.flush();
        return ExitCodes.OK;
    }

    private void probe(ProbeStep steps, TurnUrl target, TurnClientOptions options, TurnCredentials credentials,
            AllocateOptions allocateOptions, InetSocketAddress explicitPeer) throws ProbeStep.Failed {
        InetSocketAddress server = steps.run("resolve", () -> {
            InetSocketAddress a = target.address();
            if (a.isUnresolved()) {
                throw new ProbeStep.Reason("unknown host " + target.host());
            }
            return a;
        }, a -> Addresses.format(a));

        TurnClient a = steps.run("connect", () -> TurnClient.connect(target.transport(), server, options),
                c -> transportName(target) + " from " + Addresses.format(c.localAddress()));
        try (a) {
            steps.run("binding", a::binding, r -> "reflexive address " + Addresses.format(r));
            if (credentials == null) {
                return;
            }
            AllocateResult allocation = steps.run("allocate", () -> a.allocate(credentials, allocateOptions),
                    r -> "relayed " + Addresses.format(r.relayedAddresses()) + ", lifetime " + r.lifetimeSeconds() + " s ("
                            + a.authSummary().map(s -> s.describe()).orElse("no authentication") + ")");
            if (peerTest) {
                if (explicitPeer != null) {
                    relayToExplicitPeer(steps, a, explicitPeer);
                } else {
                    relayThroughSecondAllocation(steps, target, server, options, credentials, allocateOptions, a,
                            allocation.relayedAddress());
                }
            }
            steps.run("deallocate", () -> {
                a.deallocate();
                return null;
            }, r -> "allocation deleted");
        }
    }

    private void relayToExplicitPeer(ProbeStep steps, TurnClient a, InetSocketAddress target) throws ProbeStep.Failed {
        steps.run("create-permission", () -> {
            permission(a, target, "");
            return null;
        }, r -> "for " + Addresses.ip(target));
        steps.run("channel-bind", () -> {
            a.channelBind(CHANNEL, target);
            return null;
        }, r -> String.format("channel 0x%04X -> %s", CHANNEL, Addresses.format(target)));
        byte[] payload = payload();
        steps.run("relay", () -> {
            a.sendChannelData(CHANNEL, payload);
            Inbound back;
            try {
                back = a.receive(timeout);
            } catch (io.traverse.client.TurnTimeoutException e) {
                throw new ProbeStep.Reason("no reply from peer " + Addresses.format(target) + " within " + timeout.toMillis()
                        + " ms (the peer must echo UDP datagrams)");
            }
            if (!Arrays.equals(back.data(), payload)) {
                throw new ProbeStep.Reason("the peer answered with other data than it was sent");
            }
            return back;
        }, r -> payload.length + " bytes to " + Addresses.format(target) + " and back as " + describe(r));
    }

    private void relayThroughSecondAllocation(ProbeStep steps, TurnUrl target, InetSocketAddress server,
            TurnClientOptions options, TurnCredentials credentials, AllocateOptions allocateOptions, TurnClient a,
            InetSocketAddress relayA) throws ProbeStep.Failed {
        PeerAllocation peerAllocation = steps.run("allocate-peer", () -> {
            TurnClient c = TurnClient.connect(target.transport(), server, options);
            try {
                return new PeerAllocation(c, c.allocate(credentials, allocateOptions).relayedAddress());
            } catch (Exception e) {
                c.close();
                throw e;
            }
        }, p -> "second allocation as the peer: relayed " + Addresses.format(p.relayed()));
        InetSocketAddress relayB = peerAllocation.relayed();
        try (TurnClient b = peerAllocation.client()) {
            steps.run("create-permission", () -> {
                permission(a, relayB, " (the probe's second relayed address)");
                permission(b, relayA, " (the probe's first relayed address)");
                return null;
            }, r -> "A -> " + Addresses.ip(relayB) + ", B -> " + Addresses.ip(relayA));
            steps.run("channel-bind", () -> {
                a.channelBind(CHANNEL, relayB);
                return null;
            }, r -> String.format("channel 0x%04X -> %s", CHANNEL, Addresses.format(relayB)));
            byte[] out = payload();
            byte[] back = payload();
            steps.run("relay", () -> {
                a.sendChannelData(CHANNEL, out);
                Inbound atB = await(b, "the packet sent on the channel did not reach the peer allocation");
                if (!(atB instanceof DataIndication d) || !Arrays.equals(d.data(), out)) {
                    throw new ProbeStep.Reason("the peer allocation received other data: " + atB);
                }
                b.send(relayA, back);
                Inbound atA = await(a, "the reply did not come back through the relay");
                if (!(atA instanceof ChannelDataMessage m) || m.channel() != CHANNEL || !Arrays.equals(m.data(), back)) {
                    throw new ProbeStep.Reason("the reply came back as " + atA + " instead of ChannelData on the channel");
                }
                return null;
            }, r -> out.length + " bytes A -> relay A -> relay B -> B and back as ChannelData");
            try {
                b.deallocate();
            } catch (Exception e) {
                // the main allocation's deallocate step reports problems; this one is cleanup
            }
        }
    }

    /** The probe's second client and its relayed address, the peer of the first. */
    private record PeerAllocation(TurnClient client, InetSocketAddress relayed) {}

    private static void permission(TurnClient client, InetSocketAddress target, String what) throws Exception {
        try {
            client.createPermission(target);
        } catch (TurnErrorException e) {
            if (e.code() == 403) {
                throw new ProbeStep.Reason("403 " + e.reason() + ": the server's peer policy denies relaying to "
                        + Addresses.ip(target) + what + "; servers often deny their own addresses. Use "
                        + "--peer HOST:PORT with a UDP echo peer outside the server, or --no-peer-test");
            }
            throw e;
        }
    }

    private Inbound await(TurnClient client, String what) throws Exception {
        try {
            return client.receive(timeout);
        } catch (io.traverse.client.TurnTimeoutException e) {
            throw new ProbeStep.Reason(what + " within " + timeout.toMillis() + " ms");
        }
    }

    private static String describe(Inbound inbound) {
        return inbound instanceof ChannelDataMessage ? "ChannelData" : "a Data indication";
    }

    private static byte[] payload() {
        byte[] random = new byte[8];
        new SecureRandom().nextBytes(random);
        return ("traverse-probe " + HexFormat.of().formatHex(random)).getBytes(StandardCharsets.US_ASCII);
    }

    private static String transportName(TurnUrl target) {
        return target.transport().name().toLowerCase(java.util.Locale.ROOT);
    }

    private TurnCredentials credentials() throws CliException {
        CliEnvironment env = TurnCli.environment(spec);
        if (rest != null) {
            if (password != null) {
                throw CliException.usage("give either a password option or --secret-file/--secret-env, not both");
            }
            RestSecrets secrets = rest.file != null ? SecretSources.fromFile(rest.file, env.clock())
                    : SecretSources.fromEnv(rest.env, env);
            try {
                RestCredential c = secrets.sign(user, Duration.ofHours(1));
                return TurnCredentials.password(c.username(), c.password());
            } catch (CredentialException e) {
                throw CliException.failed(e.getMessage());
            }
        }
        if (user == null) {
            throw CliException.usage("a TURN probe needs credentials: --user with --password-stdin, --password-file "
                    + "or a terminal prompt, or --secret-file/--secret-env (a stun: URL needs none)");
        }
        String pw = Passwords.read(password, spec, user, false);
        try {
            return TurnCredentials.password(user, pw);
        } catch (IllegalArgumentException e) {
            throw CliException.failed(e.getMessage());
        }
    }

    private AllocateOptions allocateOptions() throws CliException {
        AllocateOptions.Builder b = AllocateOptions.builder().userHash(userHash).requestedFamily(family);
        if (passwordAlgorithm != null) {
            switch (passwordAlgorithm.toLowerCase(java.util.Locale.ROOT)) {
                case "md5": b.passwordAlgorithm(PasswordAlgorithm.MD5); break;
                case "sha256": case "sha-256": b.passwordAlgorithm(PasswordAlgorithm.SHA256); break;
                default: throw CliException.usage("--password-algorithm must be md5 or sha256, got '"
                        + passwordAlgorithm + "'");
            }
        }
        if (integrity != null) {
            switch (integrity.toLowerCase(java.util.Locale.ROOT)) {
                case "sha1": case "sha-1": b.integrity(Integrity.Kind.SHA1); break;
                case "sha256": case "sha-256": b.integrity(Integrity.Kind.SHA256); break;
                default: throw CliException.usage("--integrity must be sha1 or sha256, got '" + integrity + "'");
            }
        }
        return b.build();
    }

    private TurnClientOptions clientOptions(TurnUrl target) throws CliException {
        TurnClientOptions.Builder b = TurnClientOptions.builder()
                .transactionTimeout(timeout)
                .connectTimeout(timeout)
                .software("turn-cli probe");
        if (tlsServerName != null) {
            b.tlsServerName(tlsServerName);
        }
        if (insecure && caFile != null) {
            throw CliException.usage("--insecure and --ca-file exclude each other");
        }
        if (insecure) {
            TurnCli.warn(spec, "--insecure: the server's TLS certificate is not checked");
            b.sslContext(TlsTrust.insecure()).verifyHostname(false);
        } else if (caFile != null) {
            b.sslContext(TlsTrust.fromPem(caFile));
        }
        return b.build();
    }

    /** {@code HOST:PORT} or {@code [IPv6]:PORT}. */
    static InetSocketAddress parsePeer(String text) throws CliException {
        String s = text.trim();
        String host;
        String port;
        if (s.startsWith("[")) {
            int close = s.indexOf(']');
            if (close < 0 || close + 1 >= s.length() || s.charAt(close + 1) != ':') {
                throw CliException.usage("--peer must be HOST:PORT or [IPv6]:PORT, got '" + text + "'");
            }
            host = s.substring(1, close);
            port = s.substring(close + 2);
        } else {
            int colon = s.lastIndexOf(':');
            if (colon <= 0 || s.indexOf(':') != colon) {
                throw CliException.usage("--peer must be HOST:PORT or [IPv6]:PORT, got '" + text + "'");
            }
            host = s.substring(0, colon);
            port = s.substring(colon + 1);
        }
        if (!port.matches("[0-9]{1,5}") || Integer.parseInt(port) < 1 || Integer.parseInt(port) > 65535) {
            throw CliException.usage("--peer port must be 1..65535, got '" + text + "'");
        }
        InetSocketAddress address = new InetSocketAddress(host, Integer.parseInt(port));
        if (address.isUnresolved()) {
            throw CliException.failed("unknown peer host " + host);
        }
        return address;
    }
}
