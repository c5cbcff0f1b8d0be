package io.traverse.auth;

import io.traverse.stun.auth.CredentialException;
import io.traverse.stun.auth.LongTermKey;
import io.traverse.stun.auth.OpaqueString;
import io.traverse.stun.auth.PasswordAlgorithm;
import io.traverse.stun.auth.PrecisException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The users file: long-term credentials as derived keys (RFC 8489 §9.2.2), never passwords.
 *
 * <p>Format (UTF-8, one user per line; blank lines and lines starting with {@code #} ignored):
 *
 * <pre>
 * username:realm:md5-key-hex:sha256-key-hex
 * </pre>
 *
 * <ul>
 *   <li>{@code username} and {@code realm} are in OpaqueString form (RFC 8265 §4.2), exactly as a
 *       client sends them in USERNAME and REALM. In these two fields the characters {@code %},
 *       {@code :}, {@code #}, space and ASCII controls are written as {@code %XX} (the UTF-8 bytes
 *       in hex), so usernames may contain ':'; other characters appear literally.
 *   <li>{@code md5-key-hex}: 32 hex digits, MD5(username ":" realm ":" password); {@code
 *       sha256-key-hex}: 64 hex digits, the SHA-256 variant. Either may be empty (e.g. a database
 *       imported with MD5 keys only), not both. Hex is case-insensitive on input, lowercase on
 *       output.
 *   <li>A (username, realm) pair appears at most once.
 * </ul>
 *
 * Instances are immutable; {@link #add}, {@link #passwd} and {@link #remove} return new ones.
 * {@link #write} replaces the file atomically with owner-only permissions. Comments of a parsed
 * file are not preserved by {@link #write}.
 */
public final class UsersFile {
    private static final HexFormat HEX = HexFormat.of();
    private static final Set<PosixFilePermission> OWNER_READ_WRITE = PosixFilePermissions.fromString("rw-------");
    private static final String HEADER = String.join("\n",
            "# Traverse users file, see docs/authentication.md. One user per line:",
            "#   username:realm:md5-key-hex:sha256-key-hex",
            "# Keys are derived (RFC 8489 section 9.2.2), never passwords. In username and realm,",
            "# '%', ':', '#', space and control characters are written as %XX (UTF-8 bytes).",
            "");

    private static final UsersFile EMPTY = new UsersFile(List.of());

    private final List<UserEntry> entries;
    private final Map<UserRealm, UserEntry> byName;
    private final Map<ByteBuffer, UserEntry> byHash;

    private record UserRealm(String username, String realm) {}

    private UsersFile(List<UserEntry> entries) {
        this.entries = List.copyOf(entries);
        Map<UserRealm, UserEntry> names = new HashMap<>();
        Map<ByteBuffer, UserEntry> hashes = new HashMap<>();
        for (UserEntry e : this.entries) {
            names.put(new UserRealm(e.username(), e.realm()), e);
            hashes.put(ByteBuffer.wrap(userHashOf(e)), e);
        }
        this.byName = names;
        this.byHash = hashes;
    }

    /** A file with no users. */
    public static UsersFile empty() {
        return EMPTY;
    }

    /**
     * A users file holding {@code entries} in order.
     *
     * @throws CredentialException if a username or realm is not in OpaqueString form or a
     *     (username, realm) pair occurs twice
     */
    public static UsersFile of(Collection<UserEntry> entries) throws CredentialException {
        Map<UserRealm, UserEntry> seen = new LinkedHashMap<>();
        for (UserEntry e : entries) {
            checkPrepared(e.username(), "username");
            checkPrepared(e.realm(), "realm");
            if (seen.putIfAbsent(new UserRealm(e.username(), e.realm()), e) != null) {
                throw new CredentialException("duplicate user " + e.username() + " in realm " + e.realm());
            }
        }
        return new UsersFile(new ArrayList<>(seen.values()));
    }

    /**
     * Reads and validates a users file.
     *
     * @throws CredentialFileException naming the file and line of the first problem; the message
     *     never quotes line content
     */
    public static UsersFile parse(Path file) throws CredentialFileException {
        byte[] content;
        try {
            content = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new CredentialFileException(file, 0, "file does not exist");
        } catch (IOException e) {
            throw new CredentialFileException(file, "cannot read: " + e.getClass().getSimpleName(), e);
        }
        return parse(file, content);
    }

    /** Parses file content; {@code source} is only used in error messages. */
    static UsersFile parse(Path source, byte[] content) throws CredentialFileException {
        List<String> lines = CredentialLines.split(source, content);
        List<UserEntry> entries = new ArrayList<>();
        Map<UserRealm, Integer> lineOf = new HashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            int lineNo = i + 1;
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            UserEntry entry = parseLine(source, lineNo, line);
            Integer previous = lineOf.putIfAbsent(new UserRealm(entry.username(), entry.realm()), lineNo);
            if (previous != null) {
                throw new CredentialFileException(source, lineNo,
                        "duplicate user: the same username and realm are on line " + previous);
            }
            entries.add(entry);
        }
        return new UsersFile(entries);
    }

    private static UserEntry parseLine(Path source, int lineNo, String line) throws CredentialFileException {
        String[] fields = line.split(":", -1);
        if (fields.length != 4) {
            throw new CredentialFileException(source, lineNo,
                    "expected 4 ':'-separated fields username:realm:md5-key-hex:sha256-key-hex, found "
                            + fields.length);
        }
        String username = decodeField(source, lineNo, fields[0], "username");
        String realm = decodeField(source, lineNo, fields[1], "realm");
        byte[] md5 = decodeKey(source, lineNo, fields[2], PasswordAlgorithm.MD5, "field 3 (MD5 key)");
        byte[] sha = decodeKey(source, lineNo, fields[3], PasswordAlgorithm.SHA256, "field 4 (SHA-256 key)");
        if (md5 == null && sha == null) {
            throw new CredentialFileException(source, lineNo, "no key: fields 3 and 4 are both empty");
        }
        return new UserEntry(username, realm, md5, sha);
    }

    private static String decodeField(Path source, int lineNo, String field, String name)
            throws CredentialFileException {
        String what = name.equals("username") ? "field 1 (username)" : "field 2 (realm)";
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(field.length());
        int i = 0;
        while (i < field.length()) {
            int cp = field.codePointAt(i);
            if (cp == '%') {
                int hi = i + 2 < field.length() ? Character.digit(field.charAt(i + 1), 16) : -1;
                int lo = hi >= 0 ? Character.digit(field.charAt(i + 2), 16) : -1;
                if (hi < 0 || lo < 0) {
                    throw new CredentialFileException(source, lineNo, what + ": malformed %-escape");
                }
                bytes.write(hi << 4 | lo);
                i += 3;
            } else if (cp <= 0x20 || cp == 0x7F || Character.isWhitespace(cp)) {
                throw new CredentialFileException(source, lineNo,
                        what + ": literal space or control character; write it as %XX");
            } else {
                int n = Character.charCount(cp);
                bytes.writeBytes(field.substring(i, i + n).getBytes(StandardCharsets.UTF_8));
                i += n;
            }
        }
        String value;
        try {
            value = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes.toByteArray()))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new CredentialFileException(source, lineNo, what + ": %-escapes are not valid UTF-8");
        }
        try {
            String prepared = OpaqueString.prepare(value);
            if (!prepared.equals(value)) {
                throw new CredentialFileException(source, lineNo,
                        what + ": not in OpaqueString form (RFC 8265 section 4.2); re-add the user");
            }
        } catch (PrecisException e) {
            throw new CredentialFileException(source, lineNo,
                    what + ": rejected by OpaqueString: " + e.reason().description());
        }
        return value;
    }

    private static byte[] decodeKey(Path source, int lineNo, String field, PasswordAlgorithm algorithm, String what)
            throws CredentialFileException {
        if (field.isEmpty()) {
            return null;
        }
        int digits = algorithm.keyLength() * 2;
        if (field.length() != digits || !field.chars().allMatch(c -> Character.digit(c, 16) >= 0 && c < 0x80)) {
            throw new CredentialFileException(source, lineNo, what + ": expected " + digits + " hex digits or nothing");
        }
        return HEX.parseHex(field);
    }

    /** The file content {@link #write} produces. */
    public String format() {
        StringBuilder out = new StringBuilder(HEADER);
        for (UserEntry e : entries) {
            out.append(encodeField(e.username())).append(':')
                    .append(encodeField(e.realm())).append(':')
                    .append(hexOrEmpty(e.raw(PasswordAlgorithm.MD5))).append(':')
                    .append(hexOrEmpty(e.raw(PasswordAlgorithm.SHA256))).append('\n');
        }
        return out.toString();
    }

    private static String hexOrEmpty(byte[] key) {
        return key == null ? "" : HEX.formatHex(key);
    }

    private static String encodeField(String value) {
        StringBuilder out = new StringBuilder(value.length());
        for (int i = 0; i < value.length(); ) {
            int cp = value.codePointAt(i);
            if (cp <= 0x20 || cp == 0x7F || cp == '%' || cp == ':' || cp == '#') {
                out.append('%').append(Character.toUpperCase(Character.forDigit(cp >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(cp & 0xF, 16)));
            } else {
                out.appendCodePoint(cp);
            }
            i += Character.charCount(cp);
        }
        return out.toString();
    }

    /**
     * Writes the file atomically: the content goes to a temporary file in the same directory
     * (created with mode 0600 where POSIX permissions are supported), is forced to disk, then
     * renamed over {@code file} with {@link StandardCopyOption#ATOMIC_MOVE}. Readers see the old or
     * the new file, never a partial one. If {@code file} is a symbolic link, the link itself is
     * replaced.
     *
     * @throws AtomicMoveNotSupportedException if the file system cannot rename atomically
     */
    public void write(Path file) throws IOException {
        Path target = file.toAbsolutePath();
        Path dir = target.getParent();
        boolean posix = Files.getFileStore(dir).supportsFileAttributeView(PosixFileAttributeView.class);
        FileAttribute<?>[] attrs = posix
                ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(OWNER_READ_WRITE)}
                : new FileAttribute<?>[0];
        Path tmp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp", attrs);
        boolean moved = false;
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer buf = ByteBuffer.wrap(format().getBytes(StandardCharsets.UTF_8));
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            moved = true;
        } finally {
            if (!moved) {
                Files.deleteIfExists(tmp);
            }
        }
        syncDirectory(dir);
    }

    /** Best effort: make the rename durable. Not all platforms can open a directory. */
    private static void syncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // the rename is atomic regardless; only durability across a crash is weaker
        }
    }

    /**
     * A copy with a new user whose keys are derived from {@code password}; username and realm are
     * prepared with OpaqueString first.
     *
     * @throws CredentialException if the user already exists in the realm, or OpaqueString rejects
     *     an input
     */
    public UsersFile add(String username, String realm, String password) throws CredentialException {
        UserEntry entry = UserEntry.fromPassword(username, realm, password);
        if (contains(entry.username(), entry.realm())) {
            throw new CredentialException("user " + entry.username() + " already exists in realm " + entry.realm());
        }
        List<UserEntry> copy = new ArrayList<>(entries);
        copy.add(entry);
        return new UsersFile(copy);
    }

    /**
     * A copy in which an existing user's keys are replaced by keys derived from {@code password}.
     *
     * @throws CredentialException if there is no such user, or OpaqueString rejects an input
     */
    public UsersFile passwd(String username, String realm, String password) throws CredentialException {
        UserEntry entry = UserEntry.fromPassword(username, realm, password);
        List<UserEntry> copy = new ArrayList<>(entries);
        int index = indexOf(entry.username(), entry.realm());
        if (index < 0) {
            throw new CredentialException("no user " + entry.username() + " in realm " + entry.realm());
        }
        copy.set(index, entry);
        return new UsersFile(copy);
    }

    /**
     * A copy without the user.
     *
     * @throws CredentialException if there is no such user, or OpaqueString rejects an input
     */
    public UsersFile remove(String username, String realm) throws CredentialException {
        String u = OpaqueString.prepare(username);
        String r = OpaqueString.prepare(realm);
        int index = indexOf(u, r);
        if (index < 0) {
            throw new CredentialException("no user " + u + " in realm " + r);
        }
        List<UserEntry> copy = new ArrayList<>(entries);
        copy.remove(index);
        return new UsersFile(copy);
    }

    private int indexOf(String username, String realm) {
        for (int i = 0; i < entries.size(); i++) {
            UserEntry e = entries.get(i);
            if (e.username().equals(username) && e.realm().equals(realm)) {
                return i;
            }
        }
        return -1;
    }

    /** True when the file has a user with exactly this (prepared) username and realm. */
    public boolean contains(String username, String realm) {
        return byName.containsKey(new UserRealm(username, realm));
    }

    /**
     * The key of a user, looked up by the username and realm exactly as received in USERNAME and
     * REALM.
     *
     * @return a copy of the key, or empty for an unknown user or a user without a key for {@code
     *     algorithm}
     */
    public Optional<byte[]> key(String username, String realm, PasswordAlgorithm algorithm) {
        UserEntry e = byName.get(new UserRealm(username, realm));
        return e == null ? Optional.empty() : e.key(algorithm);
    }

    /**
     * The username whose USERHASH (RFC 8489 §14.4) is {@code hash} in {@code realm}.
     *
     * @return empty for a hash of the wrong length or of no known user in that realm
     */
    public Optional<String> usernameForHash(byte[] hash, String realm) {
        if (hash == null || hash.length != 32) {
            return Optional.empty();
        }
        UserEntry e = byHash.get(ByteBuffer.wrap(hash));
        return e != null && e.realm().equals(realm) ? Optional.of(e.username()) : Optional.empty();
    }

    /** All entries in file order. */
    public List<UserEntry> entries() {
        return Collections.unmodifiableList(entries);
    }

    public int size() {
        return entries.size();
    }

    @Override
    public String toString() {
        return "UsersFile[" + entries.size() + " users]";
    }

    private static byte[] userHashOf(UserEntry e) {
        try {
            return LongTermKey.userHash(e.username(), e.realm());
        } catch (PrecisException ex) {
            throw new IllegalStateException("entries are validated as OpaqueString-prepared", ex);
        }
    }

    private static void checkPrepared(String value, String what) throws CredentialException {
        String prepared = OpaqueString.prepare(value);
        if (!prepared.equals(value)) {
            throw new CredentialException(what + " is not in OpaqueString form (RFC 8265 section 4.2)");
        }
    }
}
