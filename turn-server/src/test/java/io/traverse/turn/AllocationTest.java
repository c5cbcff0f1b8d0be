package io.traverse.turn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.OptionalLong;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AllocationTest {

    static final long S = 1_000_000_000L;
    static final byte[] TX = HexFormat.of().parseHex("0102030405060708090a0b0c");

    final RecordingListener events = new RecordingListener();
    final AllocationRegistry registry = new AllocationRegistry(100, 10, events);
    long t0 = 5_000 * S;

    static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal); // an IP literal: no DNS lookup
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    static InetSocketAddress addr(String literal, int port) {
        return new InetSocketAddress(ip(literal), port);
    }

    static FiveTuple tuple(int clientPort) {
        return new FiveTuple(TransportProtocol.UDP, addr("198.51.100.7", clientPort), addr("192.0.2.1", 3478));
    }

    Allocation.Builder builder() {
        return Allocation.builder(tuple(40000), "alice").realm("example.org").key(new byte[] {9, 8, 7, 6})
                .relay(addr("192.0.2.1", 50000), addr("203.0.113.1", 50000)).transactionId(TX);
    }

    /** Built and registered, so events flow; the listener log starts empty. */
    Allocation registered(Allocation a) {
        ReserveResult r = registry.reserve(a.username());
        assertEquals(AllocationRegistry.RegisterResult.REGISTERED,
                registry.register(((ReserveResult.Granted) r).permit(), a));
        events.drain();
        return a;
    }

    // ------------------------------------------------------------------ lifetime (RFC 8656 §7.2, §8.2)

    @Test
    void defaultLifetimeExpiresAtExactly600Seconds() {
        Allocation a = builder().build(t0);
        assertEquals(600, a.lifetimeSeconds());
        assertEquals(t0 + 600 * S, a.expiresAtNanos());
        assertFalse(a.isExpired(t0 + 600 * S - 1));
        assertTrue(a.isExpired(t0 + 600 * S));
    }

    @ParameterizedTest
    @ValueSource(longs = {0, 30, 599})
    void shortRequestedLifetimeGetsTheDefault(long requested) {
        assertEquals(600, builder().requestedLifetime(requested).build(t0).lifetimeSeconds());
    }

    @Test
    void requestedLifetimeIsClampedToTheMaximum() {
        assertEquals(1200, builder().requestedLifetime(1200).build(t0).lifetimeSeconds());
        assertEquals(3600, builder().requestedLifetime(86400).build(t0).lifetimeSeconds());
        assertThrows(IllegalArgumentException.class, () -> builder().requestedLifetime(-1));
    }

    @Test
    void refreshSetsANewTimeToExpiry() {
        Allocation a = registered(builder().build(t0));
        long now = t0 + 500 * S;
        assertEquals(1800, a.refresh(OptionalLong.of(1800), now));
        assertEquals(1800, a.lifetimeSeconds());
        assertFalse(a.isExpired(now + 1800 * S - 1));
        assertTrue(a.isExpired(now + 1800 * S));
        assertEquals(600, a.refresh(OptionalLong.empty(), now + 10 * S));
        assertEquals(List.of("refreshed 1800", "refreshed 600"), events.drain());
    }

    @Test
    void refreshWithZeroDeletes() {
        Allocation a = registered(builder().build(t0));
        assertEquals(0, a.refresh(OptionalLong.of(0), t0 + S));
        assertTrue(a.isExpired(t0 + S));
        assertEquals(List.of(), events.drain(), "deletion is reported by the registry");
        assertTrue(registry.remove(a, EndReason.DELETED_BY_CLIENT));
        assertEquals(List.of("deleted DELETED_BY_CLIENT"), events.drain());
        assertThrows(IllegalStateException.class, () -> a.refresh(OptionalLong.empty(), t0 + 2 * S));
    }

    @Test
    void refreshOfAnExpiredAllocationIsRefused() {
        Allocation a = builder().build(t0);
        assertThrows(IllegalStateException.class, () -> a.refresh(OptionalLong.of(600), t0 + 600 * S));
    }

    @Test
    void customLifetimes() {
        Lifetimes lt = new Lifetimes(Duration.ofSeconds(60), Duration.ofSeconds(120), Duration.ofSeconds(10),
                Duration.ofSeconds(20));
        Allocation a = builder().lifetimes(lt).requestedLifetime(1000).build(t0);
        assertEquals(120, a.lifetimeSeconds());
        a.installPermission(ip("8.8.8.8"), t0);
        assertTrue(a.hasPermission(ip("8.8.8.8"), t0 + 10 * S - 1));
        assertFalse(a.hasPermission(ip("8.8.8.8"), t0 + 10 * S));
    }

    // ------------------------------------------------------------------ permissions (RFC 8656 §9)

    @Test
    void permissionLastsExactly300Seconds() {
        Allocation a = builder().build(t0);
        InetAddress peer = ip("8.8.8.8");
        assertFalse(a.hasPermission(peer, t0));
        assertTrue(a.installPermission(peer, t0));
        assertTrue(a.hasPermission(peer, t0));
        assertTrue(a.hasPermission(peer, t0 + 300 * S - 1));
        assertFalse(a.hasPermission(peer, t0 + 300 * S));
        assertFalse(a.hasPermission(ip("8.8.4.4"), t0));
    }

    @Test
    void reinstallingResetsTheTimer() {
        Allocation a = registered(builder().build(t0));
        InetAddress peer = ip("2a00:1450::1");
        a.installPermission(peer, t0);
        a.installPermission(peer, t0 + 200 * S);
        assertTrue(a.hasPermission(peer, t0 + 499 * S));
        assertFalse(a.hasPermission(peer, t0 + 500 * S));
        assertEquals(List.of("permission 2a00:1450:0:0:0:0:0:1", "permission refreshed 2a00:1450:0:0:0:0:0:1"),
                events.drain());
        assertEquals(1, a.permissionCount());
    }

    @Test
    void permissionIgnoresPortsAndHostnames() throws Exception {
        Allocation a = builder().build(t0);
        a.installPermission(InetAddress.getByAddress("peer.example", new byte[] {8, 8, 8, 8}), t0);
        assertTrue(a.hasPermission(new InetSocketAddress(ip("8.8.8.8"), 1).getAddress(), t0));
        assertTrue(a.hasPermission(ip("8.8.8.8"), t0));
    }

    @Test
    void expiredButNotSweptPermissionIsReinstalledAsNew() {
        Allocation a = registered(builder().build(t0));
        a.installPermission(ip("8.8.8.8"), t0);
        a.installPermission(ip("8.8.8.8"), t0 + 301 * S);
        assertEquals(List.of("permission 8.8.8.8", "permission expired 8.8.8.8", "permission 8.8.8.8"), events.drain());
        assertTrue(a.hasPermission(ip("8.8.8.8"), t0 + 600 * S));
    }

    @Test
    void permissionCapAnswersInsufficientCapacityUntilOneExpires() {
        Allocation a = builder().maxPermissions(2).build(t0);
        assertTrue(a.installPermission(ip("8.8.8.1"), t0));
        assertTrue(a.installPermission(ip("8.8.8.2"), t0 + 10 * S));
        assertFalse(a.installPermission(ip("8.8.8.3"), t0 + 20 * S));
        assertTrue(a.installPermission(ip("8.8.8.2"), t0 + 20 * S), "refreshing an existing one is fine");
        assertTrue(a.installPermission(ip("8.8.8.3"), t0 + 300 * S), "8.8.8.1 expired and made room");
        assertFalse(a.hasPermission(ip("8.8.8.1"), t0 + 300 * S));
        assertEquals(BindResult.INSUFFICIENT_CAPACITY, a.bindChannel(0x4000, addr("8.8.8.9", 1), t0 + 301 * S));
        assertEquals(508, BindResult.INSUFFICIENT_CAPACITY.errorCode());
    }

    // ------------------------------------------------------------------ channels (RFC 8656 §12)

    @ParameterizedTest
    @ValueSource(ints = {-1, 0, 0x3FFF, 0x5000, 0x7FFF, 0x8000, 0xFFFF, 0x10000})
    void channelNumberOutOfRangeIsBadRequest(int number) {
        Allocation a = builder().build(t0);
        assertEquals(BindResult.BAD_NUMBER, a.bindChannel(number, addr("8.8.8.8", 5000), t0));
        assertEquals(400, BindResult.BAD_NUMBER.errorCode());
        assertEquals(0, a.permissionCount(), "a failed bind installs no permission");
    }

    @ParameterizedTest
    @ValueSource(ints = {0x4000, 0x4001, 0x403F, 0x4040, 0x4ABC, 0x4FFF, 0x5000, 0x796C, 0x7FFF})
    void channelNumbersInRangeBindBothWays(int number) {
        // RFC 5766's 0x5000..0x7FFF need the legacy switch; RFC 8656's 0x4000..0x4FFF work either way.
        Allocation a = builder().legacyChannelNumbers(number > 0x4FFF).build(t0);
        InetSocketAddress peer = addr("8.8.8.8", 5000);
        assertEquals(BindResult.BOUND, a.bindChannel(number, peer, t0));
        assertEquals(number, a.channelForPeer(peer, t0));
        assertEquals(peer, a.peerForChannel(number, t0));
        assertNull(a.peerForChannel(number == 0x4000 ? 0x4001 : number - 1, t0));
        assertEquals(-1, a.channelForPeer(addr("8.8.8.8", 5001), t0));
    }

    @Test
    void channelsPerAllocationAreCapped() {
        Allocation a = builder().maxChannels(2).build(t0);
        assertEquals(BindResult.BOUND, a.bindChannel(0x4000, addr("8.8.8.8", 5000), t0));
        assertEquals(BindResult.BOUND, a.bindChannel(0x4001, addr("8.8.8.8", 5001), t0));
        assertEquals(BindResult.INSUFFICIENT_CAPACITY, a.bindChannel(0x4002, addr("8.8.8.8", 5002), t0));
        assertEquals(508, BindResult.INSUFFICIENT_CAPACITY.errorCode());
        assertEquals(BindResult.REFRESHED, a.bindChannel(0x4001, addr("8.8.8.8", 5001), t0 + S));
        // Expired bindings still hold their number for 5 minutes (§12) and so count; after that there is room.
        long later = t0 + (600 + 300 + 1) * S;
        assertEquals(BindResult.BOUND, a.bindChannel(0x4002, addr("8.8.8.8", 5002), later));
    }

    @Test
    void createPermissionIsAllOrNothing() {
        Allocation a = registered(builder().maxPermissions(3).build(t0));
        assertTrue(a.installPermissions(List.of(ip("8.8.8.8"), ip("1.1.1.1")), t0));
        // Two new peers do not fit next to the two there: nothing is installed, not even the first (RFC 8656 §9.2).
        assertFalse(a.installPermissions(List.of(ip("9.9.9.9"), ip("8.8.4.4")), t0));
        assertFalse(a.hasPermission(ip("9.9.9.9"), t0));
        assertEquals(2, a.permissionCount());
        // Refreshing existing ones plus one new peer fits.
        assertTrue(a.installPermissions(List.of(ip("8.8.8.8"), ip("1.1.1.1"), ip("9.9.9.9")), t0));
        assertEquals(3, a.permissionCount());
    }

    @Test
    void revokePeersRemovesPermissionsAndChannelsAndReportsThem() {
        Allocation a = registered(builder().build(t0));
        a.bindChannel(0x4000, addr("8.8.8.8", 5000), t0);
        a.installPermission(ip("1.1.1.1"), t0);
        events.drain();
        assertEquals(2, a.revokePeers(peer -> peer.equals(ip("8.8.8.8"))));
        assertFalse(a.hasPermission(ip("8.8.8.8"), t0));
        assertNull(a.relayTargetForChannel(0x4000, t0));
        assertEquals(-1, a.channelForPeer(addr("8.8.8.8", 5000), t0));
        assertTrue(a.hasPermission(ip("1.1.1.1"), t0));
        assertEquals(0, a.channelCount());
        assertEquals(List.of("permission expired 8.8.8.8", "channel expired 4000"), events.drain());
    }

    @Test
    void numberBoundToAnotherPeerIsRefused() {
        Allocation a = builder().build(t0);
        a.bindChannel(0x4000, addr("8.8.8.8", 5000), t0);
        assertEquals(BindResult.NUMBER_IN_USE, a.bindChannel(0x4000, addr("8.8.8.8", 5001), t0));
        assertEquals(BindResult.NUMBER_IN_USE, a.bindChannel(0x4000, addr("1.1.1.1", 5000), t0));
        assertEquals(400, BindResult.NUMBER_IN_USE.errorCode());
    }

    @Test
    void peerBoundToAnotherNumberIsRefused() {
        Allocation a = builder().build(t0);
        a.bindChannel(0x4000, addr("8.8.8.8", 5000), t0);
        assertEquals(BindResult.PEER_IN_USE, a.bindChannel(0x4001, addr("8.8.8.8", 5000), t0));
        assertEquals(400, BindResult.PEER_IN_USE.errorCode());
        assertEquals(BindResult.BOUND, a.bindChannel(0x4001, addr("8.8.8.8", 5001), t0), "another port is another peer");
    }

    @Test
    void rebindingTheSamePairRefreshesChannelAndPermission() {
        Allocation a = registered(builder().build(t0));
        InetSocketAddress peer = addr("8.8.8.8", 5000);
        assertEquals(BindResult.BOUND, a.bindChannel(0x4000, peer, t0));
        assertTrue(a.hasPermission(peer.getAddress(), t0), "ChannelBind installs a permission");
        assertEquals(BindResult.REFRESHED, a.bindChannel(0x4000, peer, t0 + 250 * S));
        assertEquals(peer, a.peerForChannel(0x4000, t0 + 850 * S - 1));
        assertNull(a.peerForChannel(0x4000, t0 + 850 * S));
        assertTrue(a.hasPermission(peer.getAddress(), t0 + 550 * S - 1));
        assertEquals(List.of("permission 8.8.8.8", "channel 4000 8.8.8.8:5000", "permission refreshed 8.8.8.8",
                "channel refreshed 4000 8.8.8.8:5000"), events.drain());
        assertEquals(1, a.channelCount());
    }

    @Test
    void channelLastsExactly600Seconds() {
        Allocation a = builder().build(t0);
        InetSocketAddress peer = addr("2a00:1450::1", 443);
        a.bindChannel(0x4123, peer, t0);
        assertEquals(0x4123, a.channelForPeer(peer, t0 + 600 * S - 1));
        assertEquals(-1, a.channelForPeer(peer, t0 + 600 * S));
        assertNull(a.peerForChannel(0x4123, t0 + 600 * S));
    }

    @Test
    void expiredChannelBlocksReuseForFiveMinutes() {
        Allocation a = registered(builder().build(t0));
        InetSocketAddress peer = addr("8.8.8.8", 5000);
        a.bindChannel(0x4000, peer, t0);
        long expired = t0 + 600 * S;
        assertEquals(BindResult.NUMBER_IN_USE, a.bindChannel(0x4000, addr("1.1.1.1", 1), expired));
        assertEquals(BindResult.PEER_IN_USE, a.bindChannel(0x4001, peer, expired + 300 * S - 1));
        assertEquals(BindResult.NUMBER_IN_USE, a.bindChannel(0x4000, addr("1.1.1.1", 1), expired + 300 * S - 1));
        assertEquals(BindResult.BOUND, a.bindChannel(0x4000, addr("1.1.1.1", 1), expired + 300 * S));
        assertEquals(BindResult.BOUND, a.bindChannel(0x4001, peer, expired + 300 * S));
        List<String> ev = events.drain();
        assertEquals(1, ev.stream().filter(e -> e.equals("channel expired 4000")).count(), ev.toString());
        assertEquals(2, a.channelCount());
    }

    @Test
    void samePairWithinTheReuseDelayIsBoundAfresh() {
        Allocation a = registered(builder().build(t0));
        InetSocketAddress peer = addr("8.8.8.8", 5000);
        a.bindChannel(0x4000, peer, t0);
        events.drain();
        assertEquals(1, a.channelCount());
        assertEquals(BindResult.BOUND, a.bindChannel(0x4000, peer, t0 + 700 * S));
        assertEquals(List.of("channel expired 4000", "permission 8.8.8.8", "channel 4000 8.8.8.8:5000"),
                events.drain().stream().filter(e -> !e.startsWith("permission expired")).toList());
        assertEquals(peer, a.peerForChannel(0x4000, t0 + 1300 * S - 1));
        assertEquals(1, a.channelCount());
    }

    @Test
    void relayTargetNeedsBothChannelAndPermission() {
        Allocation a = builder().build(t0);
        InetSocketAddress peer = addr("8.8.8.8", 5000);
        a.bindChannel(0x4000, peer, t0);
        assertEquals(peer, a.relayTargetForChannel(0x4000, t0 + 299 * S));
        assertEquals(peer, a.peerForChannel(0x4000, t0 + 300 * S));
        assertNull(a.relayTargetForChannel(0x4000, t0 + 300 * S), "permission (300 s) ran out before the channel");
        a.installPermission(peer.getAddress(), t0 + 310 * S);
        assertEquals(peer, a.relayTargetForChannel(0x4000, t0 + 310 * S));
        assertNull(a.relayTargetForChannel(0x4001, t0 + 310 * S));
    }

    // ------------------------------------------------------------------ expireStale

    @Test
    void expireStaleReportsAndForgets() {
        Allocation a = registered(builder().build(t0));
        a.installPermission(ip("1.1.1.1"), t0);
        a.bindChannel(0x4000, addr("8.8.8.8", 5000), t0 + 100 * S);
        events.drain();
        assertEquals(0, a.expireStale(t0 + 299 * S));
        assertEquals(1, a.expireStale(t0 + 300 * S));
        assertEquals(List.of("permission expired 1.1.1.1"), events.drain());
        assertEquals(1, a.permissionCount());
        assertEquals(2, a.expireStale(t0 + 700 * S), "8.8.8.8 permission and the channel");
        assertEquals(List.of("permission expired 8.8.8.8", "channel expired 4000"), events.drain());
        assertEquals(0, a.channelCount());
        assertEquals(0, a.expireStale(t0 + 999 * S), "the channel is only cooling down");
        assertEquals(BindResult.PEER_IN_USE, a.bindChannel(0x4001, addr("8.8.8.8", 5000), t0 + 999 * S));
        assertEquals(1, a.expireStale(t0 + 1000 * S), "reuse delay over: forgotten");
        assertEquals(List.of(), events.drain());
        assertEquals(BindResult.BOUND, a.bindChannel(0x4001, addr("8.8.8.8", 5000), t0 + 1000 * S));
    }

    @Test
    void listenerCountsStayConsistentUnderRandomOperations() {
        Allocation a = registered(builder().maxPermissions(20).build(t0));
        Random rnd = new Random(1);
        long now = t0;
        for (int i = 0; i < 20_000; i++) {
            now += rnd.nextInt(20) * S;
            int op = rnd.nextInt(10);
            InetSocketAddress peer = addr("8.8.8." + rnd.nextInt(30), 1000 + rnd.nextInt(3));
            if (op < 4) {
                a.installPermission(peer.getAddress(), now);
            } else if (op < 8) {
                a.bindChannel(0x4000 + rnd.nextInt(40), peer, now);
            } else if (op == 8) {
                a.expireStale(now);
            } else {
                // the two directions of the channel table agree
                int ch = a.channelForPeer(peer, now);
                if (ch >= 0) {
                    assertEquals(peer, a.peerForChannel(ch, now));
                }
                int probe = 0x4000 + rnd.nextInt(40);
                InetSocketAddress bound = a.peerForChannel(probe, now);
                if (bound != null) {
                    assertEquals(probe, a.channelForPeer(bound, now));
                }
            }
            assertEquals(events.livePermissions, a.permissionCount(), "step " + i);
            assertEquals(events.liveChannels, a.channelCount(), "step " + i);
            assertTrue(a.permissionCount() <= 20);
        }
        registry.remove(a, EndReason.EXPIRED);
        assertEquals(0, events.livePermissions);
        assertEquals(0, events.liveChannels);
    }

    // ------------------------------------------------------------------ identity, relays, retransmission

    @Test
    void keyIsCopiedAndNeverPrinted() {
        byte[] key = {0x5e, 0x11, 0x7a, 0x42};
        Allocation a = builder().key(key).build(t0);
        key[0] = 0;
        byte[] got = a.key();
        assertArrayEquals(new byte[] {0x5e, 0x11, 0x7a, 0x42}, got);
        got[1] = 0;
        assertArrayEquals(new byte[] {0x5e, 0x11, 0x7a, 0x42}, a.key());
        String s = a.toString();
        assertFalse(s.contains("5e117a42") || s.contains("[94, 17") || s.toLowerCase().contains("key"), s);
        assertTrue(s.contains("alice"));
    }

    @Test
    void theAllocateResponseIsForgottenWhenItsRetransmissionsAreOver() {
        Allocation a = builder().allocateResponse(new byte[] {1, 2, 3}).build(t0);
        a.expireStale(t0 + Allocation.ALLOCATE_RESPONSE_KEPT_NANOS - 1);
        assertArrayEquals(new byte[] {1, 2, 3}, a.allocateResponse().orElseThrow(), "kept for 40 s");
        a.expireStale(t0 + Allocation.ALLOCATE_RESPONSE_KEPT_NANOS);
        assertTrue(a.allocateResponse().isEmpty(), "dropped after 40 s (RFC 8489 §6.3.1)");
        assertTrue(a.isAllocateTransaction(TX.clone()), "the transaction id stays");
    }

    @Test
    void retransmissionIsRecognisedByTransactionId() {
        byte[] response = {1, 2, 3};
        Allocation a = builder().allocateResponse(response).build(t0);
        assertTrue(a.isAllocateTransaction(TX.clone()));
        assertFalse(a.isAllocateTransaction(new byte[12]));
        assertFalse(a.isAllocateTransaction(null));
        response[0] = 9;
        assertArrayEquals(new byte[] {1, 2, 3}, a.allocateResponse().orElseThrow(), "kept as a copy");
        a.allocateResponse().orElseThrow()[1] = 9;
        assertArrayEquals(new byte[] {1, 2, 3}, a.allocateResponse().orElseThrow(), "handed out as a copy");
        a.allocateResponse(new byte[] {4});
        assertArrayEquals(new byte[] {4}, a.allocateResponse().orElseThrow());
        assertTrue(builder().build(t0).allocateResponse().isEmpty());
        assertArrayEquals(TX, a.transactionId());
        assertThrows(IllegalArgumentException.class, () -> builder().transactionId(new byte[11]));
    }

    @Test
    void relayHandleDefaultsToDetached() {
        assertSame(RelayHandle.DETACHED, builder().build(t0).relayHandle());
        assertFalse(RelayHandle.DETACHED.sendToPeer(addr("203.0.113.5", 1), new byte[1]));
        assertEquals(-1, RelayHandle.DETACHED.port(false));
    }

    @Test
    void relayAddressPerFamily() {
        Allocation v4only = builder().build(t0);
        assertEquals(addr("192.0.2.1", 50000), v4only.relayAddressFor(ip("8.8.8.8")));
        assertNull(v4only.relayAddressFor(ip("2a00:1450::1")));
        assertFalse(v4only.supportsPeerFamily(ip("64:ff9b::8.8.8.8")), "a NAT64 peer is an IPv6 peer");
        assertEquals(List.of(addr("203.0.113.1", 50000)), v4only.advertisedRelayAddresses());

        Allocation dual = builder().relay(addr("2001:db8::1", 50002)).build(t0);
        assertEquals(addr("2001:db8::1", 50002), dual.relayAddressFor(ip("2a00:1450::1")));
        assertEquals(2, dual.relayAddresses().size());
        assertEquals(dual.relayAddresses().get(1), dual.advertisedRelayAddresses().get(1));
    }

    @Test
    void builderValidation() {
        assertThrows(IllegalArgumentException.class, () -> builder().relay(addr("192.0.2.2", 50001)));
        assertThrows(IllegalArgumentException.class,
                () -> Allocation.builder(tuple(1), "bob").relay(addr("192.0.2.2", 1), addr("2001:db8::1", 1)));
        assertThrows(IllegalStateException.class, () -> Allocation.builder(tuple(1), "bob").transactionId(TX).build(t0));
        assertThrows(IllegalStateException.class,
                () -> Allocation.builder(tuple(1), "bob").relay(addr("192.0.2.2", 1)).build(t0));
        assertThrows(IllegalArgumentException.class, () -> builder().maxPermissions(0));
        assertThrows(IllegalArgumentException.class,
                () -> builder().build(t0).bindChannel(0x4000, InetSocketAddress.createUnresolved("peer", 1), t0));
    }

    @Test
    void ownership() {
        Allocation a = builder().build(t0);
        assertTrue(a.isOwnedBy("alice"));
        assertFalse(a.isOwnedBy("mallory"));
        assertEquals("example.org", a.realm());
        assertEquals(t0, a.createdAtNanos());
    }

    @Test
    void closedAllocationFindsNothingAndRefusesChanges() {
        Allocation a = registered(builder().build(t0));
        a.installPermission(ip("8.8.8.8"), t0);
        a.bindChannel(0x4000, addr("8.8.8.8", 1), t0);
        registry.remove(a, EndReason.ADMIN);
        assertTrue(a.isClosed());
        assertTrue(a.isExpired(t0));
        assertFalse(a.hasPermission(ip("8.8.8.8"), t0));
        assertNull(a.peerForChannel(0x4000, t0));
        assertEquals(-1, a.channelForPeer(addr("8.8.8.8", 1), t0));
        assertThrows(IllegalStateException.class, () -> a.installPermission(ip("8.8.8.8"), t0));
        assertThrows(IllegalStateException.class, () -> a.bindChannel(0x4000, addr("8.8.8.8", 1), t0));
        assertEquals(0, a.expireStale(t0 + 10_000 * S));
    }

    @Test
    void clockWrapAroundIsHarmless() {
        long nearMax = Long.MAX_VALUE - 100 * S;
        Allocation a = builder().build(nearMax);
        a.installPermission(ip("8.8.8.8"), nearMax);
        a.bindChannel(0x4000, addr("8.8.8.8", 1), nearMax);
        long later = nearMax + 299 * S; // overflows to a negative long
        assertTrue(later < 0);
        assertTrue(a.hasPermission(ip("8.8.8.8"), later));
        assertFalse(a.isExpired(later));
        assertFalse(a.hasPermission(ip("8.8.8.8"), later + S));
        assertEquals(addr("8.8.8.8", 1), a.peerForChannel(0x4000, later + S));
        assertTrue(a.isExpired(nearMax + 600 * S));
    }
}
