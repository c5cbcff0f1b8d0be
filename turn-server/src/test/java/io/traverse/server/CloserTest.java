package io.traverse.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CloserTest {
    @Test
    void closesInTheReverseOrderOfOpening() {
        List<String> closed = new ArrayList<>();
        Closer closer = new Closer();
        closer.onClose(() -> closed.add("event loops"));
        closer.add(() -> closed.add("certificate"));
        closer.onClose(() -> closed.add("listeners"));
        closer.close();
        assertEquals(List.of("listeners", "certificate", "event loops"), closed);
    }

    @Test
    void aPartThatFailsToCloseDoesNotKeepTheOthersOpen() {
        List<String> closed = new ArrayList<>();
        Closer closer = new Closer();
        closer.onClose(() -> closed.add("first"));
        closer.onClose(() -> {
            throw new IllegalStateException("cannot close");
        });
        closer.onClose(() -> closed.add("last"));
        closer.close();
        assertEquals(List.of("last", "first"), closed);
    }

    @Test
    void aPartNotConfiguredIsSkippedAndEachPartClosesOnce() {
        List<String> closed = new ArrayList<>();
        Closer closer = new Closer();
        assertNull(closer.add((AutoCloseable) null));
        closer.onClose(() -> closed.add("store"));
        closer.close();
        closer.close();
        assertEquals(List.of("store"), closed);
    }
}
