package io.traverse.cli;

import io.traverse.auth.UserStores;
import io.traverse.cluster.ClusterUnavailableException;
import io.traverse.cluster.InstanceLoad;
import io.traverse.cluster.LoadReports;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code turn-cli cluster status}: the instances of a fleet and their load, as they report it in Redis. */
@Command(name = "cluster",
        mixinStandardHelpOptions = true,
        usageHelpAutoWidth = true,
        description = "Inspect a Traverse cluster (instances sharing one Redis, see docs/cluster.md).",
        subcommands = {ClusterCommand.Status.class},
        footerHeading = "%n",
        footer = {"Exit codes: 0 done, 1 Redis unreachable, 2 usage error."})
final class ClusterCommand extends CommandGroup {

    @Command(name = "status", mixinStandardHelpOptions = true, usageHelpAutoWidth = true, sortOptions = false,
            description = "List live instances with their load (instances that stopped reporting drop out after "
                    + "three report intervals).",
            footerHeading = "%nExample:%n",
            footer = {"  turn-cli cluster status --redis redis://10.0.0.2:6379/0 --password-file /etc/traverse/redis-pw"})
    static final class Status implements Callable<Integer> {
        private static final Duration TIMEOUT = Duration.ofSeconds(5);

        @Spec
        CommandSpec spec;

        @Option(names = "--redis", paramLabel = "URL", required = true,
                description = "The cluster's Redis, as cluster.redis-url.")
        String redis;

        @Option(names = "--password-file", paramLabel = "FILE", description = "File whose first line is the "
                + "Redis password.")
        Path passwordFile;

        @Override
        public Integer call() throws CliException {
            if (!redis.startsWith("redis://") && !redis.startsWith("rediss://")) {
                throw CliException.usage("--redis must be a redis:// or rediss:// URL");
            }
            String password = null;
            if (passwordFile != null) {
                try {
                    password = UserStores.readPassword(passwordFile);
                } catch (IOException e) {
                    throw CliException.failed("cannot read " + passwordFile + ": " + e.getClass().getSimpleName());
                }
            }
            List<InstanceLoad> instances;
            try {
                instances = LoadReports.readAll(redis, password, TIMEOUT);
            } catch (ClusterUnavailableException e) {
                throw CliException.failed(e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw CliException.failed("interrupted");
            }
            PrintWriter out = spec.commandLine().getOut();
            int idWidth = "INSTANCE".length();
            for (InstanceLoad i : instances) {
                idWidth = Math.max(idWidth, i.id().length());
            }
            String row = "%-" + idWidth + "s  %11s  %5s  %4s  %10s  %-11s  %s%n";
            out.printf(row, "INSTANCE", "ALLOCATIONS", "LOAD", "CPU", "BITRATE", "STATE", "LISTENERS");
            for (InstanceLoad i : instances) {
                String state = i.draining() ? "draining" : i.overloaded() ? "redirecting" : "accepting";
                out.printf(row, i.id(), i.allocations() + "/" + i.capacity(), percent(i.load()),
                        i.cpu() < 0 ? "-" : percent(i.cpu()), bitrate(i.bitsPerSecond()), state,
                        String.join(",", i.listeners()));
            }
            out.flush();
            if (instances.isEmpty()) {
                spec.commandLine().getErr().println("no instance reports in " + connectorName(redis));
            }
            return ExitCodes.OK;
        }

        private static String connectorName(String url) {
            return url.replaceAll("//[^@/]*@", "//");
        }

        private static String percent(double share) {
            return Math.round(share * 100) + "%";
        }

        static String bitrate(long bps) {
            if (bps >= 1_000_000_000L) {
                return String.format(Locale.ROOT, "%.1f Gb/s", bps / 1e9);
            }
            if (bps >= 1_000_000L) {
                return String.format(Locale.ROOT, "%.1f Mb/s", bps / 1e6);
            }
            if (bps >= 1_000L) {
                return String.format(Locale.ROOT, "%.1f kb/s", bps / 1e3);
            }
            return bps + " b/s";
        }
    }
}
