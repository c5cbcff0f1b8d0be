package io.traverse.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The operator commands that talk to a running server's admin API (docs/operations.md): {@code sessions},
 * {@code disconnect}, {@code status} and {@code reload}.
 */
final class AdminCommands {
    private static final ObjectMapper PRETTY = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private AdminCommands() {}

    @Command(name = "sessions", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
            description = "List the live allocations of a running server: user, client, relayed addresses, "
                    + "traffic and current rate.",
            footerHeading = "%n",
            footer = {"Example:", "  turn-cli sessions --user alice --token-file /etc/traverse/admin-token"})
    static final class Sessions implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        AdminClient admin;
        @Option(names = "--user", paramLabel = "USER", description = "Only this user's allocations.")
        String user;
        @Option(names = "--client", paramLabel = "IP", description = "Only allocations of this client IP.")
        String client;
        @Option(names = "--limit", paramLabel = "N", defaultValue = "100",
                description = "At most N sessions (1..1000, default ${DEFAULT-VALUE}).")
        int limit;
        @Option(names = "--offset", paramLabel = "N", defaultValue = "0", description = "Skip the first N.")
        int offset;
        @Option(names = "--json", description = "Print the server's JSON answer.")
        boolean json;

        @Override
        public Integer call() throws Exception {
            List<String> query = new ArrayList<>();
            if (user != null) {
                query.add(AdminClient.query("user", user));
            }
            if (client != null) {
                query.add(AdminClient.query("client", client));
            }
            query.add("limit=" + limit);
            query.add("offset=" + offset);
            JsonNode page = admin.call(TurnCli.environment(spec), "GET", "/admin/sessions?" + String.join("&", query));
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                out.println(PRETTY.writeValueAsString(page));
                return ExitCodes.OK;
            }
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[] {"ID", "USER", "TRANSPORT", "CLIENT", "RELAYED", "AGE", "LEFT", "PERMS", "CHANS",
                "TO PEER", "TO CLIENT", "RATE OUT/IN"});
            for (JsonNode s : page.get("sessions")) {
                JsonNode t = s.get("traffic");
                List<String> relayed = new ArrayList<>();
                s.get("relayed").forEach(r -> relayed.add(r.asText()));
                rows.add(new String[] {s.get("id").asText(), s.get("username").asText(), s.get("transport").asText(),
                    s.get("client").asText(), String.join(",", relayed), s.get("ageSeconds").asText() + "s",
                    s.get("lifetimeLeftSeconds").asText() + "s", s.get("permissions").asText(),
                    s.get("channels").asText(),
                    bytes(t.get("bytesToPeer").asLong()) + "/" + t.get("packetsToPeer").asLong() + "p",
                    bytes(t.get("bytesToClient").asLong()) + "/" + t.get("packetsToClient").asLong() + "p",
                    bits(t.get("bitsPerSecondToPeer").asLong()) + "/" + bits(t.get("bitsPerSecondToClient").asLong())});
            }
            table(out, rows);
            int total = page.get("total").asInt();
            int shown = page.get("sessions").size();
            out.println(total == shown ? total + " session(s)"
                    : shown + " of " + total + " session(s) (from " + offset + "; use --offset/--limit)");
            return ExitCodes.OK;
        }
    }

    @Command(name = "disconnect", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
            description = "End allocations on a running server: the client's next request gets 437, a TCP/TLS "
                    + "client is disconnected.",
            footerHeading = "%n",
            footer = {"Examples:", "  turn-cli disconnect --user alice", "  turn-cli disconnect --id 42"})
    static final class Disconnect implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        AdminClient admin;
        @ArgGroup(exclusive = true, multiplicity = "1")
        Target target;

        static final class Target {
            @Option(names = "--user", paramLabel = "USER", description = "Every allocation of this user.")
            String user;
            @Option(names = "--id", paramLabel = "ID", description = "The allocation with this id.")
            Long id;
        }

        @Override
        public Integer call() throws Exception {
            JsonNode answer = target.id != null
                    ? admin.call(TurnCli.environment(spec), "DELETE", "/admin/sessions/" + target.id)
                    : admin.call(TurnCli.environment(spec), "DELETE",
                            "/admin/sessions?" + AdminClient.query("user", target.user));
            spec.commandLine().getOut().println("ended " + answer.get("ended").asInt() + " session(s)");
            return ExitCodes.OK;
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
            description = "Show a running server's version, uptime, listeners, draining state, counts and reload "
                    + "generation.")
    static final class Status implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        AdminClient admin;
        @Option(names = "--json", description = "Print the server's JSON answer.")
        boolean json;

        @Override
        public Integer call() throws Exception {
            JsonNode status = admin.call(TurnCli.environment(spec), "GET", "/admin/status");
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                out.println(PRETTY.writeValueAsString(status));
                return ExitCodes.OK;
            }
            List<String[]> rows = new ArrayList<>();
            status.fields().forEachRemaining(f -> {
                String value = f.getValue().isArray() ? join(f.getValue()) : f.getValue().asText();
                rows.add(new String[] {f.getKey(), value});
            });
            table(out, rows);
            return ExitCodes.OK;
        }
    }

    @Command(name = "reload", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
            description = "Reload a running server's configuration, credentials and certificates (as SIGHUP).")
    static final class Reload implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        AdminClient admin;

        @Override
        public Integer call() throws Exception {
            JsonNode answer = admin.call(TurnCli.environment(spec), "POST", "/admin/reload");
            if (!answer.get("applied").asBoolean()) {
                throw CliException.failed("the server refused the new configuration (see its log); it runs on "
                        + "with generation " + answer.get("generation").asLong());
            }
            spec.commandLine().getOut().println("reloaded, generation " + answer.get("generation").asLong());
            return ExitCodes.OK;
        }
    }

    private static String join(JsonNode array) {
        List<String> items = new ArrayList<>();
        array.forEach(n -> items.add(n.asText()));
        return String.join(" ", items);
    }

    /** Columns padded to their widest cell. */
    static void table(PrintWriter out, List<String[]> rows) {
        int[] width = new int[rows.get(0).length];
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                width[i] = Math.max(width[i], row[i].length());
            }
        }
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.length; i++) {
                line.append(row[i]);
                if (i < row.length - 1) {
                    line.append(" ".repeat(width[i] - row[i].length() + 2));
                }
            }
            out.println(line);
        }
    }

    static String bytes(long n) {
        if (n < 10_000) {
            return n + "B";
        }
        if (n < 10_000_000) {
            return n / 1000 + "kB";
        }
        return n / 1_000_000 + "MB";
    }

    static String bits(long bps) {
        if (bps < 10_000) {
            return bps + "b/s";
        }
        if (bps < 10_000_000) {
            return bps / 1000 + "kb/s";
        }
        return bps / 1_000_000 + "Mb/s";
    }
}
