package dev.kura.server;

import dev.kura.server.admin.AdminCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code kura} command line. */
@Command(name = "kura", mixinStandardHelpOptions = true, version = "kura 0.1.0",
        description = "Kura, an S3-compatible object store.",
        subcommands = {ServerCommand.class, AdminCommand.class, ClusterCommand.class})
public final class Main {
    public static void main(String[] args) {
        int code = new CommandLine(new Main()).execute(args);
        if (code != 0) {
            System.exit(code);
        }
    }
}
