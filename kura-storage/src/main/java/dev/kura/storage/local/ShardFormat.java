package dev.kura.storage.local;

import dev.kura.common.DataId;
import dev.kura.common.DataLocation;
import dev.kura.common.Hex;
import dev.kura.storage.CorruptDataException;
import dev.kura.storage.fs.ReadableFile;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/**
 * The on-disk format of one data file (a shard), version 1. All integers big-endian.
 *
 * <pre>
 * header     "KURA" | u16 format version (1) | u16 header length H | i32 block size
 *            | 16 bytes data id | u16 label length L | L bytes label (UTF-8) | u32 CRC32C of the header so far
 *            (H = 34 + L)
 * blocks     for each block: payload (block size bytes; the last block may be shorter, never empty)
 *            | u32 CRC32C of that payload
 * footer v1  i64 payload length | i64 block count | u32 CRC32C of those 16 bytes | "KEND"   (24 bytes)
 * footer v2  A bytes annotation | u32 A | u32 CRC32C of the annotation | i64 payload length
 *            | i64 block count | u32 CRC32C of the 24 bytes from A on | "KEN2"   (A + 32 bytes)
 * </pre>
 *
 * The footer's end magic is its version. A file committed without an annotation gets footer v1, so it
 * is byte-identical to what earlier versions wrote; one with an annotation (opaque bytes the layer above
 * chose, e.g. the record the data belongs to, so an index can be rebuilt from the drives) gets footer v2.
 * A plain read checks only the fixed tail of the footer (its CRC covers the annotation's length and CRC);
 * {@link #readAnnotation} checks the annotation itself.
 *
 * Block {@code i} starts at {@code H + i * (blockSize + 4)}, so a reader seeks to any block without
 * an index, and the header, every block and the footer each carry their own checksum: a file can
 * be audited on its own. The header length field lets a later version append header fields that
 * old readers skip; the format version decides how the rest is read.
 */
final class ShardFormat {
    static final int VERSION = 1;
    static final int MAGIC = 0x4B555241; // "KURA"
    static final int END_MAGIC = 0x4B454E44; // "KEND"
    static final int END_MAGIC_V2 = 0x4B454E32; // "KEN2"
    static final int FOOTER_V2_TAIL = 32;
    /** Annotations are a record (key, metadata, tags): 1 MiB is far above any, and guards allocations. */
    static final int MAX_ANNOTATION_BYTES = 1 << 20;
    static final int CRC_LENGTH = 4;
    static final int FOOTER_LENGTH = 24;
    /** Labels are audit text (bucket/key/version); 2 KiB fits a 1 KiB key plus bucket and version id. */
    static final int MAX_LABEL_BYTES = 2048;
    /** Guards allocations against a corrupt header; far above any sensible block size. */
    static final int MAX_BLOCK_SIZE = 16 << 20;
    private static final int FIXED_HEADER = 30;
    private static final int PREFIX = 8;

    /** A decoded header. */
    record Header(int headerLength, int blockSize, DataId dataId, String label) {
    }

    private ShardFormat() {
    }

    static ByteBuffer encodeHeader(int blockSize, DataId id, String label) {
        byte[] labelBytes = boundedUtf8(label);
        int length = FIXED_HEADER + labelBytes.length + CRC_LENGTH;
        ByteBuffer b = ByteBuffer.allocate(length);
        b.putInt(MAGIC).putShort((short) VERSION).putShort((short) length).putInt(blockSize);
        b.put(Hex.decode(id.value())).putShort((short) labelBytes.length).put(labelBytes);
        b.putInt(crc(b.array(), 0, b.position()));
        return b.flip();
    }

    static ByteBuffer encodeFooter(long length, long blockCount) {
        ByteBuffer b = ByteBuffer.allocate(FOOTER_LENGTH);
        b.putLong(length).putLong(blockCount);
        b.putInt(crc(b.array(), 0, 16)).putInt(END_MAGIC);
        return b.flip();
    }

    /** Footer v1 without an annotation (null or empty), else footer v2 carrying it. */
    static ByteBuffer encodeFooter(long length, long blockCount, byte[] annotation) {
        if (annotation == null || annotation.length == 0) {
            return encodeFooter(length, blockCount);
        }
        if (annotation.length > MAX_ANNOTATION_BYTES) {
            throw new IllegalArgumentException("annotation of " + annotation.length + " bytes, at most "
                    + MAX_ANNOTATION_BYTES);
        }
        ByteBuffer b = ByteBuffer.allocate(annotation.length + FOOTER_V2_TAIL);
        b.put(annotation);
        int tail = b.position();
        b.putInt(annotation.length).putInt(crc(annotation, 0, annotation.length)).putLong(length).putLong(blockCount);
        b.putInt(crc(b.array(), tail, 24)).putInt(END_MAGIC_V2);
        return b.flip();
    }

    /** What a footer says: the payload length, the footer's size and the annotation's length and CRC. */
    record Footer(long length, int footerLength, int annotationLength, int annotationCrc) {
    }

    /**
     * Reads and checks the header and footer of a data file against the location the index
     * recorded for it: the right data, complete (the size the footer implies), not torn.
     */
    static Header readAndCheck(ReadableFile file, DataLocation expected, String name) throws IOException {
        Header h = readHeader(file, name);
        if (!h.dataId().equals(expected.dataId()) || h.blockSize() != expected.blockSize()) {
            throw new CorruptDataException(name + ": header names data " + h.dataId() + " with block size "
                    + h.blockSize() + ", expected " + expected.dataId() + " with " + expected.blockSize());
        }
        long size = file.size();
        Footer f = readFooter(file, size, h, name);
        if (f.length() != expected.length()) {
            throw new CorruptDataException(name + ": holds " + f.length() + " bytes, expected " + expected.length());
        }
        return h;
    }

    /**
     * Reads and checks the header and footer of a data file without knowing what it should hold
     * (an audit or a scan of a drive); the footer's sizes must match the file's.
     */
    static Footer readFooter(ReadableFile file, Header h, String name) throws IOException {
        return readFooter(file, file.size(), h, name);
    }

    /** The annotation a footer v2 carries, checked against its CRC; empty for footer v1. */
    static byte[] readAnnotation(ReadableFile file, Header h, String name) throws IOException {
        Footer f = readFooter(file, h, name);
        if (f.annotationLength() == 0) {
            return new byte[0];
        }
        long at = file.size() - f.footerLength();
        ByteBuffer a = readAt(file, f.annotationLength(), at, name);
        if (crc(a.array(), 0, f.annotationLength()) != f.annotationCrc()) {
            throw new CorruptDataException(name + ": annotation checksum mismatch");
        }
        return a.array();
    }

    static Header readHeader(ReadableFile file, String name) throws IOException {
        ByteBuffer prefix = readAt(file, PREFIX, 0, name);
        if (prefix.getInt(0) != MAGIC) {
            throw new CorruptDataException(name + ": not a Kura data file (bad magic)");
        }
        int version = Short.toUnsignedInt(prefix.getShort(4));
        if (version != VERSION) {
            throw new CorruptDataException(name + ": unsupported data file format version " + version);
        }
        int length = Short.toUnsignedInt(prefix.getShort(6));
        if (length < FIXED_HEADER + CRC_LENGTH) {
            throw new CorruptDataException(name + ": header length " + length + " too short");
        }
        ByteBuffer h = readAt(file, length, 0, name);
        if (h.getInt(length - CRC_LENGTH) != crc(h.array(), 0, length - CRC_LENGTH)) {
            throw new CorruptDataException(name + ": header checksum mismatch");
        }
        return decodeHeaderV1(h, name);
    }

    private static Header decodeHeaderV1(ByteBuffer h, String name) throws CorruptDataException {
        int length = h.limit();
        int blockSize = h.getInt(8);
        if (blockSize < 1 || blockSize > MAX_BLOCK_SIZE) {
            throw new CorruptDataException(name + ": bad block size " + blockSize);
        }
        byte[] id = new byte[16];
        h.get(12, id);
        int labelLength = Short.toUnsignedInt(h.getShort(28));
        if (FIXED_HEADER + labelLength + CRC_LENGTH != length) {
            throw new CorruptDataException(name + ": label length " + labelLength + " does not fit the header");
        }
        String label = new String(h.array(), FIXED_HEADER, labelLength, StandardCharsets.UTF_8);
        return new Header(length, blockSize, new DataId(Hex.encode(id)), label);
    }

    private static Footer readFooter(ReadableFile file, long size, Header h, String name) throws IOException {
        if (size < h.headerLength() + FOOTER_LENGTH) {
            throw new CorruptDataException(name + ": truncated (" + size + " bytes, no footer)");
        }
        int n = (int) Math.min(FOOTER_V2_TAIL, size - h.headerLength());
        ByteBuffer f = readAt(file, n, size - n, name);
        int magic = f.getInt(n - 4);
        Footer footer;
        if (magic == END_MAGIC) {
            int at = n - FOOTER_LENGTH;
            if (f.getInt(at + 16) != crc(f.array(), at, 16)) {
                throw new CorruptDataException(name + ": bad footer (torn or truncated file)");
            }
            footer = new Footer(f.getLong(at), FOOTER_LENGTH, 0, 0);
            checkBlockCount(footer.length(), f.getLong(at + 8), h, name);
        } else if (magic == END_MAGIC_V2 && n == FOOTER_V2_TAIL) {
            if (f.getInt(24) != crc(f.array(), 0, 24)) {
                throw new CorruptDataException(name + ": bad footer (torn or truncated file)");
            }
            int annotationLength = f.getInt(0);
            if (annotationLength < 1 || annotationLength > MAX_ANNOTATION_BYTES) {
                throw new CorruptDataException(name + ": bad annotation length " + annotationLength);
            }
            footer = new Footer(f.getLong(8), FOOTER_V2_TAIL + annotationLength, annotationLength, f.getInt(4));
            checkBlockCount(footer.length(), f.getLong(16), h, name);
        } else {
            throw new CorruptDataException(name + ": bad footer (torn or truncated file)");
        }
        if (size != fileSize(h.headerLength(), h.blockSize(), footer.length()) - FOOTER_LENGTH + footer.footerLength()) {
            throw new CorruptDataException(name + ": file size " + size + " does not match its footer");
        }
        return footer;
    }

    private static void checkBlockCount(long length, long blockCount, Header h, String name)
            throws CorruptDataException {
        if (length < 0 || blockCount != blockCount(length, h.blockSize())) {
            throw new CorruptDataException(name + ": footer length and block count disagree");
        }
    }

    /** Reads exactly {@code n} bytes at {@code position}; a short file is corrupt, not an I/O error. */
    static ByteBuffer readAt(ReadableFile file, int n, long position, String name) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(n);
        try {
            file.readFully(b, position);
        } catch (EOFException e) {
            throw new CorruptDataException(name + ": truncated at " + position + " (" + e.getMessage() + ")");
        }
        return b.flip();
    }

    static long blockCount(long length, int blockSize) {
        return Math.ceilDiv(length, blockSize);
    }

    static long blockOffset(int headerLength, int blockSize, long block) {
        return headerLength + block * (blockSize + (long) CRC_LENGTH);
    }

    /** The size of a data file with footer v1 (no annotation). */
    static long fileSize(int headerLength, int blockSize, long length) {
        return headerLength + length + blockCount(length, blockSize) * CRC_LENGTH + FOOTER_LENGTH;
    }

    static int crc(byte[] b, int off, int len) {
        CRC32C c = new CRC32C();
        c.update(b, off, len);
        return (int) c.getValue();
    }

    /** The CRC32C of {@code len} bytes of {@code b} from {@code off} (heap or direct), positions untouched. */
    static int crc(ByteBuffer b, int off, int len) {
        if (b.hasArray()) {
            return crc(b.array(), b.arrayOffset() + off, len);
        }
        CRC32C c = new CRC32C();
        c.update(b.slice(off, len));
        return (int) c.getValue();
    }

    /** UTF-8 of the label, cut at a character boundary to {@link #MAX_LABEL_BYTES}: audit text never fails a write. */
    static byte[] boundedUtf8(String label) {
        CharsetEncoder enc = StandardCharsets.UTF_8.newEncoder()
                .onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE);
        ByteBuffer out = ByteBuffer.allocate(MAX_LABEL_BYTES);
        enc.encode(CharBuffer.wrap(label), out, true); // stops before a character that does not fit whole
        byte[] b = new byte[out.position()];
        out.flip().get(b);
        return b;
    }
}
