package io.traverse.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.traverse.client.Transport;
import io.traverse.client.TurnClient;
import io.traverse.config.ConfigLoader;
import io.traverse.config.SampleConfigTest;
import io.traverse.config.TraverseConfig;
import io.traverse.metrics.TraverseMetrics;
import io.traverse.server.TraverseServer;
import io.traverse.turn.TransportProtocol;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * conf/grafana/traverse-dashboard.json queries only metrics that the real server exports on /metrics (after one
 * STUN request, so that the per-method request series exist).
 */
class GrafanaDashboardTest {
    private static final Pattern METRIC = Pattern.compile("\\btraverse_[a-z_]+\\b");

    @Test
    void everyMetricTheDashboardQueriesIsExported() throws Exception {
        JsonNode dashboard = new ObjectMapper().readTree(
                SampleConfigTest.projectFile("conf/grafana/traverse-dashboard.json").toFile());
        Set<String> queried = new TreeSet<>();
        for (JsonNode panel : dashboard.get("panels")) {
            assertFalse(panel.get("targets").isEmpty(), panel.get("title").asText());
            for (JsonNode target : panel.get("targets")) {
                Matcher m = METRIC.matcher(target.get("expr").asText());
                assertTrue(m.find(), "no Traverse metric in " + target);
                do {
                    queried.add(m.group());
                } while (m.find());
            }
        }

        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        TraverseConfig config = ConfigLoader.parse("", Map.of("listeners", "udp://127.0.0.1:0",
                "relay.addresses", "127.0.0.1", "admin.port", "0", "server.event-loops", "1"));
        Set<String> exported = new TreeSet<>();
        try (TraverseServer server = TraverseServer.start(config, new TraverseMetrics(registry));
                AdminServer admin = AdminServer.start(config.admin(), registry, server::isReady, null)) {
            try (TurnClient client = TurnClient.connect(Transport.UDP,
                    server.address(TransportProtocol.UDP, false))) {
                client.binding();
            }
            HttpResponse<String> metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                    "http://127.0.0.1:" + admin.address().getPort() + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, metrics.statusCode());
            for (String line : metrics.body().split("\n")) {
                if (!line.startsWith("#") && !line.isBlank()) {
                    exported.add(line.split("[{ ]", 2)[0]);
                }
            }
        }
        Set<String> missing = new TreeSet<>(queried);
        missing.removeAll(exported);
        assertTrue(missing.isEmpty(), "the dashboard queries " + missing + " which /metrics does not export; "
                + "exported: " + exported);
        assertTrue(queried.size() >= 10, "the dashboard covers only " + queried);
    }
}
