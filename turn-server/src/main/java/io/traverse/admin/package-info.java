/**
 * The admin HTTP endpoint ({@link io.traverse.admin.AdminServer}): Prometheus metrics, liveness and
 * readiness, on its own thread, loopback-only unless configured otherwise.
 */
package io.traverse.admin;
