package dev.kura.object;

import dev.kura.index.BucketRecord;
import dev.kura.index.BucketSetting;
import dev.kura.index.IndexCommand;
import dev.kura.index.ObjectIndex;
import dev.kura.s3.cors.CorsConfiguration;
import dev.kura.s3.xml.XmlParser;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A bucket's CORS configuration, kept as its normalized XML in the bucket's {@link BucketSetting#CORS}
 * row and parsed once per stored document: every request with an {@code Origin} asks for it.
 */
public final class BucketCors {
    private static final int MAX_CACHED = 10_000;
    private final ObjectService objects;
    private final ObjectIndex index;
    /** Parsed configurations by bucket id, with the stored bytes they were parsed from. */
    private final Map<Long, Map.Entry<byte[], CorsConfiguration>> parsed = new ConcurrentHashMap<>();

    BucketCors(ObjectService objects, ObjectIndex index) {
        this.objects = objects;
        this.index = index;
    }

    /** The configuration of the named bucket, if any; NoSuchBucket when there is no such bucket. */
    public Optional<CorsConfiguration> get(String bucketName) {
        BucketRecord bucket = objects.bucket(bucketName);
        Optional<byte[]> raw = index.bucketSetting(bucket.id(), BucketSetting.CORS);
        if (raw.isEmpty()) {
            parsed.remove(bucket.id());
            return Optional.empty();
        }
        Map.Entry<byte[], CorsConfiguration> cached = parsed.get(bucket.id());
        if (cached != null && Arrays.equals(cached.getKey(), raw.get())) {
            return Optional.of(cached.getValue());
        }
        CorsConfiguration config = CorsConfiguration.parse(XmlParser.parse(raw.get(), 10 * CorsConfiguration.MAX_BYTES));
        if (parsed.size() >= MAX_CACHED) {
            parsed.clear();
        }
        parsed.put(bucket.id(), Map.entry(raw.get(), config));
        return Optional.of(config);
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
