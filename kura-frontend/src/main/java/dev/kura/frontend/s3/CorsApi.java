package dev.kura.frontend.s3;

import dev.kura.frontend.http.Exchange;
import dev.kura.object.BucketCors;
import dev.kura.s3.S3ErrorCode;
import dev.kura.s3.S3Exception;
import dev.kura.s3.cors.CorsConfiguration;
import dev.kura.s3.cors.CorsResponses;
import dev.kura.s3.http.RequestHead;
import dev.kura.s3.op.S3Operation;
import dev.kura.s3.op.S3Router;
import dev.kura.s3.xml.XmlParser;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.Optional;

/**
 * CORS (https://docs.aws.amazon.com/AmazonS3/latest/userguide/cors.html): the bucket's
 * configuration (Put/Get/DeleteBucketCors), the unauthenticated preflight ({@code OPTIONS}) and the
 * {@code Access-Control-*} headers every answer to a request with an {@code Origin} gets
 * ({@link CorsExchange}). Matching is {@link CorsResponses}' pure functions; this class reads the
 * configuration and writes the answers.
 */
final class CorsApi {
    private final BucketCors cors;
    private final String domain;

    CorsApi(BucketCors cors, String domain) {
        this.cors = cors;
        this.domain = domain;
    }

    // https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketCors.html
    void get(S3Operation.GetBucketCors op, Exchange ex) throws IOException {
        CorsConfiguration config = cors.get(op.bucket()).orElseThrow(() ->
                new S3Exception(S3ErrorCode.NoSuchCORSConfiguration).with("BucketName", op.bucket()));
        Responses.xml(ex, 200, config.toXml());
    }

    // https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketCors.html
    void put(S3Operation.PutBucketCors op, Exchange ex, InputStream body) throws IOException {
        cors.get(op.bucket()); // NoSuchBucket before the body is read
        byte[] bytes = body.readNBytes(CorsConfiguration.MAX_BYTES + 1);
        if (bytes.length > CorsConfiguration.MAX_BYTES) {
            throw new S3Exception(S3ErrorCode.MaxMessageLengthExceeded);
        }
        RequestHead head = ex.head();
        if (head.header("content-md5") == null && PutHeaders.checksumAlgorithm(head) == null) {
            throw new S3Exception(S3ErrorCode.InvalidRequest,
                    "Content-MD5 OR x-amz-checksum- HTTP header is required for this request");
        }
        DeleteObjectsApi.verifyIntegrity(ex, bytes);
        CorsConfiguration config = CorsConfiguration.parse(XmlParser.parse(bytes, 10 * CorsConfiguration.MAX_BYTES));
        cors.put(op.bucket(), config);
        Responses.empty(ex, 200, Map.of());
    }

    // https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteBucketCors.html
    void delete(S3Operation.DeleteBucketCors op, Exchange ex) throws IOException {
        cors.delete(op.bucket());
        Responses.empty(ex, 204, Map.of());
    }

    /**
     * A preflight (https://docs.aws.amazon.com/AmazonS3/latest/API/RESTOPTIONSobject.html): no
     * authentication (a browser sends none), answered from the bucket's rules alone. A bucket that
     * does not exist is answered like one without CORS, so a preflight tells nothing about names.
     */
    void preflight(Exchange ex) throws IOException {
        RequestHead head = ex.head();
        S3Router.Target target = S3Router.target(head, domain);
        ex.info().operation("PreflightCors");
        if (target != null) {
            ex.info().target(target.bucket(), target.key().isEmpty() ? null : target.key());
        }
        Map<String, String> h = CorsResponses.preflight(target == null ? Optional.empty() : config(target.bucket()),
                head.header("origin"), head.header("access-control-request-method"),
                String.join(",", head.headers("access-control-request-headers")),
                target != null && !target.key().isEmpty());
        Responses.empty(ex, 200, h);
    }

    /**
     * The CORS headers of an actual request's answer, errors included: those of the first rule that
     * allows its Origin and its method (or the Access-Control-Request-Method it carries, as S3 reads it).
     */
    Map<String, String> actualHeaders(RequestHead head) {
        String origin = head.header("origin");
        S3Router.Target target = origin == null ? null : S3Router.target(head, domain);
        if (target == null) {
            return Map.of();
        }
        String method = head.header("access-control-request-method");
        return CorsResponses.actual(config(target.bucket()), origin, method != null ? method : head.method());
    }

    /**
     * Wraps the exchange so every answer carries the CORS headers, when the request has an Origin. A
     * preflight writes its own: a refused one carries none.
     */
    Exchange decorate(Exchange ex) {
        return ex.head().header("origin") == null || ex.head().method().equalsIgnoreCase("OPTIONS") ? ex
                : new CorsExchange(ex, () -> actualHeaders(ex.head()));
    }

    private Optional<CorsConfiguration> config(String bucket) {
        try {
            return cors.get(bucket);
        } catch (S3Exception e) {
            return Optional.empty(); // no such bucket (or a bad name): no CORS
        }
    }
}
