package io.traverse.turn;

/**
 * Outcome of {@link Allocation#bindChannel}, following RFC 8656 §12.2 "Receiving a ChannelBind
 * Request".
 */
public enum BindResult {
    /** A new binding was created (and a permission installed or refreshed). */
    BOUND(0),
    /** The same number was already bound to the same peer; its lifetime and the permission were refreshed. */
    REFRESHED(0),
    /** §12.2: "The channel number is in the range 0x4000 through 0x4FFF (inclusive)" failed → 400 (0x5000-0x7FFF, RFC 5766, only with relay.legacy-channel-numbers). */
    BAD_NUMBER(400),
    /**
     * §12.2: "The channel number is not currently bound to a different transport address" failed, or
     * the number is within the 5-minute reuse delay after expiring (§12) → 400.
     */
    NUMBER_IN_USE(400),
    /**
     * §12.2: "The transport address is not currently bound to a different channel number" failed, or
     * the peer is within the 5-minute reuse delay (§12) → 400.
     */
    PEER_IN_USE(400),
    /** §12.2: "unable to fulfill the request due to some capacity limit" (permission or channel limit) → 508. */
    INSUFFICIENT_CAPACITY(508);

    private final int errorCode;

    BindResult(int errorCode) {
        this.errorCode = errorCode;
    }

    /** True for {@link #BOUND} and {@link #REFRESHED}. */
    public boolean isSuccess() {
        return errorCode == 0;
    }

    /** The STUN error code to answer with, or 0 on success. */
    public int errorCode() {
        return errorCode;
    }
}
