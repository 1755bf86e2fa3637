package dev.kura.frontend.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RotatingFileWriterTest {
    @TempDir
    Path dir;

    @Test
    void rotatesBySizeAndKeepsTheNewestFiles() throws Exception {
        Path file = dir.resolve("logs").resolve("access.log");
        try (RotatingFileWriter w = new RotatingFileWriter(file, 100, 2)) {
            for (int i = 0; i < 20; i++) {
                w.accept(String.format("line-%02d-%s", i, "x".repeat(30))); // 40 bytes with the newline
            }
        }
        // 2 lines per file: .2 holds lines 14-15, .1 holds 16-17, the current file 18-19
        assertThat(Files.readAllLines(file)).hasSize(2).allMatch(l -> l.startsWith("line-18") || l.startsWith("line-19"));
        assertThat(Files.readAllLines(dir.resolve("logs/access.log.1"))).first().asString().startsWith("line-16");
        assertThat(Files.readAllLines(dir.resolve("logs/access.log.2"))).first().asString().startsWith("line-14");
        assertThat(dir.resolve("logs/access.log.3")).doesNotExist();
    }

    @Test
    void appendsToAnExistingFile() throws Exception {
        Path file = dir.resolve("access.log");
        try (RotatingFileWriter w = new RotatingFileWriter(file, 1 << 20, 3)) {
            w.accept("one");
        }
        try (RotatingFileWriter w = new RotatingFileWriter(file, 1 << 20, 3)) {
            w.accept("two");
        }
        assertThat(Files.readAllLines(file)).containsExactly("one", "two");
    }
}
