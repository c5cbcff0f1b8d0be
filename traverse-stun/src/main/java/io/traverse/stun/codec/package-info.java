/**
 * The STUN wire format (RFC 8489 §5, §6, §14; RFC 8656 §12, §18; RFC 6062; RFC 5780): a decoder and an
 * encoder working on Netty {@code ByteBuf}s, message integrity (HMAC-SHA1 and HMAC-SHA256), FINGERPRINT,
 * ChannelData helpers for the relay hot path, and first-bytes demultiplexing (RFC 7983).
 *
 * <p>Malformed input never escapes as an unchecked exception: the decoder throws
 * {@link io.traverse.stun.codec.StunParseException} naming the problem.
 */
package io.traverse.stun.codec;
