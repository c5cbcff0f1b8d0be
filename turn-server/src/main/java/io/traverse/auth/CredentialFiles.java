package io.traverse.auth;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads the users file and the REST secrets file into a {@link CredentialStore} and reloads them
 * when they change, without a restart.
 *
 * <p><b>Change detection by polling</b> (not {@link java.nio.file.WatchService}): every interval
 * the files' modification time, size and file key (inode) are compared with those seen at the last
 * load. Polling was chosen because it also works on network and container-mounted file systems
 * and with Kubernetes secret volumes (which swap a symlink two levels up, an event a directory
 * watch on the parent does not report), needs no thread blocked in the kernel, and is trivial to
 * test: {@link #poll()} does one round synchronously. The cost is a delay of up to one interval
 * and two {@code stat} calls per interval. An in-place edit that keeps both size and timestamp
 * (within the file system's timestamp granularity) is not noticed; {@link #reload()} (e.g. on
 * SIGHUP) re-reads unconditionally.
 *
 * <p><b>A bad file never replaces a good one:</b> if a changed file cannot be read or parsed, the
 * previous content stays in force and an error naming the file and line (never its content) is
 * logged. The failed version is remembered, so it is not re-parsed and re-logged on every poll; the
 * next change is tried again.
 *
 * <p>At startup use {@link #load()}, which fails instead of keeping anything.
 */
public final class CredentialFiles implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CredentialFiles.class);

    /** What a poll compares; {@code null} attributes mean the file was missing or unreadable. */
    private record Stamp(FileTime modified, long size, Object fileKey) {
        static final Stamp MISSING = new Stamp(null, -1, null);
    }

    private final CredentialStore store;
    private final Path usersFile;
    private final Path secretsFile;
    private final Clock clock;
    private Stamp usersStamp = Stamp.MISSING;
    private Stamp secretsStamp = Stamp.MISSING;
    private ScheduledExecutorService poller;

    /**
     * @param usersFile the users file, or null when none is configured
     * @param secretsFile the REST secrets file, or null when none is configured
     * @param clock the clock of the REST secrets (expiry checks)
     */
    public CredentialFiles(CredentialStore store, Path usersFile, Path secretsFile, Clock clock) {
        this.store = Objects.requireNonNull(store, "store");
        this.usersFile = usersFile;
        this.secretsFile = secretsFile;
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * Loads the configured files and installs them in the store (startup).
     *
     * @throws CredentialFileException for the first file that cannot be loaded; the store is then
     *     unchanged
     */
    public synchronized void load() throws CredentialFileException {
        Stamp us = usersFile == null ? Stamp.MISSING : stamp(usersFile);
        Stamp ss = secretsFile == null ? Stamp.MISSING : stamp(secretsFile);
        UsersFile users = usersFile == null ? UsersFile.empty() : UsersFile.parse(usersFile);
        RestSecrets rest = secretsFile == null ? RestSecrets.none(clock) : RestSecrets.parse(secretsFile, clock);
        store.replace(users, rest);
        usersStamp = us;
        secretsStamp = ss;
        LOG.info("loaded credentials: {} users, {} REST secrets", users.size(), rest.size());
    }

    /**
     * Re-reads every configured file now, whether changed or not (on demand, e.g. SIGHUP). A file
     * that fails keeps its previous content in force.
     *
     * @return true when every configured file was loaded
     */
    public synchronized boolean reload() {
        boolean ok = true;
        if (usersFile != null) {
            ok &= reloadUsers(stamp(usersFile));
        }
        if (secretsFile != null) {
            ok &= reloadSecrets(stamp(secretsFile));
        }
        return ok;
    }

    /**
     * One polling round: reloads each configured file whose modification time, size or file key
     * changed since it was last (attempted to be) loaded.
     *
     * @return true when a file was reloaded successfully
     */
    public synchronized boolean poll() {
        boolean changed = false;
        if (usersFile != null) {
            Stamp now = stamp(usersFile);
            if (!now.equals(usersStamp)) {
                changed |= reloadUsers(now);
            }
        }
        if (secretsFile != null) {
            Stamp now = stamp(secretsFile);
            if (!now.equals(secretsStamp)) {
                changed |= reloadSecrets(now);
            }
        }
        return changed;
    }

    /** Starts polling every {@code interval} on a daemon thread until {@link #close()}. */
    public synchronized void start(Duration interval) {
        if (poller != null) {
            throw new IllegalStateException("already started");
        }
        long millis = Math.max(1, interval.toMillis());
        poller = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "traverse-credential-poll");
            t.setDaemon(true);
            return t;
        });
        poller.scheduleWithFixedDelay(this::pollLogged, millis, millis, TimeUnit.MILLISECONDS);
    }

    /** Stops polling. */
    @Override
    public synchronized void close() {
        if (poller != null) {
            poller.shutdownNow();
            poller = null;
        }
    }

    private void pollLogged() {
        try {
            poll();
        } catch (RuntimeException e) {
            LOG.error("credential file poll failed", e);
        }
    }

    private boolean reloadUsers(Stamp stamp) {
        usersStamp = stamp;
        try {
            UsersFile users = UsersFile.parse(usersFile);
            store.replaceUsers(users);
            LOG.info("reloaded users file {}: {} users", usersFile, users.size());
            return true;
        } catch (CredentialFileException e) {
            LOG.error("users file not reloaded, previous users stay in force: {}", e.getMessage());
            return false;
        }
    }

    private boolean reloadSecrets(Stamp stamp) {
        secretsStamp = stamp;
        try {
            RestSecrets rest = RestSecrets.parse(secretsFile, clock);
            store.replaceRestSecrets(rest);
            LOG.info("reloaded REST secrets file {}: {} secrets", secretsFile, rest.size());
            return true;
        } catch (CredentialFileException e) {
            LOG.error("REST secrets file not reloaded, previous secrets stay in force: {}", e.getMessage());
            return false;
        }
    }

    private static Stamp stamp(Path file) {
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            return new Stamp(a.lastModifiedTime(), a.size(), a.fileKey());
        } catch (IOException e) {
            return Stamp.MISSING;
        }
    }
}
