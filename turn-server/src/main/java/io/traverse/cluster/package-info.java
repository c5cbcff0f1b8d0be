/**
 * Instances of one fleet sharing state through Redis: cluster-wide allocation quotas ({@link
 * io.traverse.cluster.ClusterQuota}) and load reports for load-aware ALTERNATE-SERVER ({@link
 * io.traverse.cluster.LoadReports}). Nothing here blocks an event loop; Redis being down degrades to local decisions.
 */
package io.traverse.cluster;
