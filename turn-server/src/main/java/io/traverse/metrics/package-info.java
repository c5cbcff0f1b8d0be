/**
 * Micrometer meters: {@link io.traverse.metrics.TraverseMetrics} names every meter and tag in one place
 * and is given its registry; {@link io.traverse.metrics.MetricsAllocationListener} subscribes to the
 * allocation core's events (the core knows no metrics library). docs/metrics.md lists every meter.
 */
package io.traverse.metrics;
