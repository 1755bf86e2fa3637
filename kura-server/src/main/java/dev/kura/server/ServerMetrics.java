package dev.kura.server;

import dev.kura.index.ObjectIndex;
import dev.kura.storage.local.LocalBlobStore;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmInfoMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetric;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;

/**
 * The node's gauges that are not about requests: index engine, drive, JVM and Netty memory (names
 * and meanings: docs/telemetry.md). All are read when Prometheus scrapes, nothing runs in between.
 */
final class ServerMetrics {
    private ServerMetrics() {
    }

    /** One index stat exposed as a metric: gauges for levels, counters for running totals. */
    private record IndexMetric(String stat, String name, boolean counter, String description) {
    }

    private static final List<IndexMetric> INDEX = List.of(
            new IndexMetric("keys_estimated", "kura.index.keys.estimated", false,
                    "Estimated rows in the index, all tables (object versions, buckets, uploads, intents, frees)"),
            new IndexMetric("sst_bytes", "kura.index.sst.bytes", false, "Size of the index's SST files"),
            new IndexMetric("live_data_bytes", "kura.index.live.data.bytes", false, "Estimated live data in the index"),
            new IndexMetric("memtable_bytes", "kura.index.memtable.bytes", false, "Memory held by the index's memtables"),
            new IndexMetric("block_cache_bytes", "kura.index.block.cache.bytes", false, "Memory used by the block cache"),
            new IndexMetric("pending_compaction_bytes", "kura.index.pending.compaction.bytes", false,
                    "Bytes compaction estimates it must rewrite to settle"),
            new IndexMetric("running_compactions", "kura.index.running.compactions", false, "Compactions running now"),
            new IndexMetric("running_flushes", "kura.index.running.flushes", false, "Memtable flushes running now"),
            new IndexMetric("write_stopped", "kura.index.write.stopped", false, "1 while the engine stops writes (stall)"),
            new IndexMetric("delayed_write_rate", "kura.index.delayed.write.rate", false,
                    "Write rate (bytes/s) the engine throttles to while writes are slowed; 0 when not"),
            new IndexMetric("queued_commands", "kura.index.queued.commands", false, "Commands waiting for the index applier"),
            new IndexMetric("stall_stops", "kura.index.write.stops", true, "Times the engine stopped writes (stall)"),
            new IndexMetric("stall_delays", "kura.index.write.delays", true, "Times the engine slowed writes down"),
            new IndexMetric("batches_written", "kura.index.batches", true,
                    "Synced index batch writes (group commit: commands / batches = commands per fsync)"));

    /** JVM: heap and non-heap pools, direct and mapped buffers, GC, threads, classes, CPU, uptime, fds. */
    static AutoCloseable bindJvm(MeterRegistry registry) {
        new JvmMemoryMetrics().bindTo(registry);
        JvmGcMetrics gc = new JvmGcMetrics();
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new JvmInfoMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
        if (ByteBufAllocator.DEFAULT instanceof ByteBufAllocatorMetricProvider p) {
            ByteBufAllocatorMetric m = p.metric();
            Gauge.builder("kura.netty.direct.memory.used", m, ByteBufAllocatorMetric::usedDirectMemory)
                    .description("Direct memory held by Netty's buffer allocator").baseUnit("bytes").register(registry);
            Gauge.builder("kura.netty.heap.memory.used", m, ByteBufAllocatorMetric::usedHeapMemory)
                    .description("Heap memory held by Netty's buffer allocator").baseUnit("bytes").register(registry);
        }
        return gc;
    }

    /**
     * The index engine's stats ({@link ObjectIndex#stats}), read at most once a second however many
     * gauges ask. Returns the gauges' state, which the caller must keep: Micrometer holds it weakly.
     */
    static Object bindIndex(MeterRegistry registry, ObjectIndex index) {
        Stats stats = new Stats(index);
        Gauge.builder("kura.index.healthy", index, i -> i.isHealthy() ? 1 : 0)
                .description("1 while the index is open and its last write succeeded").register(registry);
        for (IndexMetric m : INDEX) {
            if (m.counter()) {
                FunctionCounter.builder(m.name(), stats, s -> s.get(m.stat()))
                        .description(m.description()).register(registry);
            } else {
                Gauge.builder(m.name(), stats, s -> s.get(m.stat())).description(m.description()).register(registry);
            }
        }
        return stats;
    }

    /**
     * One drive: writable, capacity and free space of its file system. Returns the gauges' state,
     * which the caller must keep: Micrometer holds it weakly.
     */
    static Object bindDrive(MeterRegistry registry, LocalBlobStore drive) {
        DriveSpace space = new DriveSpace(drive);
        Gauge.builder("kura.storage.drive.writable", drive, d -> d.isWritable() ? 1 : 0)
                .description("1 while the drive has its header and its directories are writable")
                .tag("drive", drive.driveId()).register(registry);
        Gauge.builder("kura.storage.drive.capacity", space, s -> s.read(FileStore::getTotalSpace))
                .description("Size of the file system holding the drive").baseUnit("bytes")
                .tag("drive", drive.driveId()).register(registry);
        Gauge.builder("kura.storage.drive.free", space, s -> s.read(FileStore::getUsableSpace))
                .description("Space on the drive's file system that Kura can still use").baseUnit("bytes")
                .tag("drive", drive.driveId()).register(registry);
        FunctionCounter.builder("kura.storage.journal.batches", drive, d -> d.journalStats()[0])
                .description("Batches the drive's journal wrote, one fsync each (entries / batches = small files per fsync)")
                .tag("drive", drive.driveId()).register(registry);
        FunctionCounter.builder("kura.storage.journal.entries", drive, d -> d.journalStats()[1])
                .description("Small data files (and their deletes) group-committed through the drive's journal")
                .tag("drive", drive.driveId()).register(registry);
        return space;
    }

    /** Memoizes {@link ObjectIndex#stats} for a second, so one scrape reads the engine once. */
    static final class Stats {
        private static final long TTL_NANOS = 1_000_000_000L;
        private final ObjectIndex index;
        private Map<String, Long> last = Map.of(); // guarded by this
        private long readAt; // guarded by this

        Stats(ObjectIndex index) {
            this.index = index;
        }

        synchronized double get(String stat) {
            long now = System.nanoTime();
            if (readAt == 0 || now - readAt > TTL_NANOS) {
                try {
                    last = index.stats();
                } catch (RuntimeException e) {
                    last = Map.of();
                }
                readAt = now;
            }
            Long v = last.get(stat);
            return v == null ? Double.NaN : v;
        }
    }

    /** The file system of a drive, looked up once; NaN when it cannot be read (unmounted, gone). */
    static final class DriveSpace {
        private final LocalBlobStore drive;
        private volatile FileStore store;

        DriveSpace(LocalBlobStore drive) {
            this.drive = drive;
        }

        interface Reading {
            long read(FileStore store) throws IOException;
        }

        double read(Reading reading) {
            try {
                FileStore s = store;
                if (s == null) {
                    s = Files.getFileStore(drive.root());
                    store = s;
                }
                return reading.read(s);
            } catch (IOException | RuntimeException e) {
                store = null;
                return Double.NaN;
            }
        }
    }
}
