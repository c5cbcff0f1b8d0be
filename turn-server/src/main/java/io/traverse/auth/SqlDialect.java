package io.traverse.auth;

import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import javax.sql.DataSource;

/**
 * What differs between the SQL databases that hold coturn's schema ({@link CoturnSchema}) for {@link
 * JdbcUserStore}: how to connect, what a failure means to an operator, and what must be ready before a query. The
 * SQL itself is the same for all of them.
 */
interface SqlDialect {
    /** Where the database is, for logs and {@code /readyz}: never a password. */
    String describe();

    /**
     * Where connections come from (closed with the store when {@link AutoCloseable}); it connects only when asked.
     * {@code timeout} bounds one query, connecting included; {@code poolSize} connections are used at most at once.
     */
    DataSource connections(Duration timeout, int poolSize);

    /**
     * Runs on a store worker before each query takes a connection: a problem that makes connecting pointless (a
     * missing file) is thrown here at once, with its explanation. With {@code create} (adding a user) it may create
     * the database where coturn's own tools would.
     */
    default void beforeConnect(boolean create) throws SQLException {}

    /** Statements run before adding a user: coturn's tables where coturn's tools create them; none by default. */
    default List<String> schemaToCreate() {
        return List.of();
    }

    /** The failure as an operator should read it (never a credential). */
    default String explain(SQLException e) {
        return e.getClass().getSimpleName() + " " + e.getMessage();
    }
}
