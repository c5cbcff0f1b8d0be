package io.traverse.auth;

import java.util.Objects;

/**
 * A time-limited TURN credential minted by {@link RestSecrets#sign}: the username and password a
 * web application hands to its client (TURN REST API, draft-uberti-behave-turn-rest-00 §2.2).
 * {@link #toString()} omits the password.
 *
 * @param username {@code <unix-expiry-seconds>[:<user-id>]}
 * @param password base64(HMAC-SHA1(secret, username))
 * @param expiresAtEpochSecond the expiry encoded in the username
 */
public record RestCredential(String username, String password, long expiresAtEpochSecond) {
    public RestCredential {
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(password, "password");
    }

    @Override
    public String toString() {
        return "RestCredential[username=" + username + ", password=<redacted>]";
    }
}
