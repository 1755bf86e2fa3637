package dev.kura.storage.fs;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RealFileIoTest {
    @TempDir
    Path dir;
    final FileIo io = new RealFileIo();

    @Test
    void createWriteSyncReadBack() throws IOException {
        Path p = dir.resolve("f");
        try (WritableFile f = io.createNew(p)) {
            f.write(ByteBuffer.wrap("hello ".getBytes(UTF_8)));
            f.write(ByteBuffer.wrap("world".getBytes(UTF_8)));
            f.sync();
        }
        assertThat(io.size(p)).isEqualTo(11);
        try (ReadableFile r = io.openRead(p)) {
            ByteBuffer b = ByteBuffer.allocate(5);
            r.readFully(b, 6);
            assertThat(new String(b.array(), UTF_8)).isEqualTo("world");
            assertThatThrownBy(() -> r.readFully(ByteBuffer.allocate(6), 6)).isInstanceOf(EOFException.class);
            assertThat(r.read(ByteBuffer.allocate(1), 11)).isEqualTo(-1);
        }
        assertThat(io.readAllBytes(p)).asString(UTF_8).isEqualTo("hello world");
    }

    @Test
    void createNewRefusesAnExistingFile() throws IOException {
        Files.writeString(dir.resolve("f"), "x");
        assertThatThrownBy(() -> io.createNew(dir.resolve("f"))).isInstanceOf(FileAlreadyExistsException.class);
    }

    @Test
    void atomicMoveReplacesTheTarget() throws IOException {
        Files.writeString(dir.resolve("a"), "new");
        Files.writeString(dir.resolve("b"), "old");
        io.atomicMove(dir.resolve("a"), dir.resolve("b"));
        io.syncDirectory(dir);
        assertThat(dir.resolve("a")).doesNotExist();
        assertThat(dir.resolve("b")).hasContent("new");
    }

    @Test
    void directoriesListDeleteAndProbe() throws IOException {
        io.createDirectories(dir.resolve("x/y"));
        io.createDirectories(dir.resolve("x/y")); // idempotent
        Files.writeString(dir.resolve("x/b"), "");
        assertThat(io.list(dir.resolve("x"))).containsExactly(dir.resolve("x/b"), dir.resolve("x/y"));
        assertThat(io.exists(dir.resolve("x/y"))).isTrue();
        assertThat(io.isWritable(dir.resolve("x/y"))).isTrue();
        assertThat(io.isWritable(dir.resolve("nope"))).isFalse();
        assertThat(io.deleteIfExists(dir.resolve("x/y"))).isTrue();
        assertThat(io.deleteIfExists(dir.resolve("x/y"))).isFalse();
        assertThat(io.deleteIfExists(dir.resolve("missing/parent/file"))).isFalse();
    }
}
