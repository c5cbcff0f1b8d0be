package io.traverse.cluster;

/** Redis could not answer a cluster command; the message names Redis, never its password. */
public final class ClusterUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ClusterUnavailableException(String message) {
        super(message);
    }
}
