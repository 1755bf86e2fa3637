package dev.kura.storage.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kura.common.DataId;
import dev.kura.common.DataLocation;
import dev.kura.storage.BlobStore;
import dev.kura.storage.BlobWriter;
import dev.kura.storage.fs.RealFileIo;
import dev.kura.testing.fs.PowerCutFileIo;
import dev.kura.testing.fs.PowerCutFileIo.CutMode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Cuts the power at every mutating step of a storage operation in turn (n = 1, 2, 3 … until the
 * operation completes without reaching the fault), reboots, and checks the invariants: a visible
 * data file is always complete and verifies; when unsynced entry changes are lost (the default
 * model) it is visible only if its commit returned; earlier acknowledged data always survives; temp
 * leftovers are purged.
 *
 * <p>It lives in kura-testing, not kura-storage, because it needs {@link PowerCutFileIo} and
 * kura-testing depends on kura-storage.
 */
class LocalBlobStoreCrashTest {
    private static final int BLOCK = 100;

    @TempDir
    Path dir;
    Path disk;
    final RealFileIo real = new RealFileIo();
    final Random rnd = new Random(1234);
    /** Every write whose commit returned, with its bytes. */
    final Map<DataId, Acked> acked = new HashMap<>();
    /** Writes whose commit did not return; with entries kept at the cut they may be visible (never partial). */
    final Map<DataId, Acked> unacked = new HashMap<>();
    /** Unacknowledged writes that got far enough to outlive a cut (whole, never partial). */
    final java.util.Set<DataId> mayBeVisible = new java.util.HashSet<>();
    CutMode mode;

    record Acked(DataLocation location, byte[] data) {
    }

    @BeforeEach
    void format() throws IOException {
        disk = Files.createDirectory(dir.resolve("disk"));
        LocalBlobStore.open(disk, real, true, BLOCK);
    }

    /**
     * Small data goes through the drive's journal (group commit); large data (past
     * {@link DriveJournal#MAX_FILE_BYTES}) through its own temp file, fsync and rename.
     */
    @ParameterizedTest(name = "{0}, temp file made durable early: {1}, large: {2}")
    @CsvSource({"LOSE_UNSYNCED_ENTRIES, false, false", "LOSE_UNSYNCED_ENTRIES, true, false",
            "KEEP_UNSYNCED_ENTRIES, false, false", "LOSE_UNSYNCED_ENTRIES, false, true",
            "LOSE_UNSYNCED_ENTRIES, true, true", "KEEP_UNSYNCED_ENTRIES, false, true"})
    void aWriteCutAtAnyStepIsAbsentOrComplete(CutMode cutMode, boolean tempDurableEarly, boolean large)
            throws IOException {
        mode = cutMode;
        int block = large ? 64 * 1024 : BLOCK;
        byte[] data = bytes(3 * block + 5, 1);
        int steps = 0;
        for (int n = 1; ; n++) {
            PowerCutFileIo io = new PowerCutFileIo(disk, mode);
            LocalBlobStore store = LocalBlobStore.open(disk, io, false, block);
            acknowledge(store, bytes(BLOCK + 1, n)); // earlier data, must survive the cut
            DataId id = DataId.random(rnd);
            DataLocation committed = null;
            DataLocation planned = store.place(id);
            unacked.put(id, new Acked(withLength(planned, data.length), data));
            boolean[] barrierPassed = new boolean[1];
            try (BlobWriter w = store.create(planned, "crash test")) {
                if (tempDurableEarly) {
                    io.syncDirectory(disk.resolve("tmp")); // as a file system may do on its own
                }
                io.failAfter(n);
                w.write(data, 0, data.length);
                if (tempDurableEarly && large) {
                    io.syncDirectory(disk.resolve("tmp"));
                }
                committed = w.commit(() -> barrierPassed[0] = true, null);
            } catch (IOException e) {
                assertThat(e).hasMessageContaining("simulated power cut");
            }
            boolean faulted = io.isPoweredOff();
            assertThat(faulted).isEqualTo(committed == null);
            if (committed != null) {
                acked.put(id, unacked.remove(id));
            } else if (barrierPassed[0] || mode == CutMode.KEEP_UNSYNCED_ENTRIES) {
                mayBeVisible.add(id); // past the barrier it may outlive the cut (the caller's intent names it)
            }
            io.powerCut();
            LocalBlobStore rebooted = rebootAndCheck();
            if (committed != null) {
                assertThat(rebooted.dataFile(id)).exists();
            } else if (!barrierPassed[0] && mode == CutMode.LOSE_UNSYNCED_ENTRIES) {
                assertThat(rebooted.dataFile(id)).doesNotExist(); // nothing before the barrier can outlive a cut
            }
            if (!faulted) {
                steps = n;
                break;
            }
        }
        if (large) { // header, 4 blocks, footer, sync, fan-out directories, rename, directory sync
            assertThat(steps).isGreaterThanOrEqualTo(10);
        } else { // the journal batch (write, sync), then the file in place (directory, create, write)
            assertThat(steps).isGreaterThanOrEqualTo(4);
        }
    }

    @ParameterizedTest
    @EnumSource(CutMode.class)
    void aDeleteCutAtAnyStepLeavesTheDataWholeOrGone(CutMode cutMode) throws IOException {
        mode = cutMode;
        for (int n = 1; ; n++) {
            PowerCutFileIo io = new PowerCutFileIo(disk, mode);
            LocalBlobStore store = LocalBlobStore.open(disk, io, false, BLOCK);
            DataLocation loc = acknowledge(store, bytes(2 * BLOCK, n));
            io.failAfter(n);
            boolean deleted = false;
            try {
                store.delete(loc);
                deleted = true;
            } catch (IOException e) {
                assertThat(e).hasMessageContaining("simulated power cut");
            }
            io.powerCut();
            // reopening replays the drive's journal: the data is whole, or gone if the delete got far enough
            LocalBlobStore.open(disk, real, false, BLOCK).close();
            boolean present = Files.exists(store.dataFile(loc.dataId()));
            assertThat(present && deleted).as("deleted data came back").isFalse();
            if (!present) {
                acked.remove(loc.dataId());
            }
            rebootAndCheck(); // if it is still there, it is whole
            if (deleted) {
                break;
            }
        }
    }

    @ParameterizedTest
    @EnumSource(CutMode.class)
    void purgeTempCutAtAnyStepLeavesOnlyTempFilesToPurgeAgain(CutMode cutMode) throws IOException {
        mode = cutMode;
        LocalBlobStore before = LocalBlobStore.open(disk, real, false, BLOCK);
        acknowledge(before, bytes(50, 9));
        for (int i = 0; i < 3; i++) {
            BlobWriter w = before.create(before.place(DataId.random(rnd)), "left behind");
            w.write(new byte[150], 0, 150);
        }
        for (int n = 1; ; n++) {
            PowerCutFileIo io = new PowerCutFileIo(disk, mode); // the leftovers count as durable
            LocalBlobStore store = LocalBlobStore.open(disk, io, false, BLOCK);
            io.failAfter(n);
            boolean purged = false;
            try {
                store.purgeTemp();
                purged = true;
            } catch (IOException e) {
                assertThat(e).hasMessageContaining("simulated power cut");
            }
            io.powerCut();
            if (purged) {
                assertThat(disk.resolve("tmp")).isEmptyDirectory();
                break;
            }
            assertThat(n).isLessThan(10);
        }
        rebootAndCheck();
    }

    @ParameterizedTest
    @EnumSource(CutMode.class)
    void formattingCutAtAnyStepCanBeRedone(CutMode cutMode) throws IOException {
        for (int n = 1; ; n++) {
            Path parent = Files.createDirectory(dir.resolve("fresh-" + n));
            Path root = parent.resolve("drive");
            PowerCutFileIo io = new PowerCutFileIo(parent, cutMode);
            io.failAfter(n);
            String formattedId = null;
            try {
                formattedId = LocalBlobStore.open(root, io, true).driveId();
            } catch (IOException e) {
                assertThat(e).hasMessageContaining("simulated power cut");
            }
            io.powerCut();
            LocalBlobStore reopened = LocalBlobStore.open(root, real, true);
            assertThat(reopened.isWritable()).isTrue();
            if (formattedId != null) {
                assertThat(reopened.driveId()).isEqualTo(formattedId); // a returned format is durable
                assertThat(real.list(root)).extracting(p -> p.getFileName().toString())
                        .containsExactly("data", "journal", "kura-drive.properties", "tmp");
                break;
            }
        }
    }

    private DataLocation acknowledge(LocalBlobStore store, byte[] data) throws IOException {
        DataId id = DataId.random(rnd);
        DataLocation loc = write(store, id, data);
        acked.put(id, new Acked(loc, data));
        return loc;
    }

    private static DataLocation withLength(DataLocation l, long length) {
        return new DataLocation(l.dataId(), l.layoutEpoch(), l.scheme(), l.drives(), l.blockSize(), length);
    }

    /**
     * Reboots on the real file system and checks the whole drive: every data file is one whose
     * commit returned (or, with entries kept, was at least attempted) and reads back whole; every
     * acknowledged write is there; temp files purge.
     */
    private LocalBlobStore rebootAndCheck() throws IOException {
        LocalBlobStore store = LocalBlobStore.open(disk, real, false, BLOCK);
        List<Path> files;
        try (Stream<Path> s = Files.walk(disk.resolve("data"))) {
            files = s.filter(Files::isRegularFile).toList();
        }
        for (Path f : files) {
            DataId id = new DataId(f.getFileName().toString());
            Acked a = acked.get(id);
            if (a == null && mayBeVisible.contains(id)) {
                a = unacked.get(id); // durable past its barrier, but its commit never returned: garbage, yet whole
            }
            assertThat(a).as("visible data file %s", f).isNotNull();
            assertThat(read(store, a.location(), 0, a.data().length)).isEqualTo(a.data());
        }
        for (Acked a : acked.values()) {
            assertThat(read(store, a.location(), 0, a.data().length)).isEqualTo(a.data());
        }
        store.purgeTemp();
        assertThat(disk.resolve("tmp")).isEmptyDirectory();
        return store;
    }

    private static byte[] bytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** Writes in uneven chunks so block boundaries fall inside writes. */
    private static DataLocation write(BlobStore store, DataId id, byte[] data) throws IOException {
        try (BlobWriter w = store.create(store.place(id), "bucket/key/" + id)) {
            int chunk = 1;
            for (int off = 0; off < data.length; off += chunk, chunk = chunk * 3 + 1) {
                w.write(data, off, Math.min(chunk, data.length - off));
            }
            return w.commit();
        }
    }

    private static byte[] read(BlobStore store, DataLocation loc, long offset, long length) throws IOException {
        try (InputStream in = store.open(loc, offset, length)) {
            return in.readAllBytes();
        }
    }
}
