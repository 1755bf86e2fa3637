package dev.kura.bench.report;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code kura bench jfr-summary FILE}: where the CPU went, from a JFR recording's
 * {@code jdk.ExecutionSample} events (Java code running on a CPU) and {@code jdk.NativeMethodSample}
 * (threads in native code, e.g. blocked in a syscall or RocksDB): the top methods by self samples,
 * by inclusive samples (anywhere on the stack), and the top stack prefixes.
 */
@Command(name = "kura bench jfr-summary", mixinStandardHelpOptions = true,
        description = "Summarises a JFR recording's execution samples by top frames.")
public final class JfrSummary implements Callable<Integer> {
    @Parameters(paramLabel = "FILE", description = "a .jfr recording")
    Path file;

    @Option(names = "--top", paramLabel = "N", description = "rows per table (default: ${DEFAULT-VALUE})")
    int top = 20;

    @Option(names = "--depth", paramLabel = "N", description = "frames per stack in the stack table (default: ${DEFAULT-VALUE})")
    int depth = 8;

    @Option(names = "--native", description = "also summarise jdk.NativeMethodSample (threads in native code)")
    boolean includeNative;

    @Option(names = "--threads", paramLabel = "REGEX", description = "only samples of threads whose name matches")
    String threads;

    private final PrintStream out;

    public JfrSummary(PrintStream out) {
        this.out = out;
    }

    @Override
    public Integer call() throws Exception {
        Pattern threadFilter = threads == null ? null : Pattern.compile(threads);
        Map<String, Integer> self = new HashMap<>();
        Map<String, Integer> inclusive = new HashMap<>();
        Map<String, Integer> stacks = new HashMap<>();
        Map<String, Integer> byThread = new HashMap<>();
        int samples = 0;
        for (RecordedEvent e : RecordingFile.readAllEvents(file)) {
            String type = e.getEventType().getName();
            boolean exec = type.equals("jdk.ExecutionSample");
            if (!exec && !(includeNative && type.equals("jdk.NativeMethodSample"))) {
                continue;
            }
            String thread = e.getThread("sampledThread") == null ? "?" : e.getThread("sampledThread").getJavaName();
            if (threadFilter != null && (thread == null || !threadFilter.matcher(thread).find())) {
                continue;
            }
            RecordedStackTrace st = e.getStackTrace();
            if (st == null || st.getFrames().isEmpty()) {
                continue;
            }
            samples++;
            byThread.merge(threadGroup(thread), 1, Integer::sum);
            List<RecordedFrame> frames = st.getFrames();
            self.merge(name(frames.getFirst()), 1, Integer::sum);
            Set<String> seen = new HashSet<>();
            List<String> prefix = new ArrayList<>();
            for (RecordedFrame f : frames) {
                String n = name(f);
                if (seen.add(n)) {
                    inclusive.merge(n, 1, Integer::sum);
                }
                if (prefix.size() < depth) {
                    prefix.add(n);
                }
            }
            stacks.merge(String.join("\n      <- ", prefix), 1, Integer::sum);
        }
        out.printf("%s: %d samples%n", file.getFileName(), samples);
        table("threads (name with digits folded)", byThread, samples);
        table("top frames by self samples", self, samples);
        table("top methods by inclusive samples", inclusive, samples);
        table("top stacks (leaf first, " + depth + " frames)", stacks, samples);
        return 0;
    }

    private void table(String title, Map<String, Integer> counts, int total) {
        out.printf("%n== %s%n", title);
        counts.entrySet().stream()
                .sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
                .limit(top)
                .forEach(e -> out.printf(Locale.ROOT, "%6.1f%%  %6d  %s%n", 100.0 * e.getValue() / Math.max(1, total),
                        e.getValue(), e.getKey()));
    }

    private static String name(RecordedFrame f) {
        if (f.getMethod() == null) {
            return "?";
        }
        String type = f.getMethod().getType().getName();
        int dot = type.lastIndexOf('.');
        String shortType = dot >= 0 ? type.substring(dot + 1) : type;
        String pkg = dot >= 0 ? type.substring(0, dot) : "";
        return shortType + "." + f.getMethod().getName() + (pkg.isEmpty() ? "" : "  [" + pkg + "]");
    }

    private static String threadGroup(String thread) {
        return thread == null ? "?" : thread.replaceAll("\\d+", "N");
    }
}
