package io.traverse.cli;

import io.traverse.auth.UsersFile;
import io.traverse.stun.auth.CredentialException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code turn-cli config import-coturn FILE}: a coturn turnserver.conf as Traverse YAML ({@link CoturnImport}). */
@Command(name = "import-coturn",
        mixinStandardHelpOptions = true,
        usageHelpAutoWidth = true,
        description = {
            "Translate a coturn turnserver.conf into a Traverse configuration on stdout. Every option that was not "
                    + "translated is listed on stderr with its line number and the reason.",
            "user= lines become a users file with derived keys (--users-file); passwords are never printed."
        },
        footerHeading = "%n",
        footer = {
            "Example:",
            "  turn-cli config import-coturn /etc/turnserver.conf --users-file /etc/traverse/users.txt \\",
            "      > /etc/traverse/traverse.yaml",
            "  turn-cli config check /etc/traverse/traverse.yaml",
            "",
            "Exit codes: 0 translated (notes on stderr), 1 unreadable input or users file exists, 2 usage error."
        })
final class ImportCoturnCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "FILE", description = "The coturn configuration, e.g. /etc/turnserver.conf.")
    Path file;

    @Option(names = "--users-file", paramLabel = "FILE",
            description = "Write the user= lines here as a Traverse users file (must not exist yet).")
    Path usersFile;

    @Override
    public Integer call() throws CliException {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw CliException.failed(file + ": cannot read it (" + e.getClass().getSimpleName() + ")");
        }
        CoturnImport.Result result = CoturnImport.translate(lines,
                usersFile == null ? null : usersFile.toAbsolutePath().toString());
        if (usersFile != null && !result.users().isEmpty()) {
            if (Files.exists(usersFile)) {
                throw CliException.failed("--users-file " + usersFile + " exists; give a new file");
            }
            try {
                UsersFile.of(result.users()).write(usersFile);
            } catch (IOException | CredentialException e) {
                throw CliException.failed("--users-file " + usersFile + ": " + e.getMessage());
            }
        }
        PrintWriter err = spec.commandLine().getErr();
        for (CoturnImport.Note note : result.notes()) {
            err.println("turn-cli: " + note);
        }
        err.flush();
        PrintWriter out = spec.commandLine().getOut();
        out.print(result.yaml());
        out.flush();
        return ExitCodes.OK;
    }
}
