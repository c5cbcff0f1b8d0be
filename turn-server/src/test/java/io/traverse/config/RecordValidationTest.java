package io.traverse.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.traverse.stun.auth.PasswordAlgorithm;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The compact constructors validate on their own, with keys relative to the record, all problems at once. */
class RecordValidationTest {

    private static List<String> problems(Runnable constructor) {
        InvalidConfigException e = assertThrows(InvalidConfigException.class, constructor::run);
        return e.problems().stream().map(ConfigProblem::toString).collect(Collectors.toList());
    }

    @Test
    void portRangeReportsBothEnds() {
        assertEquals(List.of("min: must be between 1 and 65535, got 70000", "max: must be between 1 and 65535, got 0"),
                problems(() -> new PortRange(70000, 0)));
        assertEquals(List.of("min: must not exceed max (10), got 20"), problems(() -> new PortRange(20, 10)));
        assertEquals(1, new PortRange(7, 7).size());
        assertTrue(new PortRange(5, 9).contains(9));
    }

    @Test
    void nullsAreProblemsNotNullPointerExceptions() {
        assertEquals(List.of("realm: must not be null", "io: must not be null"),
                problems(() -> new ServerConfig(null, null, 0, null)));
        assertEquals(List.of("protocol: must not be null", "address: must not be null"),
                problems(() -> new ListenerConfig(null, null, 1)));
        assertEquals(List.of("level: must not be null", "format: must not be null"),
                problems(() -> new LoggingConfig(null, null)));
        List<String> all = problems(() -> new TraverseConfig(null, null, null, null, null, null, null, null, null, null,
                null));
        assertEquals(11, all.size(), all::toString);
        List<ListenerConfig> withNull = new ArrayList<>(Arrays.asList((ListenerConfig) null));
        assertTrue(problems(() -> new TraverseConfig(ServerConfig.defaults(), withNull, RelayConfig.defaults(),
                AuthConfig.defaults(), PeerPolicyConfig.defaults(), TlsConfig.defaults(), AdminConfig.defaults(),
                LoggingConfig.defaults(), NatDiscoveryConfig.defaults(), DrainConfig.defaults(),
                LimitsConfig.defaults())).contains("listeners[0]: must not be null"));
    }

    @Test
    void allocationLifetimeNeedsWholeSecondsWithinTheWireLimit() {
        assertEquals(List.of("default: must be a whole number of seconds, got 1500ms"),
                problems(() -> new AllocationLifetime(Duration.ofMillis(1500), Duration.ofHours(1))));
        assertEquals(List.of("max: must be at most 4294967295s, got 4294967296s"),
                problems(() -> new AllocationLifetime(Duration.ofSeconds(1), Duration.ofSeconds(4294967296L))));
        new AllocationLifetime(Duration.ofSeconds(4294967295L), Duration.ofSeconds(4294967295L));
    }

    @Test
    void relayConfigCopiesItsList() {
        List<RelayAddress> addresses = new ArrayList<>(List.of(RelayAddress.parse("0.0.0.0")));
        RelayConfig r = new RelayConfig(addresses, PortRange.defaults(), AllocationLifetime.defaults(),
                Duration.ofSeconds(300), Duration.ofSeconds(600), 1, 1, true);
        addresses.add(RelayAddress.parse("::"));
        assertEquals(1, r.addresses().size());
    }

    @Test
    void authConfigRejectsEmptySecretsWithoutEchoingOthers() {
        List<String> p = problems(() -> new AuthConfig(null, null, List.of("keep-me-secret", ""), Duration.ofSeconds(1),
                List.of(PasswordAlgorithm.MD5), CredentialCacheConfig.defaults(), RateLimitConfig.defaults()));
        assertEquals(List.of("rest-secrets[1]: must not be empty"), p);
    }

    @Test
    void serverConfigNormalisesEmptySoftware() {
        assertNull(new ServerConfig("r", "", 1, IoMode.NIO).software());
        assertEquals(1, new ServerConfig("r", null, 1, IoMode.NIO).effectiveEventLoops());
    }

    @Test
    void tlsPairing() {
        assertEquals(List.of("private-key: is required when certificate is set"),
                problems(() -> new TlsConfig(java.nio.file.Path.of("c.pem"), null, Duration.ofSeconds(1),
                        Duration.ofSeconds(1))));
    }

    @Test
    void passwordAlgorithmCodes() {
        assertEquals(0x0001, PasswordAlgorithm.MD5.code());
        assertEquals(0x0002, PasswordAlgorithm.SHA256.code());
    }

    @Test
    void configExceptionPrintsOneProblemPerLine() {
        ConfigException e = new ConfigException(List.of(new ConfigProblem("a.b", "bad", "line 3"),
                new ConfigProblem("", "whole file"), new ConfigProblem("c", "worse")));
        assertEquals("a.b: bad (line 3)\nwhole file\nc: worse", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new ConfigException(List.of()));
    }
}
