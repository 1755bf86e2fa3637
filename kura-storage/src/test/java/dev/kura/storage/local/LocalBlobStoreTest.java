package dev.kura.storage.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kura.common.DataId;
import dev.kura.common.DataLocation;
import dev.kura.storage.BlobWriter;
import dev.kura.storage.fs.RealFileIo;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalBlobStoreTest {
    @TempDir
    Path dir;
    final RealFileIo io = new RealFileIo();
    final Random rnd = new Random(42);

    private static List<String> names(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static long countFiles(Path d) throws IOException {
        try (Stream<Path> s = Files.walk(d)) {
            return s.filter(Files::isRegularFile).count();
        }
    }

    @Test
    void formatsAnEmptyDirectoryAndKeepsItsIdentity() throws IOException {
        LocalBlobStore first = LocalBlobStore.open(dir, io, true);
        assertThat(names(dir)).containsExactly("data", "journal", "kura-drive.properties", "tmp");
        assertThat(first.zone()).isEqualTo("local");
        LocalBlobStore again = LocalBlobStore.open(dir, io, false);
        assertThat(again.driveId()).isEqualTo(first.driveId());
    }

    @Test
    void formatsADirectoryThatDoesNotExistYet() throws IOException {
        LocalBlobStore store = LocalBlobStore.open(dir.resolve("a/b/drive"), io, true);
        assertThat(store.root().resolve("kura-drive.properties")).exists();
    }

    @Test
    void refusesANonEmptyDirectoryWithoutHeaderAndLeavesItAlone() throws IOException {
        Files.writeString(dir.resolve("someone-elses-file"), "x");
        assertThatThrownBy(() -> LocalBlobStore.open(dir, io, true))
                .isInstanceOf(IOException.class).hasMessageContaining("not a Kura drive");
        assertThat(names(dir)).containsExactly("someone-elses-file");
    }

    @Test
    void refusesAnEmptyDirectoryWhenFormattingWasNotRequested() {
        assertThatThrownBy(() -> LocalBlobStore.open(dir, io, false)).hasMessageContaining("not a Kura drive");
        assertThat(dir).isEmptyDirectory();
    }

    @Test
    void aLeftoverHeaderTempFromACutFormatStillCountsAsEmpty() throws IOException {
        Files.writeString(dir.resolve("kura-drive.properties.tmp"), "form");
        LocalBlobStore.open(dir, io, true);
        assertThat(names(dir)).containsExactly("data", "journal", "kura-drive.properties", "tmp");
    }

    @Test
    void recreatesMissingDirectoriesOfAFormattedDrive() throws IOException {
        LocalBlobStore.open(dir, io, true);
        Files.delete(dir.resolve("tmp"));
        LocalBlobStore store = LocalBlobStore.open(dir, io, false);
        assertThat(dir.resolve("tmp")).isDirectory();
        assertThat(store.isWritable()).isTrue();
    }

    @Test
    void aStoreStillOpenOverAVanishedDriveNeverBringsItsTreeBack() throws IOException {
        Path root = dir.resolve("drive");
        LocalBlobStore store = LocalBlobStore.open(root, io, true);
        TestData.write(store, TestData.id(rnd), new byte[100]); // small: through the journal
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p); // the disk is pulled (or wiped) under the running store
            }
        }
        for (int size : new int[] {100, DriveJournal.MAX_FILE_BYTES + 1}) {
            assertThatThrownBy(() -> TestData.write(store, TestData.id(rnd), new byte[size])).isInstanceOf(IOException.class);
        }
        assertThat(root).doesNotExist(); // else a replacement formatted here would share it with this store
        store.close();
    }

    @Test
    void placeNamesThisDriveAndTheBlockSize() throws IOException {
        LocalBlobStore store = LocalBlobStore.open(dir, io, true);
        DataId id = TestData.id(rnd);
        assertThat(store.place(id)).isEqualTo(new DataLocation(id, 1, "single", List.of(store.driveId()),
                LocalBlobStore.DEFAULT_BLOCK_SIZE, 0));
        assertThat(LocalBlobStore.open(dir, io, false, 1000).place(id).blockSize()).isEqualTo(1000);
        assertThatThrownBy(() -> LocalBlobStore.open(dir, io, false, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void dataFilesAreFannedOutByIdPrefix() throws IOException {
        LocalBlobStore store = LocalBlobStore.open(dir, io, true);
        DataId id = new DataId("abcdef0123456789abcdef0123456789");
        TestData.write(store, id, new byte[10]);
        assertThat(dir.resolve("data/abc/" + id)).isRegularFile().isEqualTo(store.dataFile(id));
        assertThat(dir.resolve("tmp")).isEmptyDirectory();
    }

    @Test
    void aDriveOfAnEarlierFormatKeepsItsTwoLevelFanout() throws IOException {
        java.nio.file.Files.createDirectories(dir);
        java.nio.file.Files.writeString(dir.resolve("kura-drive.properties"), """
                format=2
                drive.id=6f1c2a4e-9b7d-4f0a-8e3c-2d5b7a9c1e0f
                zone=rack-a
                set.id=0b5e7f0c-3a51-4d6e-9a1c-5f2e8d7b6a40
                """);
        LocalBlobStore store = LocalBlobStore.open(dir, io, false);
        DataId id = new DataId("abcdef0123456789abcdef0123456789");
        DataLocation loc = TestData.write(store, id, new byte[] {4, 2});
        assertThat(dir.resolve("data/ab/cd/" + id)).isRegularFile().isEqualTo(store.dataFile(id));
        java.util.List<DataId> found = new java.util.ArrayList<>();
        store.forEachData(found::add);
        assertThat(found).containsExactly(id);
        assertThat(TestData.read(store, loc, 0, 2)).containsExactly(4, 2);
    }

    @Test
    void abortLeavesNothing() throws IOException {
        LocalBlobStore store = LocalBlobStore.open(dir, io, true, 16);
        DataId id = TestData.id(rnd);
        BlobWriter w = store.create(store.place(id), "label");
        w.write(TestData.bytes(100, 1), 0, 100);
        assertThat(dir.resolve("tmp")).isEmptyDirectory(); // small: built in memory for the journal
        w.write(TestData.bytes(DriveJournal.MAX_FILE_BYTES, 2), 0, DriveJournal.MAX_FILE_BYTES);
        assertThat(dir.resolve("tmp")).isNotEmptyDirectory(); // outgrew the journal: spilled to its temp file
        w.abort();
        w.abort(); // idempotent
        assertThat(countFiles(dir.resolve("tmp")) + countFiles(dir.resolve("data"))).isZero();
        assertThatThrownBy(() -> w.write(new byte[1], 0, 1)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(w::commit).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void closeWithoutCommitAbortsAndCloseAfterCommitKeepsTheData() throws IOException {
        LocalBlobStore store = LocalBlobStore.open(dir, io, true);
        try (BlobWriter w = store.create(store.place(TestData.id(rnd)), "x")) {
            w.write(new byte[5], 0, 5);
        }
        assertThat(countFiles(dir.resolve("tmp")) + countFiles(dir.resolve("data"))).isZero();
        DataId id = TestData.id(rnd);
        DataLocation loc = TestData.write(store, id, new byte[] {1, 2, 3}); // closes after commit
        assertThat(TestData.read(store, loc, 0, 3)).containsExactly(1, 2, 3);
    }

    @Test
    void refusesToReplaceCommittedData() throws IOException {
        LocalBlobStore store = LocalBlobStore.open(dir, io, true);
        DataId id = TestData.id(rnd);
        DataLocation loc = TestData.write(store, id, new byte[] {1});
        assertThatThrownBy(() -> TestData.write(store, id, new byte[] {2}))
                .isInstanceOf(FileAlreadyExistsException.class);
        assertThat(TestData.read(store, loc, 0, 1)).containsExactly(1);
        assertThat(dir.resolve("tmp")).isEmptyDirectory();
    }

    @Test
    void deleteRemovesDataAndTempFilesOfThatIdOnly() throws IOException {
        LocalBlobStore store = LocalBlobStore.open(dir, io, true);
        DataId id = TestData.id(rnd);
        DataLocation loc = TestData.write(store, id, new byte[] {1});
        DataLocation other = TestData.write(store, TestData.id(rnd), new byte[] {2});
        DataLocation abandoned = store.place(TestData.id(rnd)); // a writer that never committed (intent swept)
        BlobWriter inFlight = store.create(abandoned, "never committed");
        BlobWriter otherInFlight = store.create(store.place(TestData.id(rnd)), "other");
        byte[] large = new byte[DriveJournal.MAX_FILE_BYTES]; // past the journal: their temp files exist
        inFlight.write(large, 0, large.length);
        otherInFlight.write(large, 0, large.length);
        store.delete(loc);
        assertThat(store.dataFile(id)).doesNotExist();
        assertThat(countFiles(dir.resolve("tmp"))).isEqualTo(2); // committed data has no temp file to look for
        store.delete(abandoned);
        assertThat(countFiles(dir.resolve("tmp"))).isEqualTo(1);
        assertThatThrownBy(inFlight::commit).isInstanceOf(IOException.class); // its temp file is gone
        assertThat(store.dataFile(abandoned.dataId())).doesNotExist();
        store.delete(loc); // absent is fine
        store.delete(store.place(TestData.id(rnd)));
        assertThat(TestData.read(store, other, 0, 1)).containsExactly(2);
        otherInFlight.abort();
    }

    @Test
    void purgeTempRemovesLeftoversOfUncommittedWrites() throws IOException {
        LocalBlobStore store = LocalBlobStore.open(dir, io, true);
        byte[] large = new byte[DriveJournal.MAX_FILE_BYTES]; // past the journal: written to temp files
        store.create(store.place(TestData.id(rnd)), "never finished").write(large, 0, large.length);
        store.create(store.place(TestData.id(rnd)), "never finished either").write(large, 0, 7);
        store.create(store.place(TestData.id(rnd)), "small and in memory only").write(new byte[3], 0, 3);
        DataLocation kept = TestData.write(store, TestData.id(rnd), new byte[] {7});
        LocalBlobStore rebooted = LocalBlobStore.open(dir, io, false);
        assertThat(rebooted.purgeTemp()).isEqualTo(1);
        assertThat(dir.resolve("tmp")).isEmptyDirectory();
        assertThat(rebooted.purgeTemp()).isZero();
        assertThat(TestData.read(rebooted, kept, 0, 1)).containsExactly(7);
    }

    @Test
    void isWritableFollowsTheHeaderTheDirectoriesAndClose() throws IOException {
        LocalBlobStore store = LocalBlobStore.open(dir, io, true);
        assertThat(store.isWritable()).isTrue();
        Files.move(dir.resolve("kura-drive.properties"), dir.resolve("moved"));
        assertThat(store.isWritable()).isFalse(); // what an unmounted drive looks like
        Files.move(dir.resolve("moved"), dir.resolve("kura-drive.properties"));
        assertThat(store.isWritable()).isTrue();
        store.close();
        assertThat(store.isWritable()).isFalse();
        assertThatThrownBy(() -> store.place(TestData.id(rnd))).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void rejectsLocationsOfOtherDrives() throws IOException {
        LocalBlobStore store = LocalBlobStore.open(dir, io, true);
        DataLocation loc = TestData.write(store, TestData.id(rnd), new byte[] {1});
        DataLocation elsewhere = new DataLocation(loc.dataId(), 1, "single", List.of("other-drive"), loc.blockSize(), 1);
        DataLocation otherScheme = new DataLocation(loc.dataId(), 1, "rs-4-2", loc.drives(), loc.blockSize(), 1);
        assertThatThrownBy(() -> store.open(elsewhere, 0, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.delete(otherScheme)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.create(elsewhere, "x")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void concurrentWritersAndReadersOfDifferentIds() throws Exception {
        LocalBlobStore store = LocalBlobStore.open(dir, io, true, 1024);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 32; t++) {
                int seed = t;
                done.add(pool.submit(() -> {
                    byte[] data = TestData.bytes(5000 + seed * 97, seed);
                    DataId id = DataId.random(new Random(1000 + seed));
                    DataLocation loc = TestData.write(store, id, data);
                    assertThat(TestData.read(store, loc, 0, data.length)).isEqualTo(data);
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(countFiles(dir.resolve("data"))).isEqualTo(32);
    }
}
