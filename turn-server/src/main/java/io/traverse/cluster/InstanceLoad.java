package io.traverse.cluster;

import java.util.List;
import java.util.Objects;

/**
 * One instance's load report as published in Redis ({@code traverse:instance:<id>}, JSON, expiring after three
 * report intervals so a dead instance disappears).
 *
 * @param id            instance id
 * @param allocations   live allocations
 * @param capacity      {@code relay.max-allocations}
 * @param load          allocations / capacity
 * @param cpu           process CPU load, 0..1 (-1 unknown)
 * @param bitsPerSecond relayed bit rate over the last interval
 * @param draining      shutting down: takes no new allocations
 * @param overloaded    above its redirect threshold or draining: redirects new Allocates
 * @param domain        its TLS name (ALTERNATE-DOMAIN), or null
 * @param listeners     where clients reach it, as listener URIs ({@code udp://203.0.113.7:3478})
 * @param reportedAt    publication time, Unix ms
 */
public record InstanceLoad(String id, int allocations, int capacity, double load, double cpu, long bitsPerSecond,
        boolean draining, boolean overloaded, String domain, List<String> listeners, long reportedAt) {
    public InstanceLoad {
        Objects.requireNonNull(id, "id");
        listeners = listeners == null ? List.of() : List.copyOf(listeners);
    }

    /** Whether a client may be sent here: not overloaded, not draining. */
    public boolean acceptsRedirects() {
        return !overloaded && !draining;
    }
}
