package dev.kura.storage.local;

import dev.kura.storage.fs.FileIo;
import dev.kura.storage.fs.WritableFile;
import java.io.IOException;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.UUID;

/**
 * The small file at the root of a drive that makes it a Kura drive: format version, drive id,
 * zone. A directory without it is never written to (an unmounted mount point looks empty), except
 * to format a directory that is truly empty when the caller asks for it.
 *
 * <p>Version 1 is a Java properties file with the keys {@code format}, {@code drive.id} (a UUID)
 * and {@code zone}. Version 2 adds {@code set.id}: the drive set (one Kura's drives) it belongs to,
 * so a drive of another Kura is recognised and never mixed in. Version 1 drives (the single drive of
 * a Kura without {@code --drive}) still open, with no set id. Version 3 (every new drive) changes the
 * data layout, not the keys: data files fan out over one level of 4,096 directories
 * ({@code data/abc/}) instead of two of 256 ({@code data/ab/cd/}), so a fresh drive stops creating
 * directories after a few thousand writes (each costs an inode allocation and, on the write path, a
 * directory sync); {@code set.id} is optional again (a lone drive has none).
 */
record DriveHeader(int format, String driveId, String zone, String setId) {
    static final String FILE_NAME = "kura-drive.properties";
    static final int VERSION = 3;
    static final String DEFAULT_ZONE = "local";
    /** Written first, then renamed: its presence alone still counts as an empty directory. */
    private static final String TEMP_NAME = FILE_NAME + ".tmp";

    DriveHeader {
        if (!zone.matches("[A-Za-z0-9._-]{1,64}")) {
            throw new IllegalArgumentException("bad zone name: " + zone);
        }
        UUID.fromString(driveId); // validates
        if (setId != null) {
            UUID.fromString(setId);
        }
    }

    /** A new drive, in the current format; {@code setId} null for a lone drive. */
    static DriveHeader fresh(String zone, String setId) {
        return fresh(zone, setId, null);
    }

    /** As above with a given drive id (a replacement taking a dead drive's place), or a new one when null. */
    static DriveHeader fresh(String zone, String setId, String driveId) {
        return new DriveHeader(VERSION, driveId != null ? driveId : UUID.randomUUID().toString(), zone, setId);
    }

    /** Directory levels data files fan out over: 2 (of 256) up to format 2, 1 (of 4,096) from format 3. */
    int fanoutLevels() {
        return format >= 3 ? 1 : 2;
    }

    byte[] encode() {
        String text = "# Kura drive header: identifies this drive. Do not edit, do not copy to another drive.\n"
                + "format=" + format + "\n"
                + "drive.id=" + driveId + "\n"
                + "zone=" + zone + "\n"
                + (setId == null ? "" : "set.id=" + setId + "\n");
        return text.getBytes(StandardCharsets.UTF_8);
    }

    static DriveHeader decode(byte[] bytes, Path file) throws IOException {
        Properties p = new Properties();
        p.load(new StringReader(new String(bytes, StandardCharsets.UTF_8)));
        String format = p.getProperty("format");
        String id = p.getProperty("drive.id");
        String zone = p.getProperty("zone");
        if (format == null || id == null || zone == null) {
            throw new IOException("malformed drive header " + file + ": needs format, drive.id and zone");
        }
        if (!format.equals("1") && !format.equals("2") && !format.equals("3")) {
            throw new IOException("unsupported drive format " + format + " in " + file);
        }
        String setId = p.getProperty("set.id");
        if (format.equals("2") && setId == null) {
            throw new IOException("malformed drive header " + file + ": format 2 needs set.id");
        }
        try {
            return new DriveHeader(Integer.parseInt(format), id, zone, format.equals("1") ? null : setId);
        } catch (IllegalArgumentException e) {
            throw new IOException("malformed drive header " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Reads the header of the drive at {@code root}, or formats the drive if it has none, is empty
     * (or absent) and {@code formatIfEmpty}; anything else is refused.
     */
    static DriveHeader loadOrFormat(Path root, FileIo io, boolean formatIfEmpty) throws IOException {
        return loadOrFormat(root, io, formatIfEmpty ? new LocalBlobStore.Format(DEFAULT_ZONE, null, null) : null);
    }

    /** As above, formatting (when empty) with {@code format}'s zone and set id; null: never format. */
    static DriveHeader loadOrFormat(Path root, FileIo io, LocalBlobStore.Format formatIfEmpty) throws IOException {
        Path file = root.resolve(FILE_NAME);
        if (io.exists(file)) {
            return decode(io.readAllBytes(file), file);
        }
        boolean rootExists = io.exists(root);
        List<Path> entries = rootExists ? io.list(root) : List.of();
        if (!entries.stream().allMatch(p -> p.getFileName().toString().equals(TEMP_NAME))) {
            throw new IOException("not a Kura drive: " + root + " has no " + FILE_NAME
                    + " and is not empty; refusing to write into it");
        }
        if (formatIfEmpty == null) {
            throw new IOException("not a Kura drive: " + root + " has no " + FILE_NAME + " and formatting was not requested");
        }
        return format(root, io, rootExists, fresh(formatIfEmpty.zone(), formatIfEmpty.setId(), formatIfEmpty.driveId()));
    }

    /** Writes the header durably: temp file, fsync, rename, fsync the directory (and its parent if new). */
    private static DriveHeader format(Path root, FileIo io, boolean rootExisted, DriveHeader h) throws IOException {
        io.createDirectories(root);
        Path temp = root.resolve(TEMP_NAME);
        io.deleteIfExists(temp);
        try (WritableFile f = io.createNew(temp)) {
            f.write(ByteBuffer.wrap(h.encode()));
            f.sync();
        }
        io.atomicMove(temp, root.resolve(FILE_NAME));
        io.syncDirectory(root);
        if (!rootExisted && root.toAbsolutePath().getParent() != null) {
            io.syncDirectory(root.toAbsolutePath().getParent());
        }
        return h;
    }
}
