package io.traverse.turn;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * One TURN allocation (RFC 8656 §2.2, §7): its 5-tuple, credentials, relayed transport address(es),
 * time-to-expiry, permissions (§9) and channel bindings (§12).
 *
 * <p><b>Not thread-safe.</b> An allocation lives on the event loop that received its Allocate; only
 * that thread calls its methods (the {@link AllocationRegistry} is the thread-safe part). Time is
 * passed in as {@code nowNanos} from a {@link TurnClock}; expiry is exact: an entry installed at
 * {@code t} with lifetime {@code L} is valid for {@code t <= now < t + L}.
 *
 * <p>Hot path, allocation-free: {@link #hasPermission}, {@link #channelForPeer},
 * {@link #peerForChannel}, {@link #relayTargetForChannel}.
 *
 * <p>Lifecycle: build with {@link #builder}, then {@link AllocationRegistry#register}; end with
 * {@link AllocationRegistry#remove}, which closes it. Mutators on a closed allocation throw
 * {@link IllegalStateException}; lookups on it find nothing.
 */
public final class Allocation {

    /** Default cap on permissions per allocation (beyond it CreatePermission/ChannelBind answer 508). */
    public static final int DEFAULT_MAX_PERMISSIONS = 1024;
    /**
     * Default cap on channel bindings per allocation (beyond it ChannelBind answers 508). A browser binds one
     * channel per remote candidate it relays to, a handful per call; 128 leaves room for large meshes.
     */
    public static final int DEFAULT_MAX_CHANNELS = 128;

    /**
     * How long the Allocate success response is kept for retransmissions of the Allocate: RFC 8489 §6.3.1 asks
     * a server to remember a transaction's response for 40 s (the client's last UDP retransmission is sent by
     * then, §6.2.1). After that {@link #expireStale} drops it (~150 B per idle allocation).
     */
    public static final long ALLOCATE_RESPONSE_KEPT_NANOS = 40_000_000_000L;

    private static final AtomicLong IDS = new AtomicLong();
    private static final Map<InetAddress, Permission> NO_PERMISSIONS = Collections.emptyMap();

    private final long id;
    private final FiveTuple fiveTuple;
    private final String username;
    private final String quotaKey;
    private final String realm;
    private final byte[] key;
    private final List<InetSocketAddress> relayAddresses;
    private final List<InetSocketAddress> advertisedRelayAddresses;
    /** The Allocate's 12-byte transaction id, held as numbers (an array would cost 32 B more per allocation). */
    private final long transactionIdHigh;
    private final int transactionIdLow;
    private final Lifetimes lifetimes;
    private final int maxPermissions;
    private final int maxChannels;
    private final int maxChannelNumber;
    private final long createdAtNanos;
    private static final long CHANNEL_REUSE_NANOS = Lifetimes.CHANNEL_REUSE_DELAY.toNanos();

    /** Set by {@link AllocationRegistry#register} before the allocation is published. */
    AllocationListener listener = AllocationListener.NOOP;
    /** Set by {@link AllocationRegistry#register}; released exactly once on removal. */
    AllocationPermit permit;

    private byte[] allocateResponse;
    private final RelayHandle relayHandle;
    private long expiresAtNanos;
    private long lifetimeSeconds;
    private boolean deleted;
    private boolean closed;

    /**
     * Permissions by peer IP; the shared empty map until the first one is installed (an idle allocation, or one whose
     * client never relays, holds no map). Only {@link #installPermission} puts.
     */
    private Map<InetAddress, Permission> permissions = NO_PERMISSIONS;
    /** Channel bindings; the shared empty table until the first bind (only {@link #bindChannel} puts). */
    private ChannelTable channels = ChannelTable.EMPTY;
    private int liveChannels;
    /** Created with the first relayed packet or a bandwidth limit: most idle allocations never need it (168 B). */
    private RelayTraffic traffic;

    /** A permission; mutable so a refresh does not allocate. */
    private static final class Permission {
        final InetAddress peer;
        long expiresAtNanos;

        Permission(InetAddress peer, long expiresAtNanos) {
            this.peer = peer;
            this.expiresAtNanos = expiresAtNanos;
        }
    }

    private Allocation(Builder b, long nowNanos) {
        this.id = IDS.incrementAndGet();
        this.fiveTuple = b.fiveTuple;
        this.username = b.username;
        this.quotaKey = b.quotaKey == null ? b.username : b.quotaKey;
        this.realm = b.realm;
        this.key = b.key.clone();
        this.relayAddresses = List.copyOf(b.relays);
        this.advertisedRelayAddresses = b.advertised.equals(b.relays) ? relayAddresses : List.copyOf(b.advertised);
        this.transactionIdHigh = bytesToLong(b.transactionId, 0, 8);
        this.transactionIdLow = (int) bytesToLong(b.transactionId, 8, 4);
        this.lifetimes = b.lifetimes;
        this.maxPermissions = b.maxPermissions;
        this.maxChannels = b.maxChannels;
        this.maxChannelNumber = b.maxChannelNumber;
        this.allocateResponse = b.allocateResponse;
        this.relayHandle = b.relayHandle;
        this.createdAtNanos = nowNanos;
        this.lifetimeSeconds = lifetimes.allocateLifetimeSeconds(b.requestedLifetime);
        this.expiresAtNanos = nowNanos + lifetimeSeconds * 1_000_000_000L;
    }

    /**
     * Starts an allocation for a 5-tuple and the authenticated username (RFC 8656 §7.2: the 5-tuple
     * "is set to the 5-tuple from the Allocate request").
     */
    public static Builder builder(FiveTuple fiveTuple, String username) {
        return new Builder(fiveTuple, username);
    }

    // ---------------------------------------------------------------- identity and credentials

    /** A process-unique number for logs. */
    public long id() {
        return id;
    }

    /** The 5-tuple. */
    public FiveTuple fiveTuple() {
        return fiveTuple;
    }

    /** The username that created the allocation; later requests must use it (else 441, RFC 8656 §5). */
    public String username() {
        return username;
    }

    /** True when {@code requestUsername} is the allocation's username (RFC 8656 §5, 441 otherwise). */
    public boolean isOwnedBy(String requestUsername) {
        return username.equals(requestUsername);
    }

    /** What the allocation counts against in the per-user quota (the username, or a TURN REST user id). */
    public String quotaKey() {
        return quotaKey;
    }

    /** The realm of the credentials. */
    public String realm() {
        return realm;
    }

    /** The long-term key used to protect responses (a copy; never logged). */
    public byte[] key() {
        return key.clone();
    }

    // ---------------------------------------------------------------- relayed addresses

    /** The relayed transport addresses the transport bound, one per address family (1 or 2). */
    public List<InetSocketAddress> relayAddresses() {
        return relayAddresses;
    }

    /**
     * The relayed addresses to tell the client in XOR-RELAYED-ADDRESS (differ from the bound ones
     * behind a 1:1 NAT), in the same order as {@link #relayAddresses()}.
     */
    public List<InetSocketAddress> advertisedRelayAddresses() {
        return advertisedRelayAddresses;
    }

    /**
     * The bound relayed address of the peer's family, or {@code null} when the allocation has none:
     * answer 443 Peer Address Family Mismatch (RFC 8656 §10.2, §11.2, §12.2).
     */
    public InetSocketAddress relayAddressFor(InetAddress peer) {
        boolean v4 = peer instanceof Inet4Address;
        for (int i = 0; i < relayAddresses.size(); i++) {
            InetSocketAddress r = relayAddresses.get(i);
            if ((r.getAddress() instanceof Inet4Address) == v4) {
                return r;
            }
        }
        return null;
    }

    /** True when a relayed address of the peer's family exists (else 443). */
    public boolean supportsPeerFamily(InetAddress peer) {
        return relayAddressFor(peer) != null;
    }

    // ---------------------------------------------------------------- Allocate retransmissions, transport slot

    /**
     * True when {@code txId} is the transaction that created this allocation: an Allocate arriving on
     * the 5-tuple with this id is a retransmission and gets {@link #allocateResponse()} again instead of
     * 437 (RFC 8656 §7.2, RFC 8489 §6.3.1).
     */
    public boolean isAllocateTransaction(byte[] txId) {
        return txId != null && txId.length == 12 && bytesToLong(txId, 0, 8) == transactionIdHigh
                && (int) bytesToLong(txId, 8, 4) == transactionIdLow;
    }

    /** The Allocate transaction id (a copy). */
    public byte[] transactionId() {
        byte[] id = new byte[12];
        for (int k = 0; k < 8; k++) {
            id[k] = (byte) (transactionIdHigh >>> (56 - 8 * k));
        }
        for (int k = 0; k < 4; k++) {
            id[8 + k] = (byte) (transactionIdLow >>> (24 - 8 * k));
        }
        return id;
    }

    private static long bytesToLong(byte[] b, int from, int length) {
        long v = 0;
        for (int k = from; k < from + length; k++) {
            v = v << 8 | (b[k] & 0xff);
        }
        return v;
    }

    /**
     * The encoded Allocate success response (a copy), once it was sent and for
     * {@link #ALLOCATE_RESPONSE_KEPT_NANOS} after the allocation was built; empty before and after.
     */
    public Optional<byte[]> allocateResponse() {
        return allocateResponse == null ? Optional.empty() : Optional.of(allocateResponse.clone());
    }

    /** Keeps the encoded Allocate success response (copied) for retransmissions of the Allocate. */
    public void allocateResponse(byte[] encoded) {
        this.allocateResponse = Objects.requireNonNull(encoded, "encoded").clone();
    }

    /** The transport's side of this allocation: its relay socket(s), its loop, its client connection. */
    public RelayHandle relayHandle() {
        return relayHandle;
    }

    /** What this allocation relayed, and its bandwidth limit; use on the allocation's loop only. */
    public RelayTraffic traffic() {
        RelayTraffic t = traffic;
        if (t == null) {
            t = new RelayTraffic();
            traffic = t;
        }
        return t;
    }

    /** What this allocation relayed so far (zeros before its first packet); does not create the counters. */
    public RelayTraffic.Snapshot trafficSnapshot(long nowNanos) {
        return traffic == null ? RelayTraffic.Snapshot.NONE : traffic.snapshot(nowNanos);
    }

    /** The allocation's bandwidth limit in bytes per second, 0 when it has none. */
    public long limitBytesPerSecond() {
        return traffic == null ? 0 : traffic.limitBytesPerSecond();
    }

    // ---------------------------------------------------------------- lifetime

    /** The lifetime last granted (Allocate or Refresh), for the LIFETIME attribute of the response. */
    public long lifetimeSeconds() {
        return lifetimeSeconds;
    }

    /** When the allocation expires, on the {@link TurnClock} scale. */
    public long expiresAtNanos() {
        return expiresAtNanos;
    }

    /** When the allocation was built, on the {@link TurnClock} scale. */
    public long createdAtNanos() {
        return createdAtNanos;
    }

    /** True once the time-to-expiry reached zero, after a Refresh with LIFETIME 0, or once closed. */
    public boolean isExpired(long nowNanos) {
        return deleted || closed || nowNanos - expiresAtNanos >= 0;
    }

    /**
     * Handles the lifetime part of a Refresh (RFC 8656 §8.2).
     *
     * @param requestedSeconds the LIFETIME attribute (unsigned), or empty when absent
     * @return the new lifetime in seconds for the response; {@code 0} means the client deleted the
     *         allocation: it is now expired and the caller must
     *         {@link AllocationRegistry#remove remove} it with {@link EndReason#DELETED_BY_CLIENT}
     * @throws IllegalStateException when already expired (the caller answers 437 instead)
     */
    public long refresh(OptionalLong requestedSeconds, long nowNanos) {
        if (isExpired(nowNanos)) {
            throw new IllegalStateException("refresh of expired allocation " + id + "; answer 437");
        }
        long desired = lifetimes.refreshLifetimeSeconds(requestedSeconds);
        if (desired == 0) {
            deleted = true;
            expiresAtNanos = nowNanos;
            return 0;
        }
        lifetimeSeconds = desired;
        expiresAtNanos = nowNanos + desired * 1_000_000_000L;
        listener.refreshed(this, desired);
        return desired;
    }

    // ---------------------------------------------------------------- permissions (RFC 8656 §9)

    /**
     * Installs or refreshes the permission for a peer IP (RFC 8656 §9; ports play no part). The caller
     * has already applied the {@link PeerPolicy}.
     *
     * @return false when the allocation already holds its maximum of live permissions (answer 508)
     */
    public boolean installPermission(InetAddress peer, long nowNanos) {
        Objects.requireNonNull(peer, "peer");
        checkOpen();
        Permission p = permissions.get(peer);
        if (p != null) {
            if (p.expiresAtNanos - nowNanos > 0) {
                p.expiresAtNanos = nowNanos + lifetimes.permissionNanos();
                listener.permissionInstalled(this, p.peer, true);
                return true;
            }
            permissions.remove(peer);
            listener.permissionExpired(this, p.peer);
        }
        if (!hasRoomForPermission(nowNanos)) {
            return false;
        }
        if (permissions == NO_PERMISSIONS) {
            permissions = new HashMap<>();
        }
        permissions.put(peer, new Permission(peer, nowNanos + lifetimes.permissionNanos()));
        listener.permissionInstalled(this, peer, false);
        return true;
    }

    /**
     * Installs or refreshes permissions for all {@code peers}, or for none of them when the new ones would not fit
     * under the cap (RFC 8656 §9.2: a CreatePermission either succeeds for all its XOR-PEER-ADDRESSes or fails as a
     * whole).
     *
     * @return false, with nothing installed, when the allocation has no room for the new peers (answer 508)
     */
    public boolean installPermissions(Collection<InetAddress> peers, long nowNanos) {
        checkOpen();
        Set<InetAddress> fresh = new HashSet<>();
        for (InetAddress peer : peers) {
            if (!hasPermission(Objects.requireNonNull(peer, "peer"), nowNanos)) {
                fresh.add(peer);
            }
        }
        if (permissions.size() + fresh.size() > maxPermissions) {
            sweepPermissions(nowNanos);
            if (permissions.size() + fresh.size() > maxPermissions) {
                return false;
            }
        }
        for (InetAddress peer : peers) {
            if (!installPermission(peer, nowNanos)) {
                throw new IllegalStateException("permission for " + peer + " did not fit after the room check");
            }
        }
        return true;
    }

    /**
     * Removes every permission, channel binding (with its reuse delay: the peer is gone for good) whose peer
     * {@code denied} accepts, reporting each as expired. Used when a reload tightens the peer policy (RFC 8656
     * §21.3): relaying to a peer the operator now denies stops at once. Run it on the allocation's event loop.
     *
     * @return the number of permissions and channels removed
     */
    public int revokePeers(Predicate<InetAddress> denied) {
        if (closed) {
            return 0;
        }
        int n = 0;
        for (Iterator<Permission> it = permissions.values().iterator(); it.hasNext(); ) {
            Permission p = it.next();
            if (denied.test(p.peer)) {
                it.remove();
                n++;
                listener.permissionExpired(this, p.peer);
            }
        }
        for (Iterator<ChannelTable.Binding> it = channels.iterator(); it.hasNext(); ) {
            ChannelTable.Binding b = it.next();
            if (denied.test(b.peer.getAddress())) {
                it.remove();
                n++;
                if (!b.expiredReported) {
                    b.expiredReported = true;
                    liveChannels--;
                    listener.channelExpired(this, b.number, b.peer);
                }
            }
        }
        return n;
    }

    /**
     * True when a live permission exists for the peer's IP (RFC 8656 §9: "only addresses are compared
     * and port numbers are not considered"). Allocation-free.
     */
    public boolean hasPermission(InetAddress peer, long nowNanos) {
        Permission p = permissions.get(peer);
        return p != null && p.expiresAtNanos - nowNanos > 0;
    }

    /** Permissions installed and not yet reported expired. */
    public int permissionCount() {
        return permissions.size();
    }

    private boolean hasRoomForPermission(long nowNanos) {
        if (permissions.size() < maxPermissions) {
            return true;
        }
        sweepPermissions(nowNanos);
        return permissions.size() < maxPermissions;
    }

    private int sweepPermissions(long nowNanos) {
        int n = 0;
        for (Iterator<Permission> it = permissions.values().iterator(); it.hasNext(); ) {
            Permission p = it.next();
            if (p.expiresAtNanos - nowNanos <= 0) {
                it.remove();
                n++;
                listener.permissionExpired(this, p.peer);
            }
        }
        return n;
    }

    // ---------------------------------------------------------------- channels (RFC 8656 §12)

    /**
     * Binds or rebinds a channel (RFC 8656 §12.2) and installs or refreshes the permission for the
     * peer's IP (§12.2, §9). The caller has already checked the {@link PeerPolicy} and the address
     * family.
     *
     * <p>Rules: number outside 0x4000-0x4FFF (0x7FFF with {@link Builder#legacyChannelNumbers}) →
     * {@link BindResult#BAD_NUMBER}; no room under {@link Builder#maxChannels} →
     * {@link BindResult#INSUFFICIENT_CAPACITY}; number bound to another
     * peer → {@link BindResult#NUMBER_IN_USE}; peer bound to another number →
     * {@link BindResult#PEER_IN_USE}; the same pair → {@link BindResult#REFRESHED} (lifetime reset to
     * 10 minutes). After a binding expires, its number and its peer stay blocked for any other
     * pairing for 5 minutes (§12); rebinding the very same pair in that time creates it afresh.
     */
    public BindResult bindChannel(int number, InetSocketAddress peer, long nowNanos) {
        Objects.requireNonNull(peer, "peer");
        if (peer.isUnresolved()) {
            throw new IllegalArgumentException("peer address is unresolved: " + peer);
        }
        checkOpen();
        if (number < ChannelTable.MIN_CHANNEL || number > maxChannelNumber) {
            return BindResult.BAD_NUMBER;
        }
        ChannelTable.Binding byNumber = settle(channels.byNumber(number), nowNanos);
        ChannelTable.Binding byPeer = settle(channels.byPeer(peer), nowNanos);
        if (byNumber != null && !byNumber.peer.equals(peer)) {
            return BindResult.NUMBER_IN_USE;
        }
        if (byPeer != null && byPeer.number != number) {
            return BindResult.PEER_IN_USE;
        }
        if (byNumber == null && !hasRoomForChannel(nowNanos)) {
            return BindResult.INSUFFICIENT_CAPACITY;
        }
        InetAddress ip = peer.getAddress();
        if (!permissions.containsKey(ip) && !hasRoomForPermission(nowNanos)) {
            return BindResult.INSUFFICIENT_CAPACITY;
        }
        boolean refreshed;
        if (byNumber != null) {
            refreshed = byNumber.expiresAtNanos - nowNanos > 0;
            byNumber.expiresAtNanos = nowNanos + lifetimes.channelNanos();
            if (!refreshed) {
                byNumber.expiredReported = false; // revived within its reuse delay
                liveChannels++;
            }
        } else {
            if (channels == ChannelTable.EMPTY) {
                channels = new ChannelTable();
            }
            channels.put(new ChannelTable.Binding(number, peer, nowNanos + lifetimes.channelNanos()));
            liveChannels++;
            refreshed = false;
        }
        installPermission(ip, nowNanos);
        listener.channelBound(this, number, peer, refreshed);
        return refreshed ? BindResult.REFRESHED : BindResult.BOUND;
    }

    /**
     * The channel bound to this peer transport address, or -1: the peer→client path sends ChannelData
     * when a channel exists, else a Data indication (RFC 8656 §11.3, §12.7). Allocation-free; check
     * {@link #hasPermission} first.
     */
    public int channelForPeer(InetSocketAddress peer, long nowNanos) {
        ChannelTable.Binding b = channels.byPeer(peer);
        return b != null && b.expiresAtNanos - nowNanos > 0 ? b.number : -1;
    }

    /**
     * The peer bound to this channel number, or {@code null} (ChannelData on an unbound channel is
     * silently discarded, RFC 8656 §12.6). Allocation-free.
     */
    public InetSocketAddress peerForChannel(int number, long nowNanos) {
        ChannelTable.Binding b = channels.byNumber(number);
        return b != null && b.expiresAtNanos - nowNanos > 0 ? b.peer : null;
    }

    /**
     * Where to relay a ChannelData message: the bound peer, provided its IP also still has a live
     * permission, else {@code null}. A channel outlives its permission unless refreshed (10 vs 5
     * minutes; RFC 8656 §12.1 notes that "permissions need to be refreshed more frequently than
     * channels"), and the relay must not send where no permission exists. Allocation-free.
     */
    public InetSocketAddress relayTargetForChannel(int number, long nowNanos) {
        InetSocketAddress peer = peerForChannel(number, nowNanos);
        return peer != null && hasPermission(peer.getAddress(), nowNanos) ? peer : null;
    }

    /**
     * Whether a new binding fits: bindings in their 5-minute reuse delay count too, they still hold their number
     * and peer (RFC 8656 §12), so the table's memory is bounded by {@code maxChannels}.
     */
    private boolean hasRoomForChannel(long nowNanos) {
        if (channels.size() < maxChannels) {
            return true;
        }
        expireStale(nowNanos);
        return channels.size() < maxChannels;
    }

    /** Channel bindings bound and not yet reported expired. */
    public int channelCount() {
        return liveChannels;
    }

    /**
     * Reports a binding that ran out, forgets one whose reuse delay is over; returns the binding if
     * it still occupies its number and peer, else {@code null}.
     */
    private ChannelTable.Binding settle(ChannelTable.Binding b, long nowNanos) {
        if (b == null) {
            return null;
        }
        if (b.expiresAtNanos - nowNanos <= 0 && !b.expiredReported) {
            b.expiredReported = true;
            liveChannels--;
            listener.channelExpired(this, b.number, b.peer);
        }
        if (nowNanos - (b.expiresAtNanos + CHANNEL_REUSE_NANOS) >= 0) {
            channels.remove(b);
            return null;
        }
        return b;
    }

    // ---------------------------------------------------------------- housekeeping

    /**
     * Drops expired permissions, reports expired channels, forgets channels whose 5-minute reuse
     * delay is over and the Allocate response once its retransmissions are over. Call periodically from the allocation's loop (lookups never return stale
     * entries, so the period only bounds memory and event latency).
     *
     * @return the number of permissions and channels that expired or were forgotten
     */
    public int expireStale(long nowNanos) {
        if (closed) {
            return 0;
        }
        if (allocateResponse != null && nowNanos - createdAtNanos >= ALLOCATE_RESPONSE_KEPT_NANOS) {
            allocateResponse = null;
        }
        int n = sweepPermissions(nowNanos);
        for (Iterator<ChannelTable.Binding> it = channels.iterator(); it.hasNext(); ) {
            ChannelTable.Binding b = it.next();
            if (b.expiresAtNanos - nowNanos <= 0 && !b.expiredReported) {
                b.expiredReported = true;
                liveChannels--;
                n++;
                listener.channelExpired(this, b.number, b.peer);
            }
            if (nowNanos - (b.expiresAtNanos + CHANNEL_REUSE_NANOS) >= 0) {
                it.remove();
                n++;
            }
        }
        return n;
    }

    /** Called by the registry after {@link AllocationListener#deleted}: drops all state. */
    void close() {
        closed = true;
        permissions = NO_PERMISSIONS;
        channels = ChannelTable.EMPTY;
        liveChannels = 0;
    }

    /** True once removed from the registry. */
    public boolean isClosed() {
        return closed;
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("allocation " + id + " is closed");
        }
    }

    /** Identity, 5-tuple, user and relay addresses; never the key. */
    @Override
    public String toString() {
        return "Allocation[id=" + id + ", " + fiveTuple.protocol() + " " + fiveTuple.client() + " -> "
                + fiveTuple.server() + ", user=" + io.traverse.util.LogText.escape(username) + ", relay=" + relayAddresses + "]";
    }

    /** Builds an {@link Allocation}. Not thread-safe. */
    public static final class Builder {
        private final FiveTuple fiveTuple;
        private final String username;
        private String realm = "";
        private String quotaKey;
        private byte[] key = new byte[0];
        private final List<InetSocketAddress> relays = new ArrayList<>(2);
        private final List<InetSocketAddress> advertised = new ArrayList<>(2);
        private byte[] transactionId;
        private Lifetimes lifetimes = Lifetimes.defaults();
        private OptionalLong requestedLifetime = OptionalLong.empty();
        private int maxPermissions = DEFAULT_MAX_PERMISSIONS;
        private int maxChannels = DEFAULT_MAX_CHANNELS;
        private int maxChannelNumber = ChannelTable.MAX_RFC8656_CHANNEL;
        private byte[] allocateResponse;
        private RelayHandle relayHandle = RelayHandle.DETACHED;

        private Builder(FiveTuple fiveTuple, String username) {
            this.fiveTuple = Objects.requireNonNull(fiveTuple, "fiveTuple");
            this.username = Objects.requireNonNull(username, "username");
        }

        /** The per-user quota key (default: the username); must match the permit's. */
        public Builder quotaKey(String quotaKey) {
            this.quotaKey = Objects.requireNonNull(quotaKey, "quotaKey");
            return this;
        }

        /** The realm of the credentials. */
        public Builder realm(String realm) {
            this.realm = Objects.requireNonNull(realm, "realm");
            return this;
        }

        /** The long-term key that protects responses (copied). */
        public Builder key(byte[] key) {
            this.key = Objects.requireNonNull(key, "key").clone();
            return this;
        }

        /** A relayed address, advertised as bound. */
        public Builder relay(InetSocketAddress bound) {
            return relay(bound, bound);
        }

        /**
         * A relayed address as bound and as advertised in XOR-RELAYED-ADDRESS; at most one per family
         * (RFC 8656 §7.2 dual allocation).
         */
        public Builder relay(InetSocketAddress bound, InetSocketAddress advertisedAs) {
            Objects.requireNonNull(bound, "bound");
            Objects.requireNonNull(advertisedAs, "advertisedAs");
            if (bound.isUnresolved() || advertisedAs.isUnresolved()) {
                throw new IllegalArgumentException("relay addresses must be resolved: " + bound + ", " + advertisedAs);
            }
            boolean v4 = bound.getAddress() instanceof Inet4Address;
            if ((advertisedAs.getAddress() instanceof Inet4Address) != v4) {
                throw new IllegalArgumentException("advertised relay " + advertisedAs + " is not the family of " + bound);
            }
            for (InetSocketAddress r : relays) {
                if ((r.getAddress() instanceof Inet4Address) == v4) {
                    throw new IllegalArgumentException("second relay address of the same family: " + bound);
                }
            }
            relays.add(bound);
            advertised.add(advertisedAs);
            return this;
        }

        /** The 12-byte transaction id of the Allocate request (RFC 8489 §5). */
        public Builder transactionId(byte[] transactionId) {
            Objects.requireNonNull(transactionId, "transactionId");
            if (transactionId.length != 12) {
                throw new IllegalArgumentException("transaction id must be 12 bytes, got " + transactionId.length);
            }
            this.transactionId = transactionId.clone();
            return this;
        }

        /** Lifetimes in force (default {@link Lifetimes#defaults()}). */
        public Builder lifetimes(Lifetimes lifetimes) {
            this.lifetimes = Objects.requireNonNull(lifetimes, "lifetimes");
            return this;
        }

        /** The LIFETIME attribute of the Allocate, unsigned seconds (RFC 8656 §7.2). */
        public Builder requestedLifetime(long seconds) {
            if (seconds < 0 || seconds > Lifetimes.MAX_LIFETIME_ATTRIBUTE) {
                throw new IllegalArgumentException("LIFETIME must be an unsigned 32-bit value, got " + seconds);
            }
            this.requestedLifetime = OptionalLong.of(seconds);
            return this;
        }

        /** Cap on live permissions (default {@value Allocation#DEFAULT_MAX_PERMISSIONS}). */
        public Builder maxPermissions(int max) {
            if (max < 1) {
                throw new IllegalArgumentException("maxPermissions must be at least 1, got " + max);
            }
            this.maxPermissions = max;
            return this;
        }

        /**
         * Cap on channel bindings, live or in their reuse delay (default {@value Allocation#DEFAULT_MAX_CHANNELS});
         * beyond it ChannelBind answers 508 (RFC 8656 §11.2).
         */
        public Builder maxChannels(int max) {
            if (max < 1) {
                throw new IllegalArgumentException("maxChannels must be at least 1, got " + max);
            }
            this.maxChannels = max;
            return this;
        }

        /**
         * Accept RFC 5766's channel numbers 0x5000-0x7FFF as well as RFC 8656 §12's 0x4000-0x4FFF (default: no,
         * as coturn 4.17).
         */
        public Builder legacyChannelNumbers(boolean accept) {
            this.maxChannelNumber = accept ? ChannelTable.MAX_CHANNEL : ChannelTable.MAX_RFC8656_CHANNEL;
            return this;
        }

        /** The encoded Allocate response, if already built (copied). */
        public Builder allocateResponse(byte[] encoded) {
            this.allocateResponse = Objects.requireNonNull(encoded, "encoded").clone();
            return this;
        }

        /** The transport's side of the allocation (default {@link RelayHandle#DETACHED}). */
        public Builder relayHandle(RelayHandle handle) {
            this.relayHandle = Objects.requireNonNull(handle, "handle");
            return this;
        }

        /**
         * Builds the allocation with its initial time-to-expiry computed per RFC 8656 §7.2.
         *
         * @throws IllegalStateException when no relay address or no transaction id was given
         */
        public Allocation build(long nowNanos) {
            if (relays.isEmpty()) {
                throw new IllegalStateException("an allocation needs at least one relay address");
            }
            if (transactionId == null) {
                throw new IllegalStateException("an allocation needs the Allocate transaction id");
            }
            return new Allocation(this, nowNanos);
        }
    }
}
