package io.traverse.cluster;

import io.traverse.auth.UserStores;
import io.traverse.config.ClusterConfig;
import io.traverse.util.RedisConnector;
import java.io.IOException;
import java.net.InetAddress;
import java.security.SecureRandom;
import java.util.HexFormat;

/** This instance's membership of the fleet: its Redis connection, id and cluster-wide quota. */
public final class ClusterNode implements AutoCloseable {
    private final RedisConnector redis;
    private final String instanceId;
    private final ClusterQuota quota;
    private volatile LoadReports loadReports;

    private ClusterNode(RedisConnector redis, String instanceId, ClusterQuota quota) {
        this.redis = redis;
        this.instanceId = instanceId;
        this.quota = quota;
    }

    /**
     * Joins the cluster of {@code config} (connecting lazily: Redis may be down now).
     *
     * @throws IllegalStateException when the password file cannot be read
     */
    public static ClusterNode start(ClusterConfig config) {
        String password = null;
        if (config.passwordFile() != null) {
            try {
                password = UserStores.readPassword(config.passwordFile());
            } catch (IOException e) {
                throw new IllegalStateException("cluster.password-file " + config.passwordFile() + ": cannot read ("
                        + e.getClass().getSimpleName() + ")", e);
            }
        }
        String id = config.instanceId() != null ? config.instanceId() : defaultInstanceId();
        RedisConnector redis = new RedisConnector(config.redisUrl(), password, config.timeout());
        ClusterQuota quota = new ClusterQuota(redis, id, config.maxAllocationsPerUser(), config.maxAllocations(),
                config.quotaTtl());
        return new ClusterNode(redis, id, quota);
    }

    /** The host name and a random suffix, so two instances on one host differ. */
    static String defaultInstanceId() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName().replaceAll("[^A-Za-z0-9._-]", "-");
        } catch (IOException e) {
            host = "traverse";
        }
        byte[] suffix = new byte[3];
        new SecureRandom().nextBytes(suffix);
        String id = host + "-" + HexFormat.of().formatHex(suffix);
        return id.length() <= 64 ? id : id.substring(id.length() - 64);
    }

    /** Starts publishing this instance's load and reading its peers' (cluster.report-interval). */
    public void startLoadReports(ClusterConfig config, java.util.function.Supplier<InstanceLoad> self) {
        loadReports = new LoadReports(redis, instanceId, config.reportInterval(), self);
        loadReports.start();
    }

    /** The load reports, or null before {@link #startLoadReports}. */
    public LoadReports loadReports() {
        return loadReports;
    }

    public String instanceId() {
        return instanceId;
    }

    public ClusterQuota quota() {
        return quota;
    }

    public RedisConnector redis() {
        return redis;
    }

    @Override
    public void close() {
        if (loadReports != null) {
            loadReports.close();
        }
        quota.close();
        redis.close();
    }
}
