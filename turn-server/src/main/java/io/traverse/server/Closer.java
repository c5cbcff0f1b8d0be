package io.traverse.server;

import java.util.ArrayDeque;
import java.util.Deque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything a server holds open, closed in the reverse order of opening: by {@link TraverseServer#close()}, or by
 * {@link TraverseServer#start} when a part fails to start after others were opened. A part that fails to close is
 * logged and the rest are closed all the same.
 */
final class Closer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Closer.class);

    private final Deque<AutoCloseable> opened = new ArrayDeque<>();

    /** Closes {@code part} with the others; returns it. A null part (not configured) is ignored. */
    <T extends AutoCloseable> T add(T part) {
        if (part != null) {
            onClose(part);
        }
        return part;
    }

    /** Runs {@code closing} with the others, before whatever was added earlier. */
    synchronized void onClose(AutoCloseable closing) {
        opened.push(closing);
    }

    @Override
    public synchronized void close() {
        while (!opened.isEmpty()) {
            try {
                opened.pop().close();
            } catch (Exception e) {
                LOG.warn("closing the server: {}", e.toString(), e);
            }
        }
    }
}
