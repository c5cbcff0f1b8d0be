package io.traverse.auth;

import io.traverse.util.FileStamp;
import io.traverse.util.Poller;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
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


    private final CredentialStore store;
    private final Path usersFile;
    private final Path secretsFile;
    private final Clock clock;
    private FileStamp usersStamp = FileStamp.MISSING;
    private FileStamp secretsStamp = FileStamp.MISSING;
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
        FileStamp us = usersFile == null ? FileStamp.MISSING : FileStamp.of(usersFile);
        FileStamp ss = secretsFile == null ? FileStamp.MISSING : FileStamp.of(secretsFile);
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
            ok &= reloadUsers(FileStamp.of(usersFile));
        }
        if (secretsFile != null) {
            ok &= reloadSecrets(FileStamp.of(secretsFile));
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
            FileStamp now = FileStamp.of(usersFile);
            if (!now.equals(usersStamp)) {
                changed |= reloadUsers(now);
            }
        }
        if (secretsFile != null) {
            FileStamp now = FileStamp.of(secretsFile);
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
        poller = Poller.start("traverse-credential-poll", interval, this::poll, LOG);
    }

    /** Stops polling. */
    @Override
    public synchronized void close() {
        if (poller != null) {
            poller.shutdownNow();
            poller = null;
        }
    }


    private boolean reloadUsers(FileStamp stamp) {
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

    private boolean reloadSecrets(FileStamp stamp) {
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

}
