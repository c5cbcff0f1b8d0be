package io.traverse.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * The kernel's UDP error counters of this network namespace, read from {@code /proc/net/snmp} ({@code Udp:}
 * line) and {@code /proc/net/snmp6} ({@code Udp6...}) at each scrape: datagrams the kernel dropped because a
 * socket's receive buffer was full ({@code RcvbufErrors}), because a send buffer was full
 * ({@code SndbufErrors}), and all receive errors ({@code InErrors}, which includes RcvbufErrors). They count
 * every UDP socket of the namespace, not only Traverse's; on a dedicated host or container they are Traverse's.
 * Nothing is registered where the files do not exist (not Linux).
 */
final class KernelUdpCounters {
    /** Tag value and the kernel's field name, in the order the meters are registered. */
    private static final List<String[]> FIELDS = List.of(
            new String[] {"rcvbuf", "RcvbufErrors"},
            new String[] {"sndbuf", "SndbufErrors"},
            new String[] {"in", "InErrors"});

    private final Path snmp;
    private final Path snmp6;

    KernelUdpCounters(Path procNet) {
        this.snmp = procNet.resolve("snmp");
        this.snmp6 = procNet.resolve("snmp6");
    }

    /** Registers {@link TraverseMetrics#UDP_KERNEL_ERRORS} for each family whose file exists. */
    void register(MeterRegistry registry) {
        for (String[] field : FIELDS) {
            if (Files.isReadable(snmp)) {
                counter(registry, "ipv4", field[0], c -> c.readUdp4(field[1]));
            }
            if (Files.isReadable(snmp6)) {
                counter(registry, "ipv6", field[0], c -> c.readUdp6("Udp6" + field[1]));
            }
        }
    }

    /** The meter holds {@code this} weakly: the owner ({@link TraverseMetrics}) keeps this instance. */
    private void counter(MeterRegistry registry, String family, String kind, ToDoubleFunction<KernelUdpCounters> read) {
        FunctionCounter.builder(TraverseMetrics.UDP_KERNEL_ERRORS, this, read)
                .description("UDP datagrams the kernel dropped (all sockets of the host's network namespace), by"
                        + " counter of /proc/net/snmp: rcvbuf = receive buffer full, sndbuf = send buffer full,"
                        + " in = all receive errors")
                .tag(TraverseMetrics.TAG_FAMILY, family)
                .tag(TraverseMetrics.TAG_KIND, kind)
                .register(registry);
    }

    /** The value of {@code field} on the {@code Udp:} lines (a header line, then a value line), or NaN. */
    double readUdp4(String field) {
        try {
            String[] header = null;
            for (String line : Files.readAllLines(snmp, StandardCharsets.US_ASCII)) {
                if (!line.startsWith("Udp: ")) {
                    continue;
                }
                String[] words = line.trim().split("\\s+");
                if (header == null) {
                    header = words;
                } else {
                    for (int i = 1; i < header.length && i < words.length; i++) {
                        if (header[i].equals(field)) {
                            return Double.parseDouble(words[i]);
                        }
                    }
                    return Double.NaN;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return Double.NaN;
        }
        return Double.NaN;
    }

    /** The value of {@code name} in {@code /proc/net/snmp6} (lines {@code name value}), or NaN. */
    double readUdp6(String name) {
        try {
            for (String line : Files.readAllLines(snmp6, StandardCharsets.US_ASCII)) {
                String[] words = line.trim().split("\\s+");
                if (words.length == 2 && words[0].equals(name)) {
                    return Double.parseDouble(words[1]);
                }
            }
        } catch (IOException | NumberFormatException e) {
            return Double.NaN;
        }
        return Double.NaN;
    }
}
