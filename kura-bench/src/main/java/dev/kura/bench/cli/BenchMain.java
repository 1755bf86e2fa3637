package dev.kura.bench.cli;

import dev.kura.bench.limits.Limits;
import dev.kura.bench.report.CompareReport;
import dev.kura.bench.report.JfrSummary;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.Arrays;
import picocli.CommandLine;

/**
 * {@code kura bench}: the load generator ({@code kura bench WORKLOAD ...}), the machine-limit probes
 * ({@code kura bench limits}), a JFR summariser ({@code kura bench jfr-summary}) and the JMH suite
 * ({@code kura bench jmh}).
 */
public final class BenchMain {
    private BenchMain() {
    }

    public static void main(String[] args) throws Exception {
        int code = run(args, System.out, System.err);
        System.exit(code);
    }

    /** Runs one command; returns its exit code. */
    public static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        String first = args.length > 0 ? args[0] : "";
        String[] rest = args.length > 0 ? Arrays.copyOfRange(args, 1, args.length) : args;
        return switch (first) {
            case "limits" -> execute(new Limits(out), rest, out, err);
            case "jfr-summary" -> execute(new JfrSummary(out), rest, out, err);
            case "compare-report" -> execute(new CompareReport(out), rest, out, err);
            case "jmh" -> {
                org.openjdk.jmh.Main.main(rest); // exits the JVM itself
                yield 0;
            }
            default -> execute(new LoadCommand(out), args, out, err);
        };
    }

    private static int execute(Object command, String[] args, PrintStream out, PrintStream err) {
        CommandLine cl = new CommandLine(command).setCaseInsensitiveEnumValuesAllowed(true);
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        cl.setParameterExceptionHandler((e, a) -> {
            e.getCommandLine().getErr().println("kura bench: " + e.getMessage());
            e.getCommandLine().getErr().println("Try '" + e.getCommandLine().getCommandName() + " --help'.");
            return 2;
        });
        cl.setExecutionExceptionHandler((e, c, parsed) -> {
            // a failed run (server unreachable, bucket not creatable, preparation refused): say so, no stack trace
            c.getErr().println("kura bench: " + e);
            return 1;
        });
        return cl.execute(args);
    }
}
