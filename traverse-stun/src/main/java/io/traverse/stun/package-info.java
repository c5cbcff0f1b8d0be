/**
 * STUN message model (RFC 8489 §5, §6), shared by the TURN extensions (RFC 8656, RFC 6062) and the
 * NAT behaviour discovery attributes (RFC 5780).
 *
 * <p>Everything here is immutable and Netty-free. Attributes live in {@code io.traverse.stun.attr},
 * the wire format (decoder, encoder, integrity, fingerprint, ChannelData, framing) in
 * {@code io.traverse.stun.codec}.
 */
package io.traverse.stun;
