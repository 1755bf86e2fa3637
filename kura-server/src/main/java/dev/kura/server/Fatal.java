package dev.kura.server;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a server process does with an error it cannot survive: say so on one clear line and stop
 * with a non-zero exit, so a supervisor restarts a healthy process. Going on would be worse: after
 * an OutOfMemoryError any thread may have died half-way, and without the index writer the server
 * answers reads but fails every write while its health checks may still look fine.
 *
 * <p>Stopping is {@link Runtime#halt}: shutdown hooks could hang on the broken state, and nothing
 * is lost — an acknowledged write is already durable, exactly as after {@code kill -9}. The JVM
 * flags ({@code scripts/server-jvm-flags}) add {@code -XX:+ExitOnOutOfMemoryError} for heap
 * exhaustion the code never sees; this handler covers the rest (direct memory, errors that reach
 * the top of a thread, the index writer's death).
 */
final class Fatal {
    /** The exit status of a fatal stop (EX_SOFTWARE). */
    static final int EXIT_STATUS = 70;
    private static final Logger LOG = LoggerFactory.getLogger(Fatal.class);

    private Fatal() {
    }

    /** Makes every thread's uncaught VM error (OutOfMemoryError, StackOverflowError…) fatal. */
    static void install() {
        Thread.setDefaultUncaughtExceptionHandler((thread, e) -> {
            if (e instanceof VirtualMachineError) {
                stop(e + " in thread " + thread.getName(), e);
            } else {
                LOG.error("thread {} died", thread.getName(), e);
            }
        });
    }

    /** The index writer died: no write can succeed any more. */
    static void indexWriterDied(Throwable cause) {
        stop("the index writer died (" + cause + "); no write can succeed", cause);
    }

    static void stop(String why, Throwable cause) {
        try {
            System.err.println("kura: FATAL: " + why + "; stopping the process (exit " + EXIT_STATUS
                    + ") for a supervisor to restart it");
            System.err.flush();
            LOG.error("fatal: {}", why, cause);
        } catch (Throwable ignored) {
            // out of memory even for the message: stop anyway
        } finally {
            Runtime.getRuntime().halt(EXIT_STATUS);
        }
    }
}
