package dev.kura.index;

import dev.kura.index.codec.RecordCodec;

/**
 * What a piece of data on the drives belongs to, stored by the storage layer as opaque bytes with
 * the data (in every shard file's footer), so the index can be rebuilt from the drives alone
 * ({@code kura admin rebuild-index}). Encoded by {@link RecordCodec} with a format version, reusing
 * the versioned encodings of the records it holds.
 *
 * <p>The records are as the writer planned to commit them: a record's {@code location} is the
 * planned one (a shard lost with the write is not yet a {@code "-"} slot), so a rebuild takes the
 * drives from where it finds the shards.
 */
public sealed interface DataAnnotation {

    /** The bucket the data was written into (name, id, owner, region, creation time). */
    BucketRecord bucket();

    /** Data written whole as one version of a key (PutObject, CopyObject). */
    record Version(BucketRecord bucket, ObjectRecord record) implements DataAnnotation {
    }

    /** One part of a multipart upload (UploadPart, UploadPartCopy), with the upload it belongs to. */
    record UploadPart(BucketRecord bucket, UploadRecord upload, PartRecord part) implements DataAnnotation {
    }

    /**
     * The manifest of a completed multipart object (CompleteMultipartUpload), stored as a small data
     * piece of its own: the version as committed ({@code record.location()} is the manifest's planned
     * location, {@code record.uploadId()} the upload it completed) and the chosen parts in order. A part
     * names its data by id only; its full record and location come from that data's own
     * {@link UploadPart} annotation (kept compact so 10,000 parts fit in an annotation).
     */
    record Completed(BucketRecord bucket, ObjectRecord record, java.util.List<CompletedPart> parts)
            implements DataAnnotation {
        public Completed {
            parts = java.util.List.copyOf(parts);
        }
    }

    /** One part of a completed multipart object: its number, data, size, ETag and offset in the object. */
    record CompletedPart(int partNumber, dev.kura.common.DataId dataId, long size, String etag, long offset) {
        public static CompletedPart of(PartRecord p) {
            return new CompletedPart(p.partNumber(), p.location().dataId(), p.size(), p.etag(), p.offset());
        }
    }

    static byte[] encode(DataAnnotation annotation) {
        return RecordCodec.encode(annotation);
    }

    /** Decodes an annotation; throws {@link java.io.UncheckedIOException} for bytes that are not one. */
    static DataAnnotation decode(byte[] bytes) {
        return RecordCodec.decodeAnnotation(bytes);
    }
}
