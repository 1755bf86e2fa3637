package dev.kura.bench.load;

import java.util.Locale;

/** What the generator does in a loop. */
public enum Workload {
    /** PutObject of new keys. */
    PUT,
    /** GetObject of prepared objects, bodies read and discarded. */
    GET,
    /** GET, PUT, DELETE and STAT (HeadObject) in configurable shares, over prepared objects. */
    MIXED,
    /** ListObjectsV2 pages over prepared keys, following continuation tokens, round and round. */
    LIST,
    /** CreateMultipartUpload, UploadPart × n, CompleteMultipartUpload: one operation per upload. */
    MULTIPART;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
