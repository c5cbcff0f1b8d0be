package io.traverse.cli;

import io.traverse.auth.UserEntry;
import io.traverse.auth.UserStore;
import io.traverse.auth.UsersFile;
import io.traverse.stun.auth.CredentialException;
import io.traverse.stun.auth.PasswordAlgorithm;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code turn-cli user add|delete|list|passwd}: edits the users file (docs/authentication.md). It stores the
 * derived long-term keys (MD5 and SHA-256, RFC 8489 §9.2.2), never passwords, and is replaced atomically with
 * mode 0600 ({@link UsersFile#write}).
 */
@Command(name = "user",
        mixinStandardHelpOptions = true,
        usageHelpAutoWidth = true,
        description = {
            "Manage users: long-term credentials stored as derived keys (MD5 and SHA-256), never passwords.",
            "In the users file (--users-file, or --store file:FILE) changes replace the file atomically with mode 0600;",
            "in a database in coturn's schema (--store redis://..., postgres://... or sqlite:FILE) the MD5 key is stored.",
            "The server picks changes up without a restart (from a database once its cache entry expires)."
        },
        subcommands = {
            UserCommand.Add.class,
            UserCommand.Delete.class,
            UserCommand.ListUsers.class,
            UserCommand.Passwd.class,
        },
        footerHeading = "%n",
        footer = {"Exit codes: 0 done, 1 failed (no such user, user exists, unreadable file), 2 usage error."})
final class UserCommand extends CommandGroup {

    /** A user of a database store: the entry derived from the password (the store keeps the MD5 key). */
    static UserEntry derive(String user, String realm, String password) throws CliException {
        try {
            return UserEntry.fromPassword(user, realm, password);
        } catch (CredentialException e) {
            throw CliException.failed(e.getMessage());
        }
    }

    /** Whether the database store holds the user. */
    static boolean exists(UserStore store, String user, String realm) throws CliException {
        return UserStoreOption.await(store.user(user, realm), store).isPresent();
    }

    static UsersFile load(Path file, boolean createIfMissing) throws CliException {
        if (createIfMissing && !Files.exists(file)) {
            return UsersFile.empty();
        }
        try {
            return UsersFile.parse(file);
        } catch (CredentialException e) {
            throw CliException.failed(e.getMessage());
        }
    }

    static void save(UsersFile users, Path file) throws CliException {
        try {
            users.write(file);
        } catch (IOException e) {
            throw CliException.failed("cannot write " + file + ": " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()));
        }
    }

    static String who(String user, String realm) {
        return "user " + user + " in realm " + realm;
    }

    @Command(name = "add", mixinStandardHelpOptions = true, usageHelpAutoWidth = true, sortOptions = false,
            description = "Add a user; the file is created when missing. Without a password option, asks on the "
                    + "terminal (twice).",
            footerHeading = "%nExamples:%n",
            footer = {
                "  turn-cli user add --users-file /etc/traverse/users \\",
                "      --realm example.org --user alice",
                "  printf '%%s\\n' \"$PW\" | turn-cli user add --users-file users \\",
                "      --realm example.org --user bob --password-stdin"
            })
    static final class Add implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        UserStoreOption file;

        @Option(names = "--realm", paramLabel = "REALM", required = true,
                description = "Realm, as the server's server.realm.")
        String realm;

        @Option(names = "--user", paramLabel = "USER", required = true, description = "Username.")
        String user;

        @ArgGroup(exclusive = true, multiplicity = "0..1", heading = "Password (one of; default: ask):%n")
        PasswordOptions password;

        @Override
        public Integer call() throws CliException {
            Path path = file.usersFile();
            if (path == null) {
                try (UserStore store = file.open()) {
                    String pw = Passwords.read(password, spec, user + "@" + realm, true);
                    if (!UserStoreOption.await(store.add(derive(user, realm, pw)), store)) {
                        throw CliException.failed(who(user, realm) + " already exists in " + store.describe()
                                + " (use passwd)");
                    }
                    spec.commandLine().getOut().println("added " + who(user, realm) + " to " + store.describe());
                }
                return ExitCodes.OK;
            }
            UsersFile users = load(path, true);
            String pw = Passwords.read(password, spec, user + "@" + realm, true);
            try {
                users = users.add(user, realm, pw);
            } catch (CredentialException e) {
                throw CliException.failed(e.getMessage());
            }
            save(users, path);
            spec.commandLine().getOut().println("added " + who(user, realm) + " to " + path);
            return ExitCodes.OK;
        }
    }

    @Command(name = "passwd", mixinStandardHelpOptions = true, usageHelpAutoWidth = true, sortOptions = false,
            description = "Set a new password for an existing user. Without a password option, asks on the "
                    + "terminal (twice).")
    static final class Passwd implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        UserStoreOption file;

        @Option(names = "--realm", paramLabel = "REALM", required = true, description = "Realm.")
        String realm;

        @Option(names = "--user", paramLabel = "USER", required = true, description = "Username.")
        String user;

        @ArgGroup(exclusive = true, multiplicity = "0..1", heading = "Password (one of; default: ask):%n")
        PasswordOptions password;

        @Override
        public Integer call() throws CliException {
            Path path = file.usersFile();
            if (path == null) {
                try (UserStore store = file.open()) {
                    if (!exists(store, user, realm)) {
                        throw CliException.failed("no " + who(user, realm) + " in " + store.describe());
                    }
                    String pw = Passwords.read(password, spec, user + "@" + realm, true);
                    UserStoreOption.await(store.put(derive(user, realm, pw)), store);
                    spec.commandLine().getOut().println("changed the password of " + who(user, realm) + " in "
                            + store.describe());
                }
                return ExitCodes.OK;
            }
            UsersFile users = load(path, false);
            String pw = Passwords.read(password, spec, user + "@" + realm, true);
            try {
                users = users.passwd(user, realm, pw);
            } catch (CredentialException e) {
                throw CliException.failed(e.getMessage());
            }
            save(users, path);
            spec.commandLine().getOut().println("changed the password of " + who(user, realm) + " in " + path);
            return ExitCodes.OK;
        }
    }

    @Command(name = "delete", aliases = "remove", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
            sortOptions = false, description = "Delete a user.")
    static final class Delete implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        UserStoreOption file;

        @Option(names = "--realm", paramLabel = "REALM", required = true, description = "Realm.")
        String realm;

        @Option(names = "--user", paramLabel = "USER", required = true, description = "Username.")
        String user;

        @Override
        public Integer call() throws CliException {
            Path path = file.usersFile();
            if (path == null) {
                try (UserStore store = file.open()) {
                    if (!UserStoreOption.await(store.delete(user, realm), store)) {
                        throw CliException.failed("no " + who(user, realm) + " in " + store.describe());
                    }
                    spec.commandLine().getOut().println("deleted " + who(user, realm) + " from " + store.describe());
                }
                return ExitCodes.OK;
            }
            UsersFile users = load(path, false);
            try {
                users = users.remove(user, realm);
            } catch (CredentialException e) {
                throw CliException.failed(e.getMessage());
            }
            save(users, path);
            spec.commandLine().getOut().println("deleted " + who(user, realm) + " from " + path);
            return ExitCodes.OK;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, usageHelpAutoWidth = true, sortOptions = false,
            description = "List users: username, realm and which keys exist (md5, sha256). Never prints keys.")
    static final class ListUsers implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        UserStoreOption file;

        @Option(names = "--realm", paramLabel = "REALM", description = "Only users of this realm.")
        String realm;

        @Override
        public Integer call() throws CliException {
            Path path = file.usersFile();
            List<UserEntry> entries;
            if (path == null) {
                try (UserStore store = file.open()) {
                    entries = UserStoreOption.await(store.list(realm), store);
                }
            } else {
                entries = load(path, false).entries();
            }
            List<UserEntry> shown = new ArrayList<>();
            int userWidth = "USER".length();
            int realmWidth = "REALM".length();
            for (UserEntry e : entries) {
                if (realm == null || realm.equals(e.realm())) {
                    shown.add(e);
                    userWidth = Math.max(userWidth, e.username().length());
                    realmWidth = Math.max(realmWidth, e.realm().length());
                }
            }
            PrintWriter out = spec.commandLine().getOut();
            String row = "%-" + userWidth + "s  %-" + realmWidth + "s  %s%n";
            out.printf(row, "USER", "REALM", "KEYS");
            for (UserEntry e : shown) {
                List<String> keys = new ArrayList<>();
                if (e.hasKey(PasswordAlgorithm.MD5)) {
                    keys.add("md5");
                }
                if (e.hasKey(PasswordAlgorithm.SHA256)) {
                    keys.add("sha256");
                }
                out.printf(row, e.username(), e.realm(), String.join(",", keys));
            }
            out.flush();
            return ExitCodes.OK;
        }
    }
}
