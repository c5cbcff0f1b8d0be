package io.traverse.ops;

import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** POSIX signal handlers (sun.misc.Signal: the only way a JVM can catch SIGHUP or keep SIGTERM from exiting). */
public final class Signals {
    private static final Logger LOG = LoggerFactory.getLogger(Signals.class);

    private Signals() {}

    /**
     * Calls {@code handler} with the signal's name ({@code "HUP"}, {@code "TERM"}, ...) on a thread the JVM starts
     * for each signal. Logs a warning when the platform does not allow it.
     */
    @SuppressWarnings("removal")
    public static void handle(String signal, Consumer<String> handler) {
        try {
            sun.misc.Signal.handle(new sun.misc.Signal(signal), s -> handler.accept(s.getName()));
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            LOG.warn("SIG{} handler unavailable on this platform: {}", signal, e.toString());
        }
    }
}
