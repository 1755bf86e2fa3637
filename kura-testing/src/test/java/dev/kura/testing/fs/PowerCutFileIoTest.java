package dev.kura.testing.fs;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kura.storage.fs.ReadableFile;
import dev.kura.storage.fs.WritableFile;
import dev.kura.testing.fs.PowerCutFileIo.CutMode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PowerCutFileIoTest {
    @TempDir
    Path tmp;
    Path root;
    PowerCutFileIo io;

    @BeforeEach
    void setUp() throws IOException {
        root = Files.createDirectory(tmp.resolve("disk"));
        io = new PowerCutFileIo(root);
    }

    private void write(Path p, String text, boolean sync) throws IOException {
        try (WritableFile f = io.createNew(p)) {
            f.write(ByteBuffer.wrap(text.getBytes(UTF_8)));
            if (sync) {
                f.sync();
            }
        }
    }

    private static String read(Path p) throws IOException {
        return Files.readString(p);
    }

    @Test
    void syncedFileInSyncedDirectorySurvives() throws IOException {
        write(root.resolve("a"), "hello", true);
        io.syncDirectory(root);
        io.powerCut();
        assertThat(read(root.resolve("a"))).isEqualTo("hello");
    }

    @Test
    void fileWhoseCreationWasNotDirectorySyncedDisappears() throws IOException {
        write(root.resolve("a"), "hello", true);
        io.powerCut();
        assertThat(root.resolve("a")).doesNotExist();
    }

    @Test
    void unsyncedContentIsLostButTheNameSurvives() throws IOException {
        write(root.resolve("a"), "hello", false);
        io.syncDirectory(root);
        io.powerCut();
        assertThat(root.resolve("a")).exists().isEmptyFile();
    }

    @Test
    void bytesWrittenAfterTheLastSyncAreLost() throws IOException {
        try (WritableFile f = io.createNew(root.resolve("a"))) {
            f.write(ByteBuffer.wrap("hello".getBytes(UTF_8)));
            f.sync();
            f.write(ByteBuffer.wrap(" world".getBytes(UTF_8)));
        }
        io.syncDirectory(root);
        assertThat(read(root.resolve("a"))).isEqualTo("hello world");
        io.powerCut();
        assertThat(read(root.resolve("a"))).isEqualTo("hello");
    }

    @Test
    void renameNotDirectorySyncedReverts() throws IOException {
        write(root.resolve("old"), "data", true);
        io.syncDirectory(root);
        io.atomicMove(root.resolve("old"), root.resolve("new"));
        io.powerCut();
        assertThat(root.resolve("new")).doesNotExist();
        assertThat(read(root.resolve("old"))).isEqualTo("data");
    }

    @Test
    void renameOverAnExistingFileRevertsToTheOldTarget() throws IOException {
        write(root.resolve("target"), "old", true);
        write(root.resolve("temp"), "new", true);
        io.syncDirectory(root);
        io.atomicMove(root.resolve("temp"), root.resolve("target"));
        assertThat(read(root.resolve("target"))).isEqualTo("new");
        io.powerCut();
        assertThat(read(root.resolve("target"))).isEqualTo("old");
        assertThat(read(root.resolve("temp"))).isEqualTo("new");
    }

    @Test
    void renameThenDirectorySyncIsDurable() throws IOException {
        write(root.resolve("temp"), "new", true);
        io.atomicMove(root.resolve("temp"), root.resolve("final"));
        io.syncDirectory(root);
        io.powerCut();
        assertThat(read(root.resolve("final"))).isEqualTo("new");
        assertThat(root.resolve("temp")).doesNotExist();
    }

    @Test
    void crossDirectoryRenameSyncedOnlyAtTheTargetLeavesBothNames() throws IOException {
        Path a = root.resolve("a");
        Path b = root.resolve("b");
        io.createDirectories(a);
        io.createDirectories(b);
        io.syncDirectory(root);
        write(a.resolve("f"), "x", true);
        io.syncDirectory(a);
        io.atomicMove(a.resolve("f"), b.resolve("f"));
        io.syncDirectory(b);
        io.powerCut();
        assertThat(read(a.resolve("f"))).isEqualTo("x");
        assertThat(read(b.resolve("f"))).isEqualTo("x");
    }

    @Test
    void deleteNotDirectorySyncedComesBack() throws IOException {
        write(root.resolve("a"), "keep", true);
        io.syncDirectory(root);
        assertThat(io.deleteIfExists(root.resolve("a"))).isTrue();
        assertThat(io.exists(root.resolve("a"))).isFalse();
        io.powerCut();
        assertThat(read(root.resolve("a"))).isEqualTo("keep");
    }

    @Test
    void deleteThenDirectorySyncIsDurable() throws IOException {
        write(root.resolve("a"), "gone", true);
        io.syncDirectory(root);
        io.deleteIfExists(root.resolve("a"));
        io.syncDirectory(root);
        io.powerCut();
        assertThat(root.resolve("a")).doesNotExist();
    }

    @Test
    void newDirectoryNotSyncedInItsParentTakesItsSyncedChildrenWithIt() throws IOException {
        Path dir = root.resolve("x/y");
        io.createDirectories(dir);
        write(dir.resolve("f"), "data", true);
        io.syncDirectory(dir);
        io.syncDirectory(root.resolve("x")); // y is durable in x, but x is not durable in root
        io.powerCut();
        assertThat(root.resolve("x")).doesNotExist();
    }

    @Test
    void directoryChainSyncedBottomUpSurvives() throws IOException {
        Path dir = root.resolve("x/y");
        io.createDirectories(dir);
        write(dir.resolve("f"), "data", true);
        io.syncDirectory(dir);
        io.syncDirectory(root.resolve("x"));
        io.syncDirectory(root);
        io.powerCut();
        assertThat(read(dir.resolve("f"))).isEqualTo("data");
    }

    @Test
    void contentsPresentAtConstructionAreDurable() throws IOException {
        Path tree = Files.createDirectory(tmp.resolve("existing"));
        Files.createDirectories(tree.resolve("d"));
        Files.writeString(tree.resolve("d/f"), "before");
        PowerCutFileIo other = new PowerCutFileIo(tree);
        other.deleteIfExists(tree.resolve("d/f"));
        other.powerCut();
        assertThat(read(tree.resolve("d/f"))).isEqualTo("before");
    }

    @Test
    void stateAfterTheCutIsDurableForTheNextBoot() throws IOException {
        write(root.resolve("a"), "one", true);
        io.syncDirectory(root);
        io.powerCut();
        PowerCutFileIo rebooted = new PowerCutFileIo(root);
        rebooted.powerCut();
        assertThat(read(root.resolve("a"))).isEqualTo("one");
    }

    @Test
    void openHandlesAndTheInstanceFailAfterTheCut() throws IOException {
        write(root.resolve("r"), "read me", true);
        io.syncDirectory(root);
        WritableFile w = io.createNew(root.resolve("w"));
        ReadableFile r = io.openRead(root.resolve("r"));
        io.powerCut();
        assertThatThrownBy(() -> w.write(ByteBuffer.allocate(1))).isInstanceOf(IOException.class);
        assertThatThrownBy(w::sync).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> r.read(ByteBuffer.allocate(1), 0)).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> io.createNew(root.resolve("z"))).hasMessageContaining("power is off");
        assertThatThrownBy(() -> io.list(root)).isInstanceOf(IOException.class);
        assertThat(io.exists(root.resolve("r"))).isFalse();
        assertThat(io.isPoweredOff()).isTrue();
        w.close(); // closing a dead handle is harmless
        r.close();
    }

    @Test
    void failAfterFailsTheNthMutationAndCutsThePower() throws IOException {
        write(root.resolve("a"), "durable", true); // createNew, write, sync
        io.syncDirectory(root);
        assertThat(io.operations()).isEqualTo(4);
        io.failAfter(3);
        WritableFile f = io.createNew(root.resolve("b")); // 1
        f.write(ByteBuffer.wrap("x".getBytes(UTF_8))); // 2
        io.exists(root.resolve("b")); // reads do not count
        assertThatThrownBy(f::sync).isInstanceOf(IOException.class).hasMessageContaining("simulated power cut");
        assertThat(io.isPoweredOff()).isTrue();
        assertThat(io.operations()).isEqualTo(7);
        try (Stream<Path> s = Files.list(root)) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactly("a");
        }
        assertThat(read(root.resolve("a"))).isEqualTo("durable");
    }

    @Test
    void theFailedOperationHasNoEffect() throws IOException {
        write(root.resolve("a"), "v1", true);
        io.syncDirectory(root);
        io.failAfter(1);
        assertThatThrownBy(() -> io.deleteIfExists(root.resolve("a"))).hasMessageContaining("simulated power cut");
        assertThat(read(root.resolve("a"))).isEqualTo("v1");
    }

    @Test
    void graveyardIsCleanedUpAtTheCut() throws IOException {
        write(root.resolve("a"), "x", true);
        io.syncDirectory(root);
        io.deleteIfExists(root.resolve("a")); // buried: still durable
        io.powerCut();
        try (Stream<Path> s = Files.list(tmp)) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactly("disk");
        }
    }

    @Test
    void rejectsPathsOutsideTheTree() {
        assertThatThrownBy(() -> io.createNew(tmp.resolve("elsewhere")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> io.createNew(root.resolve("../escape")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void behavesLikeAFileSystemWhilePowered() throws IOException {
        write(root.resolve("a"), "abc", false);
        assertThatThrownBy(() -> io.createNew(root.resolve("a"))).isInstanceOf(IOException.class);
        assertThat(io.size(root.resolve("a"))).isEqualTo(3);
        assertThat(new String(io.readAllBytes(root.resolve("a")), UTF_8)).isEqualTo("abc");
        io.createDirectories(root.resolve("d"));
        write(root.resolve("d/f"), "", false);
        assertThatThrownBy(() -> io.deleteIfExists(root.resolve("d"))).isInstanceOf(IOException.class);
        assertThat(io.list(root)).containsExactly(root.resolve("a"), root.resolve("d"));
        assertThat(io.deleteIfExists(root.resolve("missing"))).isFalse();
    }

    @Test
    void keepModeLandsEveryEntryChangeButStillLosesUnsyncedContents() throws IOException {
        PowerCutFileIo keep = new PowerCutFileIo(root, CutMode.KEEP_UNSYNCED_ENTRIES);
        try (WritableFile f = keep.createNew(root.resolve("synced"))) {
            f.write(ByteBuffer.wrap("whole".getBytes(UTF_8)));
            f.sync();
        }
        try (WritableFile f = keep.createNew(root.resolve("unsynced"))) {
            f.write(ByteBuffer.wrap("lost".getBytes(UTF_8)));
        }
        keep.createDirectories(root.resolve("d"));
        keep.atomicMove(root.resolve("synced"), root.resolve("d/renamed"));
        keep.atomicMove(root.resolve("unsynced"), root.resolve("d/renamed-too-early"));
        keep.powerCut();
        try (Stream<Path> s = Files.walk(root)) {
            assertThat(s.map(p -> root.relativize(p).toString()))
                    .containsExactlyInAnyOrder("", "d", "d/renamed", "d/renamed-too-early");
        }
        assertThat(read(root.resolve("d/renamed"))).isEqualTo("whole");
        assertThat(root.resolve("d/renamed-too-early")).isEmptyFile(); // the bug this mode exists to catch
    }

    @Test
    void keepModeKeepsDeletes() throws IOException {
        Files.writeString(root.resolve("a"), "x");
        PowerCutFileIo keep = new PowerCutFileIo(root, CutMode.KEEP_UNSYNCED_ENTRIES);
        keep.deleteIfExists(root.resolve("a"));
        keep.failAfter(1);
        assertThatThrownBy(() -> keep.createNew(root.resolve("b"))).hasMessageContaining("simulated power cut");
        assertThat(root).isEmptyDirectory();
        try (Stream<Path> s = Files.list(tmp)) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactly("disk"); // no graveyard left
        }
    }
}
