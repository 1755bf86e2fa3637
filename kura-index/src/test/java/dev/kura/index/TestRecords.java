package dev.kura.index;

import dev.kura.common.DataId;
import dev.kura.common.DataLocation;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Builders for index records in tests: deterministic, so failures reproduce. */
public final class TestRecords {
    public static final Instant T0 = Instant.parse("2026-11-05T10:15:30.123Z");

    private TestRecords() {
    }

    /** A data id derived from a name, so tests can refer to "the data of x". */
    public static DataId dataId(String name) {
        byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        return new DataId(UUID.nameUUIDFromBytes(bytes).toString().replace("-", ""));
    }

    public static DataLocation location(String name) {
        return new DataLocation(dataId(name), 1, "single", List.of("drive-0"), 1 << 20, 100);
    }

    public static BucketRecord bucket(String name, long id) {
        return new BucketRecord(name, id, T0, "owner", "us-east-1", BucketRecord.Versioning.UNVERSIONED);
    }

    /** A bucket with versioning enabled: the index gives each version the id of its sequence. */
    public static BucketRecord versionedBucket(String name, long id) {
        return new BucketRecord(name, id, T0, "owner", "us-east-1", BucketRecord.Versioning.ENABLED);
    }

    /** A null version of {@code key} whose data is named {@code data}. */
    public static ObjectRecord object(String key, long sequence, String data, String etag) {
        return new ObjectRecord(key, ObjectRecord.NULL_VERSION, sequence, false, location(data), 100, etag,
                T0.plusSeconds(sequence), Map.of("content-type", "text/plain"), Map.of(), null, "STANDARD", "owner");
    }

    public static ObjectRecord object(String key, long sequence) {
        return object(key, sequence, key + "#" + sequence, "etag-" + sequence);
    }

    public static ObjectRecord version(String key, String versionId, long sequence) {
        ObjectRecord r = object(key, sequence);
        return new ObjectRecord(key, versionId, sequence, false, r.location(), r.size(), r.etag(), r.lastModified(),
                r.headers(), r.userMetadata(), null, r.storageClass(), r.owner());
    }

    public static ObjectRecord deleteMarker(String key, String versionId, long sequence) {
        return new ObjectRecord(key, versionId, sequence, true, null, 0, null, T0.plusSeconds(sequence), Map.of(),
                Map.of(), null, null, "owner");
    }

    public static WriteIntent intent(String data, long bucketId, String key, Instant at) {
        return new WriteIntent(location(data), bucketId, key, at);
    }
}
