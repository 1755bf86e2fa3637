package dev.kura.frontend.telemetry;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Appends lines to a file and rotates it by size: {@code access.log} becomes {@code access.log.1},
 * which becomes {@code .2}, and so on up to {@code keep} old files; the oldest is deleted. Each line
 * is one {@code write} (no buffer to lose in a crash, no fsync: a log is not data). A failure to
 * write is logged (at most once a minute), never thrown at the request that caused the line.
 */
public final class RotatingFileWriter implements Consumer<String>, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RotatingFileWriter.class);

    private final Path file;
    private final long maxBytes;
    private final int keep;
    private FileChannel channel; // guarded by this
    private long size; // guarded by this
    private long lastComplaint; // guarded by this
    private boolean closed; // guarded by this

    /**
     * Opens (creating directories and file as needed) {@code file} for appending.
     *
     * @param maxBytes size past which the file is rotated before the next line
     * @param keep     rotated files kept ({@code file.1} … {@code file.keep})
     */
    public RotatingFileWriter(Path file, long maxBytes, int keep) throws IOException {
        if (maxBytes < 1 || keep < 1) {
            throw new IllegalArgumentException("maxBytes and keep must be positive");
        }
        this.file = file;
        this.maxBytes = maxBytes;
        this.keep = keep;
        Files.createDirectories(file.toAbsolutePath().getParent());
        open();
    }

    private void open() throws IOException {
        channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        size = channel.size();
    }

    @Override
    public synchronized void accept(String line) {
        if (closed) {
            return;
        }
        byte[] bytes = (line + "\n").getBytes(StandardCharsets.UTF_8);
        try {
            if (!channel.isOpen()) {
                open(); // a rotation failed half-way; try again with whatever file is there
            }
            if (size > 0 && size + bytes.length > maxBytes) {
                rotate();
            }
            ByteBuffer buf = ByteBuffer.wrap(bytes);
            while (buf.hasRemaining()) {
                channel.write(buf);
            }
            size += bytes.length;
        } catch (IOException e) {
            long now = System.nanoTime();
            if (lastComplaint == 0 || now - lastComplaint > 60_000_000_000L) {
                lastComplaint = now;
                LOG.warn("cannot write the access log {}: {}", file, e.toString());
            }
        }
    }

    private void rotate() throws IOException {
        channel.close();
        try {
            Files.deleteIfExists(numbered(keep));
            for (int i = keep - 1; i >= 1; i--) {
                Path from = numbered(i);
                if (Files.exists(from)) {
                    Files.move(from, numbered(i + 1), StandardCopyOption.REPLACE_EXISTING);
                }
            }
            Files.move(file, numbered(1), StandardCopyOption.REPLACE_EXISTING);
        } finally {
            open();
        }
    }

    private Path numbered(int i) {
        return file.resolveSibling(file.getFileName() + "." + i);
    }

    @Override
    public synchronized void close() {
        closed = true;
        try {
            channel.close();
        } catch (IOException e) {
            LOG.debug("closing {}: {}", file, e.toString());
        }
    }
}
