package io.traverse.turn;

import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

/**
 * A quota slot taken by {@link AllocationRegistry#reserve}: one unit of the server-wide limit, one
 * of the user's and, when a per-source limit is set, one of the source's. It is released exactly once, whatever happens:
 * <pre>{@code
 * ReserveResult r = registry.reserve(username);
 * if (r instanceof ReserveResult.Rejected rej) return error(rej.errorCode());   // 486 or 508
 * try (AllocationPermit permit = ((ReserveResult.Granted) r).permit()) {
 *     ... bind relay sockets, build the allocation ...
 *     registry.register(permit, allocation);    // the allocation now owns the slot
 * }                                             // close(): frees the slot unless registered
 * }</pre>
 * After {@link AllocationRegistry#register} the slot belongs to the allocation and is freed by
 * {@link AllocationRegistry#remove}; {@link #close()} then does nothing. Thread-safe.
 */
public final class AllocationPermit implements AutoCloseable {

    private static final int HELD = 0;
    private static final int OWNED_BY_ALLOCATION = 1;
    private static final int RELEASED = 2;

    private final AllocationRegistry registry;
    private final String username;
    /** The per-source key the slot also counts against, or {@code null}. */
    private final Object source;
    private static final AtomicIntegerFieldUpdater<AllocationPermit> STATE =
            AtomicIntegerFieldUpdater.newUpdater(AllocationPermit.class, "state");
    /** HELD, OWNED_BY_ALLOCATION or RELEASED; a field with an updater, not an AtomicInteger: 16 B less per allocation. */
    private volatile int state = HELD;

    AllocationPermit(AllocationRegistry registry, String username, Object source) {
        this.registry = registry;
        this.username = username;
        this.source = source;
    }

    /** The user the slot counts against. */
    public String username() {
        return username;
    }

    /** True until the slot is registered or released. */
    public boolean isHeld() {
        return state == HELD;
    }

    AllocationRegistry registry() {
        return registry;
    }

    /** HELD → OWNED; false when no longer held. */
    boolean transferToAllocation() {
        return STATE.compareAndSet(this, HELD, OWNED_BY_ALLOCATION);
    }

    /** OWNED → HELD, when registration failed after the transfer. */
    void revertTransfer() {
        STATE.compareAndSet(this, OWNED_BY_ALLOCATION, HELD);
    }

    /** OWNED → RELEASED, freeing the slot; false when already released. */
    boolean releaseFromAllocation() {
        if (STATE.compareAndSet(this, OWNED_BY_ALLOCATION, RELEASED)) {
            registry.releaseSlot(username, source);
            return true;
        }
        return false;
    }

    /** Frees the slot unless it was registered; idempotent. */
    @Override
    public void close() {
        if (STATE.compareAndSet(this, HELD, RELEASED)) {
            registry.releaseSlot(username, source);
        }
    }

    @Override
    public String toString() {
        String s = switch (state) {
            case HELD -> "held";
            case OWNED_BY_ALLOCATION -> "registered";
            default -> "released";
        };
        return "AllocationPermit[user=" + username + ", " + s + "]";
    }
}
