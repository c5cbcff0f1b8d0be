package io.traverse.cli;

import io.traverse.auth.StoreUnavailableException;
import io.traverse.auth.UserStore;
import io.traverse.auth.UserStores;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Option;

/**
 * Where {@code turn-cli user} keeps users: {@code --users-file FILE} (or {@code --store file:FILE}), or a database
 * in coturn's schema, {@code --store redis://…} / {@code postgres://…} / {@code sqlite:FILE}, with the password in
 * {@code --store-password-file} rather than on the command line.
 */
final class UserStoreOption {
    static final Duration TIMEOUT = Duration.ofSeconds(10);

    @Option(names = "--users-file", paramLabel = "FILE", description = "The users file (as --store file:FILE).")
    Path file;

    @Option(names = "--store", paramLabel = "URL",
            description = "file:FILE, or in coturn's schema redis://HOST:PORT/DB, postgres://USER@HOST:PORT/DB or "
                    + "sqlite:FILE (coturn's turndb; user add creates it when missing).")
    String store;

    @Option(names = "--store-password-file", paramLabel = "FILE",
            description = "File whose first line is the database password.")
    Path passwordFile;

    /** The users file to edit, or null when the store is a database. */
    Path usersFile() throws CliException {
        if ((file == null) == (store == null)) {
            throw CliException.usage("give exactly one of --users-file and --store");
        }
        return file != null ? file : UserStores.usersFile(store);
    }

    /** Opens the database store (when {@link #usersFile()} is null). */
    UserStore open() throws CliException {
        String password = null;
        if (passwordFile != null) {
            try {
                password = UserStores.readPassword(passwordFile);
            } catch (IOException e) {
                throw CliException.failed("cannot read " + passwordFile + ": " + e.getClass().getSimpleName());
            }
        }
        try {
            return UserStores.open(store, password, TIMEOUT, 1);
        } catch (IllegalArgumentException e) {
            throw CliException.usage("--store: " + e.getMessage());
        }
    }

    /** Waits for a store answer; a failure names the store, never its password. */
    static <T> T await(CompletableFuture<T> future, UserStore store) throws CliException {
        try {
            return future.get(TIMEOUT.toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            throw CliException.failed(cause instanceof StoreUnavailableException ? cause.getMessage()
                    : store.describe() + ": " + cause);
        } catch (TimeoutException e) {
            throw CliException.failed(store.describe() + ": no answer within " + TIMEOUT.toSeconds() + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw CliException.failed("interrupted");
        }
    }
}
