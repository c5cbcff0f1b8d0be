/**
 * Long-term credential authentication building blocks, free of Netty and of the STUN codec:
 * PRECIS string preparation ({@link io.traverse.auth.OpaqueString}), key derivation and USERHASH
 * ({@link io.traverse.auth.LongTermKey}, RFC 8489 §9.2.2, §14.4), stateless nonces with the RFC 8489
 * nonce cookie ({@link io.traverse.auth.StatelessNonces}), credential sources (users file, TURN REST
 * API secrets) combined in {@link io.traverse.auth.CredentialStore} with reload on change
 * ({@link io.traverse.auth.CredentialFiles}), and a per-source {@link io.traverse.auth.RateLimiter}
 * for unauthenticated requests. See docs/authentication.md.
 */
package io.traverse.auth;
