package dev.kura.frontend.s3;

import dev.kura.frontend.http.Exchange;
import dev.kura.object.BucketEncryption;
import dev.kura.object.ObjectService;
import dev.kura.s3.S3ErrorCode;
import dev.kura.s3.S3Exception;
import dev.kura.s3.op.S3Operation;
import dev.kura.s3.xml.XmlParser;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;

/** A bucket's default encryption: Get/Put/DeleteBucketEncryption (the {@code ?encryption} sub-resource). */
final class EncryptionApi {
    private final ObjectService objects;

    EncryptionApi(ObjectService objects) {
        this.objects = objects;
    }

    // https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketEncryption.html
    void get(S3Operation.GetBucketEncryption op, Exchange ex) throws IOException {
        BucketEncryption config = objects.bucketEncryption(objects.bucket(op.bucket())).orElseThrow(() ->
                new S3Exception(S3ErrorCode.ServerSideEncryptionConfigurationNotFoundError).with("BucketName", op.bucket()));
        Responses.xml(ex, 200, config.toXml());
    }

    // https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketEncryption.html
    void put(S3Operation.PutBucketEncryption op, Exchange ex, InputStream body) throws IOException {
        objects.bucket(op.bucket());
        byte[] bytes = ProtectionApi.checkedBody(ex, body);
        objects.putBucketEncryption(op.bucket(), BucketEncryption.parse(XmlParser.parse(bytes, 20)));
        Responses.empty(ex, 200, Map.of());
    }

    // https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteBucketEncryption.html
    void delete(S3Operation.DeleteBucketEncryption op, Exchange ex) throws IOException {
        objects.deleteBucketEncryption(op.bucket());
        Responses.empty(ex, 204, Map.of());
    }
}
