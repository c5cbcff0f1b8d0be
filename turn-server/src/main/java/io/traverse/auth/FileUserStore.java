package io.traverse.auth;

import io.traverse.stun.auth.CredentialException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The users file (the embedded default) as a {@link UserStore}, for {@code turn-cli user --store file}. Every call
 * reads the file; writes replace it atomically. The server itself keeps the parsed file in memory ({@link
 * CredentialFiles}) and does not go through this class. The users file holds no REST secrets.
 */
final class FileUserStore implements UserStore {
    private final Path file;

    FileUserStore(Path file) {
        this.file = file;
    }

    private UsersFile read() throws CredentialFileException {
        return Files.exists(file) ? UsersFile.parse(file) : UsersFile.empty();
    }

    private static <T> CompletableFuture<T> failed(Exception e) {
        return CompletableFuture.failedFuture(new StoreUnavailableException(e.getMessage(), e));
    }

    @Override
    public CompletableFuture<Optional<UserEntry>> user(String username, String realm) {
        try {
            return CompletableFuture.completedFuture(read().entries().stream()
                    .filter(e -> e.username().equals(username) && e.realm().equals(realm)).findFirst());
        } catch (CredentialFileException e) {
            return failed(e);
        }
    }

    @Override
    public CompletableFuture<List<String>> restSecrets(String realm) {
        return CompletableFuture.completedFuture(List.of());
    }

    @Override
    public synchronized CompletableFuture<Void> put(UserEntry entry) {
        try {
            UsersFile users = read();
            List<UserEntry> kept = new ArrayList<>();
            for (UserEntry e : users.entries()) {
                if (!(e.username().equals(entry.username()) && e.realm().equals(entry.realm()))) {
                    kept.add(e);
                }
            }
            kept.add(entry);
            UsersFile.of(kept).write(file);
            return CompletableFuture.completedFuture(null);
        } catch (CredentialException | java.io.IOException e) {
            return failed(e);
        }
    }

    @Override
    public synchronized CompletableFuture<Boolean> delete(String username, String realm) {
        try {
            UsersFile users = read();
            if (!users.contains(username, realm)) {
                return CompletableFuture.completedFuture(false);
            }
            users.remove(username, realm).write(file);
            return CompletableFuture.completedFuture(true);
        } catch (CredentialException | java.io.IOException e) {
            return failed(e);
        }
    }

    @Override
    public CompletableFuture<List<UserEntry>> list(String realm) {
        try {
            List<UserEntry> users = new ArrayList<>();
            for (UserEntry e : read().entries()) {
                if (realm == null || e.realm().equals(realm)) {
                    users.add(e);
                }
            }
            users.sort(Comparator.comparing(UserEntry::realm).thenComparing(UserEntry::username));
            return CompletableFuture.completedFuture(users);
        } catch (CredentialFileException e) {
            return failed(e);
        }
    }

    @Override
    public String describe() {
        return "file:" + file;
    }

    @Override
    public void close() {}
}
