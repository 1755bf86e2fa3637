package dev.kura.object;

import dev.kura.index.BucketRecord;
import dev.kura.index.BucketSetting;
import dev.kura.index.IndexCommand;
import dev.kura.index.ObjectIndex;
import dev.kura.s3.cors.CorsConfiguration;
import dev.kura.s3.xml.XmlParser;
import java.util.Optional;

/**
 * A bucket's CORS configuration, kept as its normalized XML in the bucket's {@link BucketSetting#CORS}
 * row and parsed once per stored document: every request with an {@code Origin} asks for it.
 */
public final class BucketCors {
    private static final int MAX_CACHED = 10_000;
    private final ObjectService objects;
    private final ObjectIndex index;
    private final ParsedSettings<CorsConfiguration> parsed = new ParsedSettings<>(
            raw -> CorsConfiguration.parse(XmlParser.parse(raw, 10 * CorsConfiguration.MAX_BYTES)), MAX_CACHED);

    BucketCors(ObjectService objects, ObjectIndex index) {
        this.objects = objects;
        this.index = index;
    }

    /** The configuration of the named bucket, if any; NoSuchBucket when there is no such bucket. */
    public Optional<CorsConfiguration> get(String bucketName) {
        BucketRecord bucket = objects.bucket(bucketName);
        // the whole settings map is cached by the index; one setting alone would be a read
        return parsed.get(bucket.id(), Optional.ofNullable(index.bucketSettings(bucket.id()).get(BucketSetting.CORS)));
    }

    /** PutBucketCors: the validated configuration, stored as its normalized document. */
    public void put(String bucketName, CorsConfiguration config) {
        BucketRecord bucket = objects.bucket(bucketName);
        objects.apply(new IndexCommand.PutBucketSetting(bucketName, bucket.id(), BucketSetting.CORS,
                config.toXml().toBytes()), bucketName, null);
    }

    /** DeleteBucketCors: removing an absent configuration is fine (S3 answers 204 either way). */
    public void delete(String bucketName) {
        BucketRecord bucket = objects.bucket(bucketName);
        objects.apply(new IndexCommand.PutBucketSetting(bucketName, bucket.id(), BucketSetting.CORS, null), bucketName, null);
    }
}
