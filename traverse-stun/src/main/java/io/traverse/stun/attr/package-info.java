/**
 * One immutable record per STUN attribute (RFC 8489 §14, RFC 8656 §18, RFC 6062 §6.2, RFC 5780 §7).
 *
 * <p>Constructors validate what the RFCs require of a value and throw {@link IllegalArgumentException}
 * otherwise; the decoder checks the same limits first and reports a typed
 * {@code io.traverse.stun.codec.StunParseException} for bad wire data. Records holding bytes copy them in
 * and out and compare by content.
 */
package io.traverse.stun.attr;
