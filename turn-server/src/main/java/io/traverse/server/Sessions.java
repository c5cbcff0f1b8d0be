package io.traverse.server;

import io.traverse.turn.Allocation;
import io.traverse.turn.AllocationRegistry;
import io.traverse.turn.EndReason;
import io.traverse.turn.RelayTraffic;
import io.traverse.turn.TurnClock;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;

/**
 * The operator's view of the live allocations (the admin API): list them with their traffic, end them. An
 * allocation is not thread-safe, so every read and every end runs on the allocation's own event loop; the
 * caller gets a future that completes once all the loops answered. Only a page of allocations is read.
 */
public final class Sessions {
    /** Largest page a caller may ask for. */
    public static final int MAX_PAGE = 1000;

    private final AllocationRegistry registry;
    private final AllocateHandler allocations;
    private final TurnClock clock;

    Sessions(AllocationRegistry registry, AllocateHandler allocations, TurnClock clock) {
        this.registry = registry;
        this.allocations = allocations;
        this.clock = clock;
    }

    /** One allocation as an operator sees it; addresses as {@code ip:port} ({@code [ip]:port} for IPv6). */
    public record Session(long id, String username, String transport, String client, String server,
            List<String> relayed, long ageSeconds, long lifetimeLeftSeconds, int permissions, int channels,
            RelayTraffic.Snapshot traffic) {}

    /** A page of sessions in id order, and how many matched in all. */
    public record Page(int total, int offset, int limit, List<Session> sessions) {}

    /**
     * Which allocations to act on: by user ({@code null}: any) and client IP ({@code null}: any). A user matches
     * the username itself or, for a TURN REST username {@code expiry:user}, its user part.
     */
    public record Filter(String user, InetAddress clientIp) implements Predicate<Allocation> {
        public static final Filter ALL = new Filter(null, null);

        @Override
        public boolean test(Allocation a) {
            if (user != null) {
                String name = a.username();
                int colon = name.indexOf(':');
                if (!name.equals(user) && !(colon >= 0 && name.substring(colon + 1).equals(user))) {
                    return false;
                }
            }
            return clientIp == null || clientIp.equals(a.fiveTuple().client().getAddress());
        }
    }

    /**
     * The sessions matching {@code filter}, ordered by id, {@code limit} of them from {@code offset}.
     *
     * @throws IllegalArgumentException when offset is negative or limit is outside 1..{@value #MAX_PAGE}
     */
    public CompletableFuture<Page> list(Filter filter, int offset, int limit) {
        if (offset < 0 || limit < 1 || limit > MAX_PAGE) {
            throw new IllegalArgumentException("offset must be >= 0 and limit 1.." + MAX_PAGE);
        }
        List<Allocation> matching = matching(filter);
        List<Allocation> page = offset >= matching.size() ? List.of()
                : matching.subList(offset, Math.min(matching.size(), offset + limit));
        List<CompletableFuture<Session>> reads = new ArrayList<>(page.size());
        for (Allocation allocation : page) {
            reads.add(onLoop(allocation, () -> allocation.isClosed() ? null : view(allocation)));
        }
        return CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new)).thenApply(done -> {
            List<Session> sessions = new ArrayList<>(reads.size());
            for (CompletableFuture<Session> read : reads) {
                Session s = read.join();
                if (s != null) {
                    sessions.add(s);
                }
            }
            return new Page(matching.size(), offset, limit, List.copyOf(sessions));
        });
    }

    /**
     * Ends the allocations matching {@code filter}, or the one with {@code id} when it is not negative: each is
     * removed on its loop ({@link EndReason#ADMIN}), so the client's next request gets 437; a TCP/TLS client's
     * connection is closed. Completes with the number ended.
     */
    public CompletableFuture<Integer> end(Filter filter, long id) {
        List<CompletableFuture<Boolean>> ends = new ArrayList<>();
        for (Allocation allocation : matching(filter)) {
            if (id >= 0 && allocation.id() != id) {
                continue;
            }
            ends.add(onLoop(allocation, () -> {
                if (allocation.isClosed()) {
                    return false;
                }
                allocations.destroy(allocation, EndReason.ADMIN);
                allocation.relayHandle().closeClientConnection();
                return true;
            }));
        }
        return CompletableFuture.allOf(ends.toArray(CompletableFuture[]::new))
                .thenApply(done -> (int) ends.stream().filter(CompletableFuture::join).count());
    }

    private List<Allocation> matching(Filter filter) {
        List<Allocation> all = new ArrayList<>(registry.allocations());
        all.removeIf(filter.negate());
        all.sort(Comparator.comparingLong(Allocation::id));
        return all;
    }

    private static <T> CompletableFuture<T> onLoop(Allocation allocation, java.util.function.Supplier<T> task) {
        CompletableFuture<T> result = new CompletableFuture<>();
        allocation.relayHandle().loop().execute(() -> {
            try {
                result.complete(task.get());
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
            }
        });
        return result;
    }

    private Session view(Allocation a) {
        long now = clock.nanos();
        List<String> relayed = new ArrayList<>();
        for (InetSocketAddress r : a.advertisedRelayAddresses()) {
            relayed.add(TraverseServer.format(r));
        }
        return new Session(a.id(), a.username(), a.fiveTuple().protocol().configName(),
                TraverseServer.format(a.fiveTuple().client()), TraverseServer.format(a.fiveTuple().server()), List.copyOf(relayed),
                Math.max(0, (now - a.createdAtNanos()) / 1_000_000_000L),
                Math.max(0, (a.expiresAtNanos() - now) / 1_000_000_000L), a.permissionCount(), a.channelCount(),
                a.trafficSnapshot(now));
    }
}
