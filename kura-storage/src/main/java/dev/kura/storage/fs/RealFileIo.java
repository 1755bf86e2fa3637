package dev.kura.storage.fs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.stream.Stream;

/**
 * {@link FileIo} on the real file system through java.nio. Stateless and thread-safe.
 * {@link #syncFiles} is one {@code syncfs(2)} of the file system (through the FFM API) when the C
 * library offers it, else a file-by-file fsync.
 */
public final class RealFileIo implements FileIo {

    @Override
    public WritableFile createNew(Path file) throws IOException {
        FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        return new WritableFile() {
            @Override
            public void write(ByteBuffer src) throws IOException {
                while (src.hasRemaining()) {
                    ch.write(src);
                }
            }

            @Override
            public void sync() throws IOException {
                ch.force(true);
            }

            @Override
            public void close() throws IOException {
                ch.close();
            }
        };
    }

    @Override
    public ReadableFile openRead(Path file) throws IOException {
        FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
        return new ReadableFile() {
            @Override
            public int read(ByteBuffer dst, long position) throws IOException {
                return ch.read(dst, position);
            }

            @Override
            public long size() throws IOException {
                return ch.size();
            }

            @Override
            public void close() throws IOException {
                ch.close();
            }
        };
    }

    @Override
    public void atomicMove(Path from, Path to) throws IOException {
        // On POSIX, rename(2) replaces the target atomically; ATOMIC_MOVE maps to exactly that.
        Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
    }

    @Override
    public void syncDirectory(Path dir) throws IOException {
        // Linux lets a directory be opened read-only and fsync'd; that persists its entries.
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    @Override
    public boolean deleteIfExists(Path path) throws IOException {
        return Files.deleteIfExists(path);
    }

    @Override
    public void createDirectories(Path dir) throws IOException {
        Files.createDirectories(dir);
    }

    @Override
    public boolean exists(Path path) {
        return Files.exists(path);
    }

    @Override
    public boolean isWritable(Path path) {
        // access(W_OK): also false on a file system remounted read-only after errors.
        return Files.isWritable(path);
    }

    @Override
    public List<Path> list(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }

    @Override
    public long size(Path file) throws IOException {
        return Files.size(file);
    }

    @Override
    public void syncFile(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
    }

    @Override
    public void syncFiles(Path root, java.util.Collection<Path> files, java.util.Collection<Path> dirs)
            throws IOException {
        if (files.isEmpty() && dirs.isEmpty()) {
            return;
        }
        if (files.size() + dirs.size() > 1 && SyncFs.sync(root)) {
            return;
        }
        FileIo.super.syncFiles(root, files, dirs);
    }

    /** {@code syncfs(2)} through the FFM API: all dirty data and metadata of one file system. */
    static final class SyncFs {
        private static final int O_RDONLY = 0;
        private static final java.lang.invoke.MethodHandle OPEN;
        private static final java.lang.invoke.MethodHandle SYNCFS;
        private static final java.lang.invoke.MethodHandle CLOSE;

        static {
            java.lang.invoke.MethodHandle open = null;
            java.lang.invoke.MethodHandle syncfs = null;
            java.lang.invoke.MethodHandle close = null;
            try {
                java.lang.foreign.Linker linker = java.lang.foreign.Linker.nativeLinker();
                java.lang.foreign.SymbolLookup libc = linker.defaultLookup();
                open = linker.downcallHandle(libc.find("open").orElseThrow(),
                        java.lang.foreign.FunctionDescriptor.of(java.lang.foreign.ValueLayout.JAVA_INT,
                                java.lang.foreign.ValueLayout.ADDRESS, java.lang.foreign.ValueLayout.JAVA_INT));
                syncfs = linker.downcallHandle(libc.find("syncfs").orElseThrow(),
                        java.lang.foreign.FunctionDescriptor.of(java.lang.foreign.ValueLayout.JAVA_INT,
                                java.lang.foreign.ValueLayout.JAVA_INT));
                close = linker.downcallHandle(libc.find("close").orElseThrow(),
                        java.lang.foreign.FunctionDescriptor.of(java.lang.foreign.ValueLayout.JAVA_INT,
                                java.lang.foreign.ValueLayout.JAVA_INT));
            } catch (RuntimeException | LinkageError e) {
                open = null; // no FFM access (or no syncfs): callers fall back to fsync per file
            }
            OPEN = open;
            SYNCFS = open == null ? null : syncfs;
            CLOSE = open == null ? null : close;
        }

        private SyncFs() {
        }

        static boolean available() {
            return OPEN != null;
        }

        /** Syncs the file system holding {@code anyPath}; false when syncfs is not available here. */
        static boolean sync(Path anyPath) throws IOException {
            if (OPEN == null) {
                return false;
            }
            try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
                int fd = (int) OPEN.invokeExact(arena.allocateFrom(anyPath.toString()), O_RDONLY);
                if (fd < 0) {
                    return false; // let the caller fsync file by file, which reports the real error
                }
                try {
                    if ((int) SYNCFS.invokeExact(fd) != 0) {
                        throw new IOException("syncfs failed on the file system of " + anyPath);
                    }
                } finally {
                    int ignored = (int) CLOSE.invokeExact(fd);
                }
                return true;
            } catch (IOException | RuntimeException | Error e) {
                throw e;
            } catch (Throwable t) {
                throw new IOException("syncfs on " + anyPath + " failed", t);
            }
        }
    }
}
