package io.traverse.auth;

import io.traverse.stun.auth.CredentialException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A users file or REST secrets file could not be read or is malformed.
 *
 * <p>The message has the form {@code <file>:<line>: <problem>} (or {@code <file>: <problem>} when no
 * line applies) and never quotes the content of the offending line, which may hold a secret.
 */
public final class CredentialFileException extends CredentialException {
    private static final long serialVersionUID = 1L;

    private final transient Path file;
    private final int line;

    /**
     * @param file the file that failed
     * @param line 1-based line number, or 0 when the problem is not tied to a line
     * @param problem what is wrong, without any secret content
     */
    public CredentialFileException(Path file, int line, String problem) {
        super(format(file, line, problem));
        this.file = Objects.requireNonNull(file, "file");
        this.line = line;
    }

    public CredentialFileException(Path file, String problem, Throwable cause) {
        super(format(file, 0, problem), cause);
        this.file = Objects.requireNonNull(file, "file");
        this.line = 0;
    }

    /** The file that failed. */
    public Path file() {
        return file;
    }

    /** 1-based line number of the problem, or 0 when it concerns the whole file. */
    public int line() {
        return line;
    }

    private static String format(Path file, int line, String problem) {
        return line > 0 ? file + ":" + line + ": " + problem : file + ": " + problem;
    }
}
