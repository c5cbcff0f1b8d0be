package io.traverse.auth;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import javax.sql.DataSource;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;
import org.sqlite.SQLiteOpenMode;

/**
 * coturn's SQLite database ({@code userdb=}, by default {@code /var/lib/turn/turndb}) at {@code sqlite:PATH},
 * through {@code org.xerial:sqlite-jdbc}. Reading never creates the file: a missing file is an error naming it.
 * Adding a user ({@code turn-cli user add}) creates a missing file, mode 0600, with coturn's tables, as coturn's
 * {@code turnadmin} does.
 *
 * <p>Each query opens its own connection (no pool): opening a local file costs far less than a look-up's network
 * round trip, a file replaced by another (a restored backup) is read at once, and a file that is no database fails
 * the query with SQLite's own error. A pool would validate every new connection and, on such a file, retry in the
 * background until the query timed out with no reason given.
 */
final class SqliteDialect implements SqlDialect {
    /** The two tables Traverse uses, as coturn's SQLite driver ({@code dbd_sqlite.c}) creates them. */
    private static final List<String> SCHEMA = List.of(
            "CREATE TABLE IF NOT EXISTS turnusers_lt (realm varchar(127) default '', name varchar(512),"
                    + " hmackey char(128), PRIMARY KEY (realm,name))",
            "CREATE TABLE IF NOT EXISTS turn_secret (realm varchar(127) default '', value varchar(127),"
                    + " primary key (realm,value))");

    private final Path file;

    /** @param url {@code sqlite:PATH} */
    SqliteDialect(String url) {
        String path = url.substring(url.indexOf(':') + 1);
        if (path.isBlank()) {
            throw new IllegalArgumentException("sqlite: needs a file, e.g. sqlite:/var/lib/turn/turndb");
        }
        this.file = Path.of(path).toAbsolutePath().normalize();
    }

    @Override
    public String describe() {
        return "sqlite:" + file;
    }

    @Override
    public DataSource connections(Duration timeout, int poolSize) {
        SQLiteConfig sqlite = new SQLiteConfig();
        sqlite.resetOpenMode(SQLiteOpenMode.CREATE);
        // turnadmin or coturn may be writing: wait for their lock as long as a query may take.
        sqlite.setBusyTimeout((int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
        SQLiteDataSource source = new SQLiteDataSource(sqlite);
        source.setUrl("jdbc:sqlite:" + file);
        return source;
    }

    @Override
    public void beforeConnect(boolean create) throws SQLException {
        if (Files.isRegularFile(file)) {
            if (!Files.isReadable(file)) {
                throw new SQLException("cannot read the file (permissions)");
            }
            return;
        }
        if (!create) {
            throw new SQLException("no such file (coturn's turnadmin -b FILE or turn-cli user add --store sqlite:FILE"
                    + " creates it)");
        }
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (FileAlreadyExistsException e) {
            // created meanwhile: use it
        } catch (IOException e) {
            throw new SQLException("cannot create the file: " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : " " + e.getMessage()), e);
        }
    }

    @Override
    public List<String> schemaToCreate() {
        return SCHEMA;
    }

    @Override
    public String explain(SQLException e) {
        Throwable cause = e;
        while (cause != null && !(cause instanceof SQLiteException)) {
            cause = cause.getCause();
        }
        if (cause instanceof SQLiteException s) {
            SQLiteErrorCode code = s.getResultCode();
            if (code == SQLiteErrorCode.SQLITE_NOTADB) {
                return "not an SQLite database";
            }
            if (code == SQLiteErrorCode.SQLITE_CORRUPT) {
                return "the database file is corrupt";
            }
            if (code == SQLiteErrorCode.SQLITE_BUSY) {
                return "locked by another writer for longer than the store timeout";
            }
            if (s.getMessage() != null && s.getMessage().contains("no such table")) {
                return "not coturn's schema (no table turnusers_lt or turn_secret)";
            }
        }
        return SqlDialect.super.explain(e);
    }
}
