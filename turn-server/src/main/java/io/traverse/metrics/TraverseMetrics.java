package io.traverse.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every meter Traverse publishes, by name, in one place. The registry is injected; counters on the packet path
 * are resolved once and kept, so counting allocates nothing.
 */
public final class TraverseMetrics {
    public static final String PACKETS_DROPPED = "traverse.packets.dropped";
    public static final String REQUESTS = "traverse.requests";
    public static final String RELAYED_PACKETS = "traverse.relayed.packets";
    public static final String RELAYED_BYTES = "traverse.relayed.bytes";

    /** Why a packet was dropped; the tag value of {@link #PACKETS_DROPPED}. */
    public enum DropReason {
        MALFORMED("malformed"),
        BAD_FINGERPRINT("bad_fingerprint"),
        UNKNOWN_KIND("unknown_kind"),
        UNEXPECTED_CLASS("unexpected_class"),
        UNKNOWN_REQUIRED_ATTRIBUTE("unknown_required_attribute"),
        NO_ALLOCATION("no_allocation"),
        NO_PERMISSION("no_permission"),
        PEER_DENIED("peer_denied"),
        RATE_LIMITED("rate_limited"),
        UNKNOWN_CHANNEL("unknown_channel");

        private final String tag;

        DropReason(String tag) {
            this.tag = tag;
        }

        public String tag() {
            return tag;
        }
    }

    private final MeterRegistry registry;
    private final Map<DropReason, Counter> dropped = new EnumMap<>(DropReason.class);
    private final Map<String, Counter> requests = new ConcurrentHashMap<>();
    private final Counter packetsToPeer;
    private final Counter packetsToClient;
    private final Counter bytesToPeer;
    private final Counter bytesToClient;

    public TraverseMetrics(MeterRegistry registry) {
        this.registry = registry;
        for (DropReason reason : DropReason.values()) {
            dropped.put(reason, Counter.builder(PACKETS_DROPPED)
                    .description("Packets dropped without an answer, by reason")
                    .tag("reason", reason.tag())
                    .register(registry));
        }
        packetsToPeer = relayCounter(RELAYED_PACKETS, "to_peer", "Packets relayed");
        packetsToClient = relayCounter(RELAYED_PACKETS, "to_client", "Packets relayed");
        bytesToPeer = relayCounter(RELAYED_BYTES, "to_peer", "Application bytes relayed");
        bytesToClient = relayCounter(RELAYED_BYTES, "to_client", "Application bytes relayed");
    }

    private Counter relayCounter(String name, String direction, String description) {
        return Counter.builder(name).description(description).tag("direction", direction).register(registry);
    }

    /** Counts one relayed packet of {@code bytes} application bytes. */
    public void relayed(boolean toPeer, int bytes) {
        if (toPeer) {
            packetsToPeer.increment();
            bytesToPeer.increment(bytes);
        } else {
            packetsToClient.increment();
            bytesToClient.increment(bytes);
        }
    }

    public double relayedPackets(boolean toPeer) {
        return toPeer ? packetsToPeer.count() : packetsToClient.count();
    }

    /** Metrics into a private in-memory registry (tests, tools). */
    public static TraverseMetrics inMemory() {
        return new TraverseMetrics(new SimpleMeterRegistry());
    }

    public MeterRegistry registry() {
        return registry;
    }

    public void dropped(DropReason reason) {
        dropped.get(reason).increment();
    }

    public double droppedCount(DropReason reason) {
        return dropped.get(reason).count();
    }

    /** Counts a request by method name and response code (0 = no response). */
    public void request(String method, int code) {
        requests.computeIfAbsent(method + ' ' + code, k -> Counter.builder(REQUESTS)
                .description("STUN/TURN requests by method and response code")
                .tag("method", method)
                .tag("code", Integer.toString(code))
                .register(registry)).increment();
    }
}
