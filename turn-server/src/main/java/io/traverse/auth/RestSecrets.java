package io.traverse.auth;

import io.traverse.stun.auth.CredentialException;
import io.traverse.stun.auth.LongTermKey;
import io.traverse.stun.auth.OpaqueString;
import io.traverse.stun.auth.PasswordAlgorithm;
import io.traverse.stun.auth.PrecisException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Shared secrets of the TURN REST API (draft-uberti-behave-turn-rest-00), as coturn implements its
 * {@code use-auth-secret} / {@code static-auth-secret} options.
 *
 * <pre>
 * username = unix-expiry-seconds [ ":" user-id ]
 * password = base64(HMAC-SHA1(secret, username))          (standard base64 with padding)
 * key      = LongTermKey.derive(algorithm, username, realm, password)   (RFC 8489 §9.2.2)
 * </pre>
 *
 * The expiry is the decimal number before the first ':' (or the whole username); the user id may
 * itself contain ':'. A username whose expiry is at or before the current second is refused.
 *
 * <p><b>Rotation:</b> several secrets are accepted at once. The list is ordered newest first: the
 * first secret signs ({@link #sign}), every secret verifies ({@link #keys} returns one candidate
 * key per secret, in list order). To rotate, put the new secret on the first line, keep the old
 * one below it while credentials signed with it may still be in use (at most their TTL), then
 * remove it.
 *
 * <p>Secrets file: UTF-8, one secret per line, surrounding white space stripped, blank lines and
 * lines whose first non-blank character is {@code #} ignored. A secret may not contain control
 * characters. An empty file is valid and accepts no REST credential.
 *
 * <p>Immutable and thread-safe. {@link #toString()} shows only the number of secrets.
 */
public final class RestSecrets {
    private static final int MAX_EXPIRY_DIGITS = 18;

    private final List<byte[]> secrets;
    private final Clock clock;

    private RestSecrets(List<byte[]> secrets, Clock clock) {
        this.secrets = secrets;
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** No secrets: every REST username is refused. */
    public static RestSecrets none(Clock clock) {
        return new RestSecrets(List.of(), clock);
    }

    /** The given secrets, newest first. */
    public static RestSecrets of(List<String> secretsNewestFirst, Clock clock) {
        List<byte[]> list = new ArrayList<>();
        for (String s : secretsNewestFirst) {
            if (Objects.requireNonNull(s, "secret").isEmpty()) {
                throw new IllegalArgumentException("empty REST secret");
            }
            list.add(s.getBytes(StandardCharsets.UTF_8));
        }
        return new RestSecrets(List.copyOf(list), clock);
    }

    /**
     * Reads a secrets file (format in the class comment).
     *
     * @throws CredentialFileException naming the file and line; never quotes a secret
     */
    public static RestSecrets parse(Path file, Clock clock) throws CredentialFileException {
        byte[] content;
        try {
            content = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new CredentialFileException(file, 0, "file does not exist");
        } catch (IOException e) {
            throw new CredentialFileException(file, "cannot read: " + e.getClass().getSimpleName(), e);
        }
        List<String> lines = CredentialLines.split(file, content);
        List<String> secrets = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            if (line.codePoints().anyMatch(Character::isISOControl)) {
                throw new CredentialFileException(file, i + 1, "secret contains a control character");
            }
            secrets.add(line);
        }
        return of(secrets, clock);
    }

    /** The clock that decides whether a REST username has expired. */
    Clock clock() {
        return clock;
    }

    /** Number of accepted secrets. */
    public int size() {
        return secrets.size();
    }

    /**
     * Mints a credential with the newest secret.
     *
     * @param userId appended after ':' when non-null and non-empty
     * @param ttl lifetime, at least one second
     * @throws CredentialException if no secret is configured
     * @throws PrecisException if the resulting username is not in OpaqueString form (RFC 8489
     *     §14.3 requires it of USERNAME)
     */
    public RestCredential sign(String userId, Duration ttl) throws CredentialException {
        if (secrets.isEmpty()) {
            throw new CredentialException("no REST secret configured");
        }
        if (ttl.getSeconds() < 1) {
            throw new IllegalArgumentException("ttl must be at least 1 s: " + ttl);
        }
        long expiry = clock.instant().getEpochSecond() + ttl.getSeconds();
        String username = userId == null || userId.isEmpty() ? Long.toString(expiry) : expiry + ":" + userId;
        if (!OpaqueString.prepare(username).equals(username)) {
            throw new CredentialException("user id is not in OpaqueString form (RFC 8265 section 4.2)");
        }
        return new RestCredential(username, password(secrets.get(0), username), expiry);
    }

    /** base64(HMAC-SHA1(secret, username)), the REST API password. */
    public static String password(String secret, String username) {
        return password(secret.getBytes(StandardCharsets.UTF_8), username);
    }

    private static String password(byte[] secret, String username) {
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(secret, "HmacSHA1"));
            return Base64.getEncoder().encodeToString(mac.doFinal(username.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA1 unavailable", e);
        }
    }

    /**
     * The expiry (Unix seconds) of a REST username, or empty when {@code username} does not have
     * the form {@code digits[":" anything]}.
     */
    public static OptionalLong expiry(String username) {
        if (username == null) {
            return OptionalLong.empty();
        }
        int colon = username.indexOf(':');
        int end = colon < 0 ? username.length() : colon;
        if (end == 0 || end > MAX_EXPIRY_DIGITS) {
            return OptionalLong.empty();
        }
        long value = 0;
        for (int i = 0; i < end; i++) {
            char c = username.charAt(i);
            if (c < '0' || c > '9') {
                return OptionalLong.empty();
            }
            value = value * 10 + (c - '0');
        }
        return OptionalLong.of(value);
    }

    /** True when {@code username} is a REST username whose expiry has not been reached. */
    public boolean isLive(String username) {
        OptionalLong expiry = expiry(username);
        return expiry.isPresent() && expiry.getAsLong() > clock.instant().getEpochSecond();
    }

    /**
     * True when {@code username} is a REST username that has not expired and expires no later than {@code maxTtl}
     * from now: a credential minted for longer than the operator allows is refused like an expired one.
     */
    public boolean isLive(String username, Duration maxTtl) {
        OptionalLong expiry = expiry(username);
        long now = clock.instant().getEpochSecond();
        return expiry.isPresent() && expiry.getAsLong() > now && expiry.getAsLong() - now <= maxTtl.getSeconds();
    }

    /**
     * The user id of a REST username ({@code expiry:user-id} → {@code user-id}; just {@code expiry} → the empty
     * string), or empty when {@code username} is not a REST username. Per-user quotas count against it, so that
     * minting a fresh credential does not grant a fresh quota.
     */
    public static Optional<String> userId(String username) {
        if (expiry(username).isEmpty()) {
            return Optional.empty();
        }
        int colon = username.indexOf(':');
        return Optional.of(colon < 0 ? "" : username.substring(colon + 1));
    }

    /**
     * Candidate long-term keys for a REST username: one per secret, newest secret first. Empty
     * when there is no secret, the username is not a REST username, it has expired, or the realm
     * is rejected by OpaqueString.
     */
    public List<byte[]> keys(String username, String realm, PasswordAlgorithm algorithm) {
        if (secrets.isEmpty() || !isLive(username)) {
            return List.of();
        }
        List<byte[]> keys = new ArrayList<>(secrets.size());
        try {
            for (byte[] secret : secrets) {
                keys.add(LongTermKey.derive(algorithm, username, realm, password(secret, username)));
            }
        } catch (PrecisException e) {
            return List.of(); // the realm is not valid OpaqueString; the password is base64 ASCII
        }
        return keys;
    }

    @Override
    public String toString() {
        return "RestSecrets[" + secrets.size() + " secrets]";
    }
}
