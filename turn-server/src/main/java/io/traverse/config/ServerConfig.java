package io.traverse.config;

/**
 * The {@code server} section: identity and threading.
 *
 * @param realm      REALM sent in 401/438 responses and used in long-term key derivation
 *                   (RFC 8489 §9.2, §14.9): non-empty, fewer than 128 characters (so at most 508
 *                   bytes of UTF-8, within the RFC's 763), no control characters
 * @param software   SOFTWARE attribute text (RFC 8489 §14.14), or {@code null} to omit the attribute; an
 *                   empty string is normalised to {@code null}; fewer than 128 characters
 * @param eventLoops number of event loops; 0 means one per available processor, else 1..1024
 * @param io         transport implementation
 * @param spinMicros microseconds an event loop that has handled a STUN request keeps polling its sockets (without
 *                   blocking) after its work runs out, before it sleeps in the kernel; 0 sleeps at once. The
 *                   client's next request, if it arrives within that time, is handled without the loop being put
 *                   to sleep and woken again, 0..1000 (see {@code transport.SpinThenWait})
 */
public record ServerConfig(String realm, String software, int eventLoops, IoMode io, int spinMicros) {

    /** Largest accepted {@code event-loops}. */
    public static final int MAX_EVENT_LOOPS = 1024;
    /** Default {@code spin-micros}: see docs/configuration.md and docs/benchmarks.md (sessions 8 and 11). */
    public static final int DEFAULT_SPIN_MICROS = 0;
    /** Largest accepted {@code spin-micros}. */
    public static final int MAX_SPIN_MICROS = 1000;

    /** With the default {@code spin-micros}. */
    public ServerConfig(String realm, String software, int eventLoops, IoMode io) {
        this(realm, software, eventLoops, io, DEFAULT_SPIN_MICROS);
    }

    public ServerConfig {
        Validator v = new Validator();
        if (v.notNull("realm", realm)) {
            if (realm.isEmpty()) {
                v.add("realm", "must not be empty");
            } else {
                v.attributeText("realm", realm);
            }
        }
        if (software != null && software.isEmpty()) {
            software = null;
        }
        if (software != null) {
            v.attributeText("software", software);
        }
        v.range("event-loops", eventLoops, 0, MAX_EVENT_LOOPS);
        v.notNull("io", io);
        v.range("spin-micros", spinMicros, 0, MAX_SPIN_MICROS);
        v.done();
    }

    /** realm {@code traverse.local}, software {@code Traverse}, one loop per processor, io auto, no spin. */
    public static ServerConfig defaults() {
        return new ServerConfig("traverse.local", "Traverse", 0, IoMode.AUTO, DEFAULT_SPIN_MICROS);
    }

    /** {@link #eventLoops()}, with 0 replaced by {@link Runtime#availableProcessors()}. */
    public int effectiveEventLoops() {
        return eventLoops == 0 ? Runtime.getRuntime().availableProcessors() : eventLoops;
    }
}
