/**
 * Long-term credential primitives shared by servers and clients, free of Netty and of TURN state:
 * PRECIS string preparation ({@link io.traverse.stun.auth.OpaqueString}, RFC 8265 via RFC 8489 §9.2.2),
 * key derivation and USERHASH ({@link io.traverse.stun.auth.LongTermKey}, RFC 8489 §9.2.2, §14.4),
 * the password algorithms of RFC 8489 §18.5, and the nonce cookie with its security feature bits
 * ({@link io.traverse.stun.auth.NonceCookie}, RFC 8489 §9.2).
 */
package io.traverse.stun.auth;
