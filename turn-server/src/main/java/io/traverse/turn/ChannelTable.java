package io.traverse.turn;

import io.traverse.stun.codec.ChannelData;
import java.net.InetSocketAddress;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;

/**
 * One allocation's channel bindings, indexed both ways (RFC 8656 §12: "a channel binding is uniquely
 * identified either by the channel number or by the peer's transport address"). By number: a
 * two-level array over 0x4000-0x7FFF (256 pages of 64, created on first use), so the ChannelData path
 * does two array loads and boxes nothing. By peer: a {@link HashMap} keyed by
 * {@link InetSocketAddress}. Not thread-safe; owned by the allocation's event loop.
 */
final class ChannelTable {

    static final int MIN_CHANNEL = ChannelData.MIN_CHANNEL;
    /** RFC 8656 §12 allows 0x4000-0x4FFF. */
    static final int MAX_RFC8656_CHANNEL = ChannelData.MAX_RFC8656_CHANNEL;
    /** RFC 5766's range 0x4000-0x7FFF, accepted only behind {@code relay.legacy-channel-numbers}. */
    static final int MAX_CHANNEL = ChannelData.MAX_CHANNEL;

    /** A binding; mutable so a refresh does not allocate. */
    static final class Binding {
        final int number;
        final InetSocketAddress peer;
        long expiresAtNanos;
        /** The listener has been told this binding expired; it now only blocks reuse. */
        boolean expiredReported;

        Binding(int number, InetSocketAddress peer, long expiresAtNanos) {
            this.number = number;
            this.peer = peer;
            this.expiresAtNanos = expiresAtNanos;
        }
    }

    /** The table of an allocation with no binding yet, shared; never written (callers replace it before a put). */
    static final ChannelTable EMPTY = new ChannelTable();

    private Binding[][] pages;
    /** Created with the first binding: most allocations never bind a channel (~50 B each while idle). */
    private HashMap<InetSocketAddress, Binding> byPeer;

    static boolean isValidNumber(int number) {
        return number >= MIN_CHANNEL && number <= MAX_CHANNEL;
    }

    Binding byNumber(int number) {
        if (pages == null || !isValidNumber(number)) {
            return null;
        }
        int i = number - MIN_CHANNEL;
        Binding[] page = pages[i >>> 6];
        return page == null ? null : page[i & 63];
    }

    Binding byPeer(InetSocketAddress peer) {
        return byPeer == null ? null : byPeer.get(peer);
    }

    void put(Binding b) {
        if (this == EMPTY) {
            throw new IllegalStateException("the shared empty channel table is never written");
        }
        if (pages == null) {
            pages = new Binding[(MAX_CHANNEL - MIN_CHANNEL + 1) >>> 6][];
        }
        int i = b.number - MIN_CHANNEL;
        Binding[] page = pages[i >>> 6];
        if (page == null) {
            page = new Binding[64];
            pages[i >>> 6] = page;
        }
        page[i & 63] = b;
        if (byPeer == null) {
            byPeer = new HashMap<>();
        }
        byPeer.put(b.peer, b);
    }

    void remove(Binding b) {
        if (byPeer != null) {
            byPeer.remove(b.peer, b);
        }
        clearNumber(b);
    }

    private void clearNumber(Binding b) {
        int i = b.number - MIN_CHANNEL;
        Binding[] page = pages[i >>> 6];
        if (page != null && page[i & 63] == b) {
            page[i & 63] = null;
        }
    }

    /** Bindings in the table (live or in their reuse delay). */
    int size() {
        return byPeer == null ? 0 : byPeer.size();
    }

    /** Iterates all bindings; {@link Iterator#remove()} removes from both indexes. */
    Iterator<Binding> iterator() {
        if (byPeer == null) {
            return Collections.emptyIterator();
        }
        Iterator<Binding> it = byPeer.values().iterator();
        return new Iterator<>() {
            private Binding last;

            @Override
            public boolean hasNext() {
                return it.hasNext();
            }

            @Override
            public Binding next() {
                last = it.next();
                return last;
            }

            @Override
            public void remove() {
                it.remove();
                clearNumber(last);
            }
        };
    }

    void clear() {
        byPeer = null;
        pages = null;
    }
}
