/**
 * Server-side long-term credential authentication, free of Netty: stateless nonces with the RFC 8489
 * nonce cookie ({@link io.traverse.auth.StatelessNonces}), credential sources (users file, TURN REST
 * API secrets) combined in {@link io.traverse.auth.CredentialStore} with reload on change
 * ({@link io.traverse.auth.CredentialFiles}), and a per-source {@link io.traverse.auth.RateLimiter}
 * for unauthenticated requests. PRECIS preparation, key derivation and USERHASH are shared with clients
 * and live in {@code io.traverse.stun.auth} (module traverse-stun). See docs/authentication.md.
 */
package io.traverse.auth;
