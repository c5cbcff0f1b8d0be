package io.traverse.config;

import io.traverse.net.IpAddresses;
import java.net.InetAddress;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The {@code relay} section: where relayed transport addresses come from and how long TURN state lives.
 *
 * @param addresses             relay addresses, at least one, no bind address twice; the allocation's
 *                              family picks among them (REQUESTED-ADDRESS-FAMILY, RFC 8656 §7.2)
 * @param portRange             relay ports
 * @param allocationLifetime    default and maximum allocation lifetime
 * @param permissionLifetime    permission lifetime; RFC 8656 §9 fixes it at 300 s, other values are for
 *                              tests only
 * @param channelLifetime       channel binding lifetime; RFC 8656 §12 fixes it at 600 s, other values are
 *                              for tests only
 * @param maxAllocations        server-wide allocation limit, at least 1; beyond it Allocate fails with 508
 *                              (Insufficient Capacity, RFC 8656 §7.2)
 * @param maxAllocationsPerUser per-username limit, at least 1; beyond it Allocate fails with 486
 *                              (Allocation Quota Reached, RFC 8656 §7.2)
 * @param dontFragment          honour DONT-FRAGMENT (RFC 8656 §7.2, §18.8) by setting DF on relayed
 *                              datagrams; when false the attribute is treated as an unknown
 *                              comprehension-required attribute (420)
 * @param maxChannelsPerAllocation channel bindings per allocation (live or in their 5-minute reuse delay), at
 *                              least 1; beyond it ChannelBind fails with 508 (RFC 8656 §11.2)
 * @param maxAllocationsPerIp   allocations per client source (an IPv4 address or an IPv6 /64), 0 for no limit;
 *                              beyond it Allocate fails with 486
 * @param legacyChannelNumbers  accept RFC 5766's channel numbers 0x5000-0x7FFF in ChannelBind and ChannelData
 *                              besides RFC 8656 §12's 0x4000-0x4FFF (for old clients only)
 * @param socketBuffer          SO_RCVBUF and SO_SNDBUF of every relay socket, and of every UDP/DTLS listener
 *                              without its own {@code socket-buffer}, in bytes (4096..1 GiB); the kernel caps
 *                              it at {@code net.core.rmem_max} / {@code wmem_max}
 * @param preboundSockets       UDP relay sockets kept bound ahead of Allocates per event loop and relay address
 *                              (0..{@value #MAX_PREBOUND_SOCKETS}, 0 = off), so an Allocate is answered without a
 *                              bind first; their ports come from {@code port-range}
 */
public record RelayConfig(
        List<RelayAddress> addresses,
        PortRange portRange,
        AllocationLifetime allocationLifetime,
        Duration permissionLifetime,
        Duration channelLifetime,
        int maxAllocations,
        int maxAllocationsPerUser,
        boolean dontFragment,
        int maxChannelsPerAllocation,
        int maxAllocationsPerIp,
        boolean legacyChannelNumbers,
        int socketBuffer,
        int preboundSockets) {

    /** Default of {@code prebound-sockets}. */
    public static final int DEFAULT_PREBOUND_SOCKETS = 8;
    /** Largest accepted {@code prebound-sockets}. */
    public static final int MAX_PREBOUND_SOCKETS = 1024;

    /** With the default number of pre-bound relay sockets ({@link #DEFAULT_PREBOUND_SOCKETS}). */
    public RelayConfig(List<RelayAddress> addresses, PortRange portRange, AllocationLifetime allocationLifetime,
            Duration permissionLifetime, Duration channelLifetime, int maxAllocations, int maxAllocationsPerUser,
            boolean dontFragment, int maxChannelsPerAllocation, int maxAllocationsPerIp,
            boolean legacyChannelNumbers, int socketBuffer) {
        this(addresses, portRange, allocationLifetime, permissionLifetime, channelLifetime, maxAllocations,
                maxAllocationsPerUser, dontFragment, maxChannelsPerAllocation, maxAllocationsPerIp,
                legacyChannelNumbers, socketBuffer, DEFAULT_PREBOUND_SOCKETS);
    }

    /**
     * 8 MiB: holds a 50 ms stall of the event loop at 1 Gbit/s (6.25 MB of payload; the kernel counts each
     * datagram's bookkeeping too, which it allows for by doubling the value set).
     */
    public static final int DEFAULT_SOCKET_BUFFER = 8 * 1024 * 1024;
    /** Smallest accepted socket buffer (the kernel's own floor is about this). */
    public static final int MIN_SOCKET_BUFFER = 4096;
    /** Largest accepted socket buffer. */
    public static final int MAX_SOCKET_BUFFER = 1 << 30;

    /** With the default socket buffer ({@link #DEFAULT_SOCKET_BUFFER}). */
    public RelayConfig(List<RelayAddress> addresses, PortRange portRange, AllocationLifetime allocationLifetime,
            Duration permissionLifetime, Duration channelLifetime, int maxAllocations, int maxAllocationsPerUser,
            boolean dontFragment, int maxChannelsPerAllocation, int maxAllocationsPerIp,
            boolean legacyChannelNumbers) {
        this(addresses, portRange, allocationLifetime, permissionLifetime, channelLifetime, maxAllocations,
                maxAllocationsPerUser, dontFragment, maxChannelsPerAllocation, maxAllocationsPerIp,
                legacyChannelNumbers, DEFAULT_SOCKET_BUFFER);
    }

    /** With the default channel cap, no per-IP limit and RFC 8656 channel numbers. */
    public RelayConfig(List<RelayAddress> addresses, PortRange portRange, AllocationLifetime allocationLifetime,
            Duration permissionLifetime, Duration channelLifetime, int maxAllocations, int maxAllocationsPerUser,
            boolean dontFragment, int socketBuffer) {
        this(addresses, portRange, allocationLifetime, permissionLifetime, channelLifetime, maxAllocations,
                maxAllocationsPerUser, dontFragment, DEFAULT_MAX_CHANNELS_PER_ALLOCATION, 0, false, socketBuffer);
    }

    public RelayConfig {
        Validator v = new Validator();
        if (v.list("addresses", addresses)) {
            if (addresses.isEmpty()) {
                v.add("addresses", "must contain at least one address");
            }
            Set<InetAddress> seen = new HashSet<>();
            for (RelayAddress a : addresses) {
                if (!seen.add(a.bind())) {
                    v.add("addresses", "bind address " + IpAddresses.format(a.bind()) + " is listed more than once");
                }
            }
        }
        v.notNull("port-range", portRange);
        v.notNull("allocation-lifetime", allocationLifetime);
        v.duration("permission-lifetime", permissionLifetime, Duration.ofMillis(1));
        v.duration("channel-lifetime", channelLifetime, Duration.ofMillis(1));
        v.atLeast("max-allocations", maxAllocations, 1);
        v.atLeast("max-allocations-per-user", maxAllocationsPerUser, 1);
        v.atLeast("max-channels-per-allocation", maxChannelsPerAllocation, 1);
        v.atLeast("max-allocations-per-ip", maxAllocationsPerIp, 0);
        v.range("socket-buffer", socketBuffer, MIN_SOCKET_BUFFER, MAX_SOCKET_BUFFER);
        v.range("prebound-sockets", preboundSockets, 0, MAX_PREBOUND_SOCKETS);
        v.done();
        addresses = List.copyOf(addresses);
    }

    /** As the canonical constructor with the default channel cap, no per-IP limit and RFC 8656 channel numbers. */
    public RelayConfig(List<RelayAddress> addresses, PortRange portRange, AllocationLifetime allocationLifetime,
            Duration permissionLifetime, Duration channelLifetime, int maxAllocations, int maxAllocationsPerUser,
            boolean dontFragment) {
        this(addresses, portRange, allocationLifetime, permissionLifetime, channelLifetime, maxAllocations,
                maxAllocationsPerUser, dontFragment, DEFAULT_MAX_CHANNELS_PER_ALLOCATION, 0, false,
                DEFAULT_SOCKET_BUFFER);
    }

    /** Default of {@code max-channels-per-allocation}. */
    public static final int DEFAULT_MAX_CHANNELS_PER_ALLOCATION = 128;

    /**
     * Relay on 0.0.0.0 and ::, ports 49152-65535, RFC lifetimes, 100000 allocations, 100 per user, 128 channels
     * per allocation, no per-IP limit, RFC 8656 channel numbers, 8 MiB socket buffers.
     */
    public static RelayConfig defaults() {
        return new RelayConfig(
                List.of(RelayAddress.parse("0.0.0.0"), RelayAddress.parse("::")),
                PortRange.defaults(),
                AllocationLifetime.defaults(),
                Duration.ofSeconds(300),
                Duration.ofSeconds(600),
                100_000,
                100,
                true);
    }
}
