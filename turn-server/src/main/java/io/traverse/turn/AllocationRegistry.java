package io.traverse.turn;

import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The server-wide table of allocations: quotas and the 5-tuple index. Thread-safe; shared by all
 * event loops.
 *
 * <ul>
 *   <li>Quotas: at most {@code maxAllocations} on the server (else 508 Insufficient Capacity) and
 *       {@code maxAllocationsPerUser} per username (else 486 Allocation Quota Reached, RFC 8656
 *       §7.2 step 10: "it SHOULD define it based on the username"). A slot is taken by
 *       {@link #reserve} before any socket is bound and given back exactly once through
 *       {@link AllocationPermit}.</li>
 *   <li>5-tuple uniqueness: one allocation per 5-tuple (RFC 8656 §7.2: an Allocate on a 5-tuple that
 *       has one is answered 437, unless it retransmits the creating transaction, see
 *       {@link Allocation#isAllocateTransaction}).</li>
 * </ul>
 *
 * <p>The quota key is the caller's: with the TURN REST scheme ({@code expiry:user}) it passes only the
 * user part, so that minting a fresh credential does not grant a fresh quota. An optional third limit,
 * {@code maxAllocationsPerSource}, counts slots per source key (an IPv4 address or an IPv6 /64, see
 * {@link io.traverse.net.IpAddresses#sourceKey}); beyond it Allocate also gets 486.
 */
public final class AllocationRegistry {

    /** Outcome of {@link #register}. */
    public enum RegisterResult {
        /** Registered; the allocation now owns the permit's slot. */
        REGISTERED,
        /** Another allocation holds the 5-tuple: 437 Allocation Mismatch (RFC 8656 §7.2). The permit stays held. */
        ALLOCATION_MISMATCH
    }


    private final int maxAllocations;
    private final int maxAllocationsPerUser;
    private final int maxAllocationsPerSource;
    private final AllocationListener listener;

    private final AtomicInteger active = new AtomicInteger();
    private final ConcurrentHashMap<String, Integer> perUser = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Object, Integer> perSource = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<FiveTuple, Allocation> byTuple = new ConcurrentHashMap<>();
    /** Secondary index for allocation-free lookups on the hot path; arrays are copy-on-write. */
    /**
     * Allocations by client address, for per-packet lookups: the one {@link Allocation} of the address (the usual
     * case, no array: 24 B less per allocation) or an {@code Allocation[]} when several transports share it.
     */
    private final ConcurrentHashMap<InetSocketAddress, Object> byClient = new ConcurrentHashMap<>();

    /**
     * @param maxAllocations        server-wide limit, {@code >= 0} ({@link Integer#MAX_VALUE}: none)
     * @param maxAllocationsPerUser per-username limit, {@code >= 0} ({@link Integer#MAX_VALUE}: none)
     * @param listener              receives every event of every registered allocation
     */
    public AllocationRegistry(int maxAllocations, int maxAllocationsPerUser, AllocationListener listener) {
        this(maxAllocations, maxAllocationsPerUser, Integer.MAX_VALUE, listener);
    }

    /**
     * @param maxAllocationsPerSource per-source limit, {@code >= 0} ({@link Integer#MAX_VALUE}: none)
     */
    public AllocationRegistry(int maxAllocations, int maxAllocationsPerUser, int maxAllocationsPerSource,
            AllocationListener listener) {
        if (maxAllocationsPerSource < 0) {
            throw new IllegalArgumentException("maxAllocationsPerSource must not be negative, got "
                    + maxAllocationsPerSource);
        }
        this.maxAllocationsPerSource = maxAllocationsPerSource;
        if (maxAllocations < 0) {
            throw new IllegalArgumentException("maxAllocations must not be negative, got " + maxAllocations);
        }
        if (maxAllocationsPerUser < 0) {
            throw new IllegalArgumentException("maxAllocationsPerUser must not be negative, got " + maxAllocationsPerUser);
        }
        this.maxAllocations = maxAllocations;
        this.maxAllocationsPerUser = maxAllocationsPerUser;
        this.listener = Objects.requireNonNull(listener, "listener");
    }

    /**
     * Takes one server-wide and one per-user slot. Check this before binding relay sockets; then
     * {@link #register} the permit or {@link AllocationPermit#close() close} it.
     */
    public ReserveResult reserve(String username) {
        return reserve(username, null);
    }

    /**
     * Takes one server-wide, one per-user and (unless {@code source} is null) one per-source slot.
     *
     * @param source a per-source key ({@link io.traverse.net.IpAddresses#sourceKey}), or {@code null}
     */
    public ReserveResult reserve(String username, Object source) {
        Objects.requireNonNull(username, "username");
        if (!increment(perUser, username, maxAllocationsPerUser)) {
            return ReserveResult.Rejected.QUOTA_REACHED;
        }
        if (source != null && !increment(perSource, source, maxAllocationsPerSource)) {
            decrement(perUser, username);
            return ReserveResult.Rejected.QUOTA_REACHED;
        }
        for (;;) {
            int c = active.get();
            if (c >= maxAllocations) {
                decrement(perUser, username);
                if (source != null) {
                    decrement(perSource, source);
                }
                return ReserveResult.Rejected.INSUFFICIENT_CAPACITY;
            }
            if (active.compareAndSet(c, c + 1)) {
                return new ReserveResult.Granted(new AllocationPermit(this, username, source));
            }
        }
    }

    private static <K> boolean increment(ConcurrentHashMap<K, Integer> counts, K key, int max) {
        boolean[] taken = new boolean[1];
        counts.compute(key, (k, count) -> {
            int c = count == null ? 0 : count;
            if (c >= max) {
                return count;
            }
            taken[0] = true;
            return c + 1;
        });
        return taken[0];
    }

    private static <K> void decrement(ConcurrentHashMap<K, Integer> counts, K key) {
        counts.computeIfPresent(key, (k, count) -> count <= 1 ? null : count - 1);
    }

    /**
     * Publishes an allocation under its 5-tuple and hands it the permit's slot; fires
     * {@link AllocationListener#allocated}. From now on the allocation reports its events to this
     * registry's listener.
     *
     * @return {@link RegisterResult#ALLOCATION_MISMATCH} when the 5-tuple is taken (the permit stays
     *         held, so closing it frees the slot)
     * @throws IllegalArgumentException when the permit is from another registry or another user
     * @throws IllegalStateException    when the permit was already used or released, the allocation
     *                                  was already registered, or it already has permissions or
     *                                  channels (register first, so that every event is reported)
     */
    public RegisterResult register(AllocationPermit permit, Allocation allocation) {
        Objects.requireNonNull(permit, "permit");
        Objects.requireNonNull(allocation, "allocation");
        if (permit.registry() != this) {
            throw new IllegalArgumentException("permit belongs to another registry");
        }
        if (!permit.username().equals(allocation.quotaKey())) {
            throw new IllegalArgumentException("permit is for user '" + permit.username()
                    + "' but the allocation counts against '" + allocation.quotaKey() + "'");
        }
        if (allocation.permit != null || allocation.isClosed()) {
            throw new IllegalStateException("allocation " + allocation.id() + " was already registered");
        }
        if (allocation.permissionCount() != 0 || allocation.channelCount() != 0) {
            // their events would be missing and the listener's counts would go wrong
            throw new IllegalStateException("register allocation " + allocation.id()
                    + " before installing permissions or channels");
        }
        if (!permit.transferToAllocation()) {
            throw new IllegalStateException("permit was already registered or released: " + permit);
        }
        allocation.permit = permit;
        allocation.listener = listener;
        if (byTuple.putIfAbsent(allocation.fiveTuple(), allocation) != null) {
            allocation.permit = null;
            allocation.listener = AllocationListener.NOOP;
            permit.revertTransfer();
            return RegisterResult.ALLOCATION_MISMATCH;
        }
        byClient.compute(allocation.fiveTuple().client(), (client, old) -> {
            if (old == null) {
                return allocation;
            }
            Allocation[] a = old instanceof Allocation one ? new Allocation[] {one} : (Allocation[]) old;
            Allocation[] b = Arrays.copyOf(a, a.length + 1);
            b[a.length] = allocation;
            return b;
        });
        listener.allocated(allocation);
        return RegisterResult.REGISTERED;
    }

    /**
     * Removes a registered allocation, frees its slot, fires {@link AllocationListener#deleted} and
     * closes it. Call it from the allocation's event loop. Idempotent.
     *
     * @return false when it was not (or no longer) registered
     */
    public boolean remove(Allocation allocation, EndReason reason) {
        Objects.requireNonNull(allocation, "allocation");
        Objects.requireNonNull(reason, "reason");
        if (!byTuple.remove(allocation.fiveTuple(), allocation)) {
            return false;
        }
        byClient.computeIfPresent(allocation.fiveTuple().client(), (client, old) -> {
            if (old instanceof Allocation one) {
                return one == allocation ? null : one;
            }
            Allocation[] arr = (Allocation[]) old;
            int n = 0;
            Allocation[] b = new Allocation[arr.length];
            for (Allocation a : arr) {
                if (a != allocation) {
                    b[n++] = a;
                }
            }
            return n == 0 ? null : n == 1 ? b[0] : Arrays.copyOf(b, n);
        });
        try {
            allocation.permit.releaseFromAllocation();
            listener.deleted(allocation, reason);
        } finally {
            allocation.close();
        }
        return true;
    }

    /** The allocation on this 5-tuple, or {@code null}. */
    public Allocation find(FiveTuple fiveTuple) {
        return byTuple.get(fiveTuple);
    }

    /** The allocation on this 5-tuple, or {@code null}; allocation-free, for per-packet lookups. */
    public Allocation find(TransportProtocol protocol, InetSocketAddress client, InetSocketAddress server) {
        Object found = byClient.get(client);
        if (found instanceof Allocation one) {
            return one.fiveTuple().matches(protocol, client, server) ? one : null;
        }
        if (found == null) {
            return null;
        }
        for (Allocation a : (Allocation[]) found) {
            if (a.fiveTuple().matches(protocol, client, server)) {
                return a;
            }
        }
        return null;
    }

    /** Slots taken server-wide: registered allocations plus reservations in progress. */
    public int active() {
        return active.get();
    }

    /** Slots taken by one user (quota key). */
    public int activeFor(String username) {
        return perUser.getOrDefault(username, 0);
    }

    /** Users holding at least one slot. */
    public int activeUsers() {
        return perUser.size();
    }

    /** Registered allocations. */
    public int registered() {
        return byTuple.size();
    }

    /** A snapshot of the registered allocations (e.g. to remove them all at shutdown). */
    public List<Allocation> allocations() {
        return List.copyOf(byTuple.values());
    }

    /** The server-wide limit. */
    public int maxAllocations() {
        return maxAllocations;
    }

    /** The per-user limit. */
    public int maxAllocationsPerUser() {
        return maxAllocationsPerUser;
    }

    /** Called exactly once per granted slot, by {@link AllocationPermit}. */
    void releaseSlot(String username, Object source) {
        decrement(perUser, username);
        if (source != null) {
            decrement(perSource, source);
        }
        active.decrementAndGet();
    }
}
