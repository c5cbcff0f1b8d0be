/**
 * The Netty-free core of the TURN relay (RFC 8656, which folds in RFC 6156): allocation state and the
 * rules that govern it, with no wire format, no transport and no metrics library.
 *
 * <h2>Threads</h2>
 * <ul>
 *   <li>An {@link io.traverse.turn.Allocation} lives on one event loop; its permissions, channels and
 *       lifetime are touched only from that thread, so it holds no locks and is <em>not</em>
 *       thread-safe.</li>
 *   <li>Global state is thread-safe: {@link io.traverse.turn.AllocationRegistry} (server-wide and
 *       per-user quotas, the 5-tuple index), {@link io.traverse.turn.PortAllocator} and the immutable
 *       {@link io.traverse.turn.PeerPolicy}.</li>
 * </ul>
 *
 * <h2>Time</h2>
 * Time is never read from the system inside this package except through an injected
 * {@link io.traverse.turn.TurnClock}; most methods take {@code nowNanos} (a {@link System#nanoTime()}
 * style reading) so that the caller reads the clock once per event and tests use a fake clock.
 *
 * <h2>Hot path</h2>
 * Per relayed packet the transport needs {@link io.traverse.turn.Allocation#hasPermission},
 * {@link io.traverse.turn.Allocation#channelForPeer}, {@link io.traverse.turn.Allocation#peerForChannel}
 * and {@link io.traverse.turn.AllocationRegistry#find(TransportProtocol, java.net.InetSocketAddress,
 * java.net.InetSocketAddress)}; each is a map or array lookup plus a clock comparison and allocates
 * nothing.
 */
package io.traverse.turn;
