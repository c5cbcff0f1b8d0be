package io.traverse.server;

import io.traverse.metrics.TraverseMetrics;
import io.traverse.metrics.TraverseMetrics.DropReason;
import io.traverse.stun.ErrorCode;
import io.traverse.stun.Method;
import io.traverse.stun.StunMessage;
import io.traverse.stun.codec.DecodedMessage;
import io.traverse.transport.ClientLink;
import io.traverse.turn.Allocation;
import io.traverse.turn.AllocationRegistry;
import io.traverse.turn.EndReason;
import io.traverse.turn.PeerPolicy;
import io.traverse.turn.RelayHandle;
import io.traverse.turn.TurnClock;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.util.concurrent.CompletableFuture;

/**
 * The TURN requests and indications of RFC 8656 and RFC 6062: authenticates every request (RFC 8489 §9.2; RFC 8656
 * §7.2 step 1), applies the general rules of RFC 8656 §5 (an allocation on the 5-tuple, 437; its username, 441) and
 * hands each method to its handler: {@link AllocateHandler}, {@link RefreshHandler}, {@link CreatePermissionHandler},
 * {@link ChannelBindHandler}, {@link SendHandler}, {@link ConnectHandler}, {@link ConnectionBindHandler}. A reload
 * replaces the peer policy they share through {@link #applyPolicy}. All work for a client runs on the client's event
 * loop, where its allocation lives.
 */
final class TurnService {
    private static final Logger LOG = LoggerFactory.getLogger(TurnService.class);
    /** How long a reload waits for the event loops to apply a new peer policy. */
    private static final Duration APPLY_POLICY_WAIT = Duration.ofSeconds(5);

    private final Authenticator authenticator;
    private final AllocationRegistry registry;
    private final LivePolicy policy;
    private final TurnClock clock;
    private final TraverseMetrics metrics;
    private final AllocateHandler allocateHandler;
    private final TcpRelay tcpRelay;
    private final RefreshHandler refresh;
    private final CreatePermissionHandler createPermission;
    private final ChannelBindHandler channelBind;
    private final SendHandler send;
    private final ConnectHandler connect;
    private final ConnectionBindHandler connectionBind;
    private final Responder responder;

    TurnService(Authenticator authenticator, AllocationRegistry registry, LivePolicy policy, TurnClock clock,
            TraverseMetrics metrics, Responder responder, AllocateHandler allocateHandler, TcpRelay tcpRelay) {
        this.authenticator = authenticator;
        this.registry = registry;
        this.policy = policy;
        this.clock = clock;
        this.metrics = metrics;
        this.responder = responder;
        this.allocateHandler = allocateHandler;
        this.tcpRelay = tcpRelay;
        this.refresh = new RefreshHandler(responder, allocateHandler);
        this.createPermission = new CreatePermissionHandler(responder, policy);
        this.channelBind = new ChannelBindHandler(responder, policy);
        this.send = new SendHandler(registry, policy, clock, metrics);
        this.connect = new ConnectHandler(tcpRelay, policy, responder, clock, metrics);
        this.connectionBind = new ConnectionBindHandler(tcpRelay, registry, responder);
    }

    /**
     * Replaces the peer policy (reload) and applies it to live state (RFC 8656 §21.3): every allocation drops its
     * permissions and channels to peers the new policy denies, and closes its RFC 6062 connections to them, on its
     * own event loop. Returns once every loop has done so (at most {@code APPLY_POLICY_WAIT}), so that after a
     * reload no ChannelData, Send or peer datagram reaches a newly denied peer.
     */
    void applyPolicy(PeerPolicy newPolicy) {
        policy.set(newPolicy);
        Predicate<InetAddress> denied = peer -> !newPolicy.isAllowed(peer);
        List<CompletableFuture<Void>> done = new ArrayList<>();
        for (Allocation allocation : registry.allocations()) {
            RelayHandle handle = allocation.relayHandle();
            Runnable revoke = () -> {
                int revoked = allocation.revokePeers(denied);
                if (handle.isTcp()) {
                    revoked += tcpRelay.closeDenied(allocation, denied);
                }
                if (revoked > 0) {
                    LOG.info("allocation {}: {} permissions, channels or connections to peers now denied removed",
                            allocation.id(), revoked);
                }
            };
            if (handle.inLoop()) {
                revoke.run();
            } else {
                done.add(CompletableFuture.runAsync(revoke, handle.loop()));
            }
        }
        long deadline = System.nanoTime() + APPLY_POLICY_WAIT.toNanos();
        for (CompletableFuture<Void> f : done) {
            long left = deadline - System.nanoTime();
            if (left <= 0 || !finished(f, left)) {
                LOG.warn("peer policy reload: some event loops have not applied the new policy yet");
                return;
            }
        }
    }


    /** Whether {@code method} is a TURN request handled here. */
    static boolean handles(Method method) {
        return method.equals(Method.ALLOCATE) || method.equals(Method.REFRESH)
                || method.equals(Method.CREATE_PERMISSION) || method.equals(Method.CHANNEL_BIND)
                || method.equals(Method.CONNECT) || method.equals(Method.CONNECTION_BIND);
    }

    void onRequest(DecodedMessage decoded, ClientLink link) {
        // RFC 8656 §7.2 step 1 (and §5 for the other requests): "The TURN server provided by the local or access
        // network MAY allow an unauthenticated request in order to accept Allocation requests from new and/or guest
        // users in the network who do not necessarily possess long-term credentials for STUN authentication. The
        // security implications of STUN and making STUN authentication optional are discussed in [RFC8155].
        // Otherwise, the server MUST require that the request be authenticated. If the request is authenticated, the
        // authentication MUST be done either using the long-term credential mechanism of [RFC8489] or using the STUN
        // Extension for Third-Party Authorization [RFC7635] unless the client and server agree to use another
        // mechanism through some procedure outside the scope of this document."
        // Traverse requires the long-term credential mechanism of RFC 8489 for every request.
        CompletableFuture<Authenticator.Result> pending = authenticator.authenticate(decoded,
                link.fiveTuple().client(), transportTag(link), link.eventLoop());
        if (pending.isDone()) {
            onAuthenticated(decoded, link, pending.join());
        } else {
            // The key came from a credential store: the authenticator continues on this client's loop, and the
            // response written there is flushed here (the read batch that carried the request is long over).
            pending.thenAccept(result -> {
                onAuthenticated(decoded, link, result);
                link.channel().flush();
            }).exceptionally(e -> {
                LOG.warn("{} from {} failed after the credential look-up", decoded.message().type().method().name(),
                        link.fiveTuple().client(), e);
                return null;
            });
        }
    }

    private void onAuthenticated(DecodedMessage decoded, ClientLink link, Authenticator.Result result) {
        if (result instanceof Authenticator.Dropped dropped) {
            metrics.dropped(DropReason.RATE_LIMITED);
            metrics.authFailed(dropped.reason());
            return;
        }
        if (result instanceof Authenticator.Rejected rejected) {
            metrics.authFailed(rejected.reason());
            responder.respond(link, decoded, rejected.response(), rejected.integrity());
            return;
        }
        if (!(result instanceof Authenticator.Authenticated auth)) {
            return;
        }
        metrics.authSucceeded();
        Method method = decoded.message().type().method();
        if (method.equals(Method.ALLOCATE)) {
            allocateHandler.allocate(decoded, link, auth);
            return;
        }
        if (method.equals(Method.CONNECTION_BIND)) {
            // RFC 6062 §5.4: arrives on a new connection that has no allocation of its own.
            connectionBind.connectionBind(decoded, link, auth);
            return;
        }
        Allocation allocation = registry.find(link.fiveTuple());
        long now = clock.nanos();
        if (allocation == null || allocation.isExpired(now)) {
            // RFC 8656 §8.2, §10.2, §12.2 (by §5) and RFC 6062 §5.2: no allocation on this 5-tuple → 437.
            responder.error(link, decoded, auth, ErrorCode.ALLOCATION_MISMATCH);
            return;
        }
        if (!allocation.isOwnedBy(auth.username())) {
            // RFC 8656 §5: requests on an allocation's 5-tuple must use the username that created it → 441.
            responder.error(link, decoded, auth, ErrorCode.WRONG_CREDENTIALS);
            return;
        }
        if (method.equals(Method.REFRESH)) {
            refresh.refresh(decoded, link, auth, allocation, now);
        } else if (method.equals(Method.CREATE_PERMISSION)) {
            createPermission.createPermission(decoded, link, auth, allocation, now);
        } else if (method.equals(Method.CONNECT)) {
            connect.connect(decoded, link, auth, allocation);
        } else {
            channelBind.channelBind(decoded, link, auth, allocation, now);
        }
    }

    /** RFC 8656 §11.2: Send indications are never answered ({@link SendHandler}). */
    void onSend(StunMessage indication, ClientLink link) {
        send.onSend(indication, link);
    }

    /** A stream client went away: its allocation goes with it (RFC 8656 §3.1, TCP/TLS 5-tuples). */
    void onClientClosed(ClientLink link) {
        Allocation allocation = registry.find(link.fiveTuple());
        if (allocation != null) {
            allocateHandler.destroy(allocation, EndReason.CONNECTION_CLOSED);
        }
    }

    /** Whether {@code f} completed within {@code nanos}. */
    private static boolean finished(CompletableFuture<Void> f, long nanos) {
        try {
            f.get(nanos, TimeUnit.NANOSECONDS);
            return true;
        } catch (java.util.concurrent.TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (java.util.concurrent.ExecutionException e) {
            LOG.warn("peer policy reload: applying the new policy failed", e.getCause());
            return true;
        }
    }

    static String transportTag(ClientLink link) {
        return link.fiveTuple().protocol().name();
    }
}
