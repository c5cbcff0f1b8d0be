package io.traverse.turn;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.random.RandomGenerator;

/**
 * Chooses relay ports for one relay IP address; the transport binds them. Thread-safe (one lock;
 * this is not on the per-packet path).
 *
 * <p>RFC 8656 §7.2: ports SHOULD come from 49152-65535 and SHOULD NOT be below 1024; EVEN-PORT asks
 * for an even port, and with the R bit the next port is reserved under a RESERVATION-TOKEN that
 * "MUST hold this reservation for at least 30 seconds". Each choice starts at a random position and
 * probes forward, so consecutive allocations do not get predictable ports (cf. RFC 6056).
 *
 * <p>Binding may fail because another process holds the port. The transport retries with a bounded
 * number of attempts:
 * <pre>{@code
 * for (int attempt = 0; attempt < 5; attempt++) {
 *     OptionalInt port = ports.next();
 *     if (port.isEmpty()) break;                      // exhausted -> 508
 *     if (tryBind(port.getAsInt())) return port;      // keep it; release(port) when the allocation dies
 *     ports.bindFailed(port.getAsInt());              // quarantined for a while, skipped by next()
 * }
 * }</pre>
 *
 * <p>One allocator serves one relay IP; a dual-stack server has one per address family. A
 * RESERVATION-TOKEN is server-wide (§7.2), so a server with several allocators tries
 * {@link #claim(long)} on each (tokens are 64 random bits, collisions are negligible).
 */
public final class PortAllocator {

    /** Start of the dynamic/private port range (RFC 8656 §7.2, RFC 6335). */
    public static final int DEFAULT_MIN_PORT = 49152;
    /** End of the port range. */
    public static final int DEFAULT_MAX_PORT = 65535;
    /** RFC 8656 §7.2: a reservation is held "for at least 30 seconds". */
    public static final Duration DEFAULT_RESERVATION_LIFETIME = Duration.ofSeconds(30);
    /** How long a port that failed to bind is skipped. */
    public static final Duration DEFAULT_BIND_FAILURE_QUARANTINE = Duration.ofSeconds(60);

    private static final byte FREE = 0;
    private static final byte IN_USE = 1;
    private static final byte RESERVED = 2;
    private static final byte QUARANTINED = 3;

    /**
     * An even port for the new allocation plus the reservation of {@code port + 1}.
     *
     * @param port  the even port, already in use by the caller
     * @param token the token that claims {@code port + 1}; send it in RESERVATION-TOKEN
     */
    public record EvenPortPair(int port, PortReservationToken token) {
        /** The reserved odd port, {@code port + 1}. */
        public int reservedPort() {
            return port + 1;
        }
    }

    private record Hold(int port, long untilNanos) {}

    private final int minPort;
    private final int maxPort;
    private final TurnClock clock;
    private final long reservationNanos;
    private final long quarantineNanos;
    private final RandomGenerator random;
    private final SecureRandom tokenRandom = drbg();

    private final byte[] state;
    private int free;
    private int inUse;
    /** Token → reservation, in creation order = expiry order (constant lifetime, monotonic clock). */
    private final LinkedHashMap<Long, Hold> reservations = new LinkedHashMap<>();
    private final Map<Integer, Long> tokenByPort = new HashMap<>();
    /** Port → quarantine, in expiry order. */
    private final LinkedHashMap<Integer, Hold> quarantine = new LinkedHashMap<>();

    /** The default range 49152-65535 with default reservation and quarantine times. */
    public PortAllocator(TurnClock clock) {
        this(DEFAULT_MIN_PORT, DEFAULT_MAX_PORT, clock);
    }

    /** A range with default reservation and quarantine times and a random start from a DRBG. */
    public PortAllocator(int minPort, int maxPort, TurnClock clock) {
        this(minPort, maxPort, clock, DEFAULT_RESERVATION_LIFETIME, DEFAULT_BIND_FAILURE_QUARANTINE, drbg());
    }

    /**
     * A DRBG (NIST SP 800-90A) seeded once: unpredictable like the default {@link SecureRandom}, but the default on
     * Linux (NativePRNG) reads /dev/urandom under a lock on every call, which showed in the profile of every
     * Allocate.
     */
    private static SecureRandom drbg() {
        try {
            return SecureRandom.getInstance("DRBG");
        } catch (java.security.NoSuchAlgorithmException e) {
            return new SecureRandom();
        }
    }

    /**
     * Full constructor.
     *
     * @param minPort             first port, 1..65535
     * @param maxPort             last port, minPort..65535
     * @param clock               time source for reservations and quarantine
     * @param reservationLifetime how long an EVEN-PORT R=1 reservation is held; at least 30 s (§7.2)
     * @param bindFailureQuarantine how long {@link #bindFailed} keeps a port out of rotation (may be 0)
     * @param random              chooses the probe start (tests pass a seeded generator)
     */
    public PortAllocator(int minPort, int maxPort, TurnClock clock, Duration reservationLifetime,
                         Duration bindFailureQuarantine, RandomGenerator random) {
        if (minPort < 1 || maxPort > 65535 || minPort > maxPort) {
            throw new IllegalArgumentException("relay port range must satisfy 1 <= min <= max <= 65535, got "
                    + minPort + "-" + maxPort);
        }
        Objects.requireNonNull(reservationLifetime, "reservationLifetime");
        Objects.requireNonNull(bindFailureQuarantine, "bindFailureQuarantine");
        if (reservationLifetime.compareTo(DEFAULT_RESERVATION_LIFETIME) < 0) {
            throw new IllegalArgumentException("reservation lifetime must be at least 30 s (RFC 8656 §7.2), got "
                    + reservationLifetime);
        }
        if (bindFailureQuarantine.isNegative()) {
            throw new IllegalArgumentException("bind failure quarantine must not be negative");
        }
        this.minPort = minPort;
        this.maxPort = maxPort;
        this.clock = Objects.requireNonNull(clock, "clock");
        this.random = Objects.requireNonNull(random, "random");
        this.reservationNanos = reservationLifetime.toNanos();
        this.quarantineNanos = bindFailureQuarantine.toNanos();
        this.state = new byte[maxPort - minPort + 1];
        this.free = state.length;
    }

    /** Any free port, marked in use; empty when the range is exhausted (answer 508, RFC 8656 §7.2). */
    public synchronized OptionalInt next() {
        sweep();
        if (free == 0) {
            return OptionalInt.empty();
        }
        int size = state.length;
        int start = random.nextInt(size);
        for (int i = 0; i < size; i++) {
            int idx = start + i < size ? start + i : start + i - size;
            if (state[idx] == FREE) {
                take(idx, IN_USE);
                return OptionalInt.of(minPort + idx);
            }
        }
        throw new IllegalStateException("free count " + free + " but no free port");
    }

    /** A free even port, marked in use (EVEN-PORT with R=0, RFC 8656 §7.2); empty when none. */
    public synchronized OptionalInt nextEven() {
        sweep();
        int idx = findEven(false);
        if (idx < 0) {
            return OptionalInt.empty();
        }
        take(idx, IN_USE);
        return OptionalInt.of(minPort + idx);
    }

    /**
     * A free even port N marked in use and N+1 reserved under a fresh token (EVEN-PORT with R=1,
     * RFC 8656 §7.2); empty when no such pair is free (answer 508). If binding N fails, call
     * {@link #bindFailed}(N) and {@link #release}(N+1), which cancels the reservation.
     */
    public synchronized Optional<EvenPortPair> nextEvenWithReservation() {
        sweep();
        int idx = findEven(true);
        if (idx < 0) {
            return Optional.empty();
        }
        take(idx, IN_USE);
        take(idx + 1, RESERVED);
        long token;
        do {
            token = tokenRandom.nextLong();
        } while (reservations.containsKey(token));
        int reserved = minPort + idx + 1;
        reservations.put(token, new Hold(reserved, clock.nanos() + reservationNanos));
        tokenByPort.put(reserved, token);
        return Optional.of(new EvenPortPair(minPort + idx, new PortReservationToken(token)));
    }

    /**
     * Turns a reservation into a port in use (Allocate with RESERVATION-TOKEN, RFC 8656 §7.2). A token
     * works once. Empty when unknown or expired: "If the token is not valid ... 508".
     */
    public synchronized OptionalInt claim(long token) {
        sweep();
        Hold h = reservations.remove(token);
        if (h == null) {
            return OptionalInt.empty();
        }
        tokenByPort.remove(h.port());
        state[h.port() - minPort] = IN_USE;
        inUse++;
        return OptionalInt.of(h.port());
    }

    /** Same as {@link #claim(long)}. */
    public OptionalInt claim(PortReservationToken token) {
        return claim(Objects.requireNonNull(token, "token").value());
    }

    /**
     * Gives a port back: one in use (the allocation died) or reserved (cancels its token). Releasing a
     * free or quarantined port does nothing, so a double release is harmless.
     *
     * @throws IllegalArgumentException when the port is outside the range
     */
    public synchronized void release(int port) {
        int idx = index(port);
        byte s = state[idx];
        if (s == IN_USE) {
            inUse--;
            state[idx] = FREE;
            free++;
        } else if (s == RESERVED) {
            Long token = tokenByPort.remove(port);
            if (token != null) {
                reservations.remove(token);
            }
            state[idx] = FREE;
            free++;
        }
    }

    /**
     * The transport could not bind a port this allocator handed out because another socket holds it
     * (EADDRINUSE): the port leaves use and is skipped for the quarantine time.
     */
    public synchronized void bindFailed(int port) {
        bindFailed(port, true);
    }

    /**
     * The transport could not bind a port this allocator handed out. Only when another socket holds it
     * ({@code addressInUse}, EADDRINUSE) is the port quarantined; any other failure (EMFILE when file
     * descriptors run out, ENOBUFS, ...) says nothing about the port, which goes back to the free pool, so
     * a burst of such failures cannot drain the whole range into quarantine.
     */
    public synchronized void bindFailed(int port, boolean addressInUse) {
        int idx = index(port);
        if (state[idx] != IN_USE) {
            return;
        }
        inUse--;
        if (quarantineNanos == 0 || !addressInUse) {
            state[idx] = FREE;
            free++;
            return;
        }
        state[idx] = QUARANTINED;
        quarantine.remove(port);
        quarantine.put(port, new Hold(port, clock.nanos() + quarantineNanos));
    }

    /** How long an EVEN-PORT R=1 reservation is held. */
    public java.time.Duration reservationLifetime() {
        return java.time.Duration.ofNanos(reservationNanos);
    }

    /** Ports neither in use, reserved nor quarantined. */
    public synchronized int available() {
        sweep();
        return free;
    }

    /** Ports handed out and not released. */
    public synchronized int inUse() {
        return inUse;
    }

    /** Live reservations. */
    public synchronized int reserved() {
        sweep();
        return reservations.size();
    }

    /** First port of the range. */
    public int minPort() {
        return minPort;
    }

    /** Last port of the range. */
    public int maxPort() {
        return maxPort;
    }

    private int findEven(boolean withNext) {
        int firstEven = (minPort & 1) == 0 ? minPort : minPort + 1;
        int lastEven = (maxPort & 1) == 0 ? maxPort : maxPort - 1;
        if (withNext && lastEven + 1 > maxPort) {
            lastEven -= 2;
        }
        if (firstEven > lastEven) {
            return -1;
        }
        int count = (lastEven - firstEven) / 2 + 1;
        int start = random.nextInt(count);
        for (int i = 0; i < count; i++) {
            int k = start + i < count ? start + i : start + i - count;
            int idx = firstEven + 2 * k - minPort;
            if (state[idx] == FREE && (!withNext || state[idx + 1] == FREE)) {
                return idx;
            }
        }
        return -1;
    }

    private void take(int idx, byte newState) {
        state[idx] = newState;
        free--;
        if (newState == IN_USE) {
            inUse++;
        }
    }

    private int index(int port) {
        if (port < minPort || port > maxPort) {
            throw new IllegalArgumentException("port " + port + " is outside the relay range " + minPort + "-" + maxPort);
        }
        return port - minPort;
    }

    private void sweep() {
        if (reservations.isEmpty() && quarantine.isEmpty()) {
            return;
        }
        long now = clock.nanos();
        for (Iterator<Hold> it = reservations.values().iterator(); it.hasNext(); ) {
            Hold h = it.next();
            if (h.untilNanos() - now > 0) {
                break;
            }
            it.remove();
            tokenByPort.remove(h.port());
            state[h.port() - minPort] = FREE;
            free++;
        }
        for (Iterator<Hold> it = quarantine.values().iterator(); it.hasNext(); ) {
            Hold h = it.next();
            if (h.untilNanos() - now > 0) {
                break;
            }
            it.remove();
            state[h.port() - minPort] = FREE;
            free++;
        }
    }
}
