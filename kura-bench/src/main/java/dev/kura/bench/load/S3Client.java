package dev.kura.bench.load;

import dev.kura.bench.http.HttpConn;
import dev.kura.bench.http.HttpConn.Body;
import dev.kura.bench.http.HttpConn.Progress;
import dev.kura.bench.http.HttpConn.Response;
import dev.kura.bench.http.SigV4Signer;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The S3 operations the workloads use, over one {@link HttpConn} and one {@link SigV4Signer}: one
 * client per worker, never shared between threads. Path-style addressing.
 */
public final class S3Client implements AutoCloseable {
    private final Endpoint endpoint;
    private final String bucket;
    private final PayloadMode mode;
    private final Payload payload;
    private final int chunkSize;
    private final SigV4Signer signer;
    private final HttpConn conn;

    public S3Client(Endpoint endpoint, String bucket, String accessKey, String secretKey, String region,
                    PayloadMode mode, Payload payload, int chunkSize, int timeoutMillis) {
        this.endpoint = endpoint;
        this.bucket = bucket;
        this.mode = mode;
        this.payload = payload;
        this.chunkSize = chunkSize;
        this.signer = new SigV4Signer(accessKey, secretKey, region);
        this.conn = new HttpConn(endpoint.address(), timeoutMillis);
    }

    // https://docs.aws.amazon.com/AmazonS3/latest/API/API_CreateBucket.html
    public Response createBucket() throws IOException {
        return request("PUT", null, Map.of(), Map.of(), null, SigV4Signer.EMPTY_SHA256, true, Progress.NONE);
    }

    // https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObject.html
    public Response putObject(String key, int variant, long size, Progress progress) throws IOException {
        return upload(key, Map.of(), variant, size, progress);
    }

    // https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html
    public Response getObject(String key, Progress progress) throws IOException {
        return request("GET", key, Map.of(), Map.of(), null, SigV4Signer.EMPTY_SHA256, false, progress);
    }

    // https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadObject.html
    public Response headObject(String key) throws IOException {
        return request("HEAD", key, Map.of(), Map.of(), null, SigV4Signer.EMPTY_SHA256, false, Progress.NONE);
    }

    // https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteObject.html
    public Response deleteObject(String key) throws IOException {
        return request("DELETE", key, Map.of(), Map.of(), null, SigV4Signer.EMPTY_SHA256, false, Progress.NONE);
    }

    // https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html
    public Response listObjectsV2(String prefix, String continuationToken, int maxKeys) throws IOException {
        Map<String, String> q = new LinkedHashMap<>();
        q.put("list-type", "2");
        q.put("prefix", prefix);
        q.put("max-keys", Integer.toString(maxKeys));
        if (continuationToken != null) {
            q.put("continuation-token", continuationToken);
        }
        return request("GET", null, q, Map.of(), null, SigV4Signer.EMPTY_SHA256, true, Progress.NONE);
    }

    // https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteObjects.html (Content-MD5 is required)
    public Response deleteObjects(List<String> keys) throws IOException {
        StringBuilder xml = new StringBuilder("<Delete><Quiet>true</Quiet>");
        for (String k : keys) {
            xml.append("<Object><Key>").append(Xml.escape(k)).append("</Key></Object>");
        }
        byte[] body = xml.append("</Delete>").toString().getBytes(StandardCharsets.UTF_8);
        Map<String, String> h = new TreeMap<>();
        h.put("content-md5", Base64.getEncoder().encodeToString(md5(body)));
        return request("POST", null, Map.of("delete", ""), h, bytes(body), signer.hexSha256(body, 0, body.length),
                true, Progress.NONE);
    }

    // https://docs.aws.amazon.com/AmazonS3/latest/API/API_CreateMultipartUpload.html
    public Response createMultipartUpload(String key) throws IOException {
        return request("POST", key, Map.of("uploads", ""), Map.of(), null, SigV4Signer.EMPTY_SHA256, true,
                Progress.NONE);
    }

    // https://docs.aws.amazon.com/AmazonS3/latest/API/API_UploadPart.html
    public Response uploadPart(String key, String uploadId, int partNumber, int variant, long size,
                               Progress progress) throws IOException {
        Map<String, String> q = new LinkedHashMap<>();
        q.put("partNumber", Integer.toString(partNumber));
        q.put("uploadId", uploadId);
        return upload(key, q, variant, size, progress);
    }

    // https://docs.aws.amazon.com/AmazonS3/latest/API/API_CompleteMultipartUpload.html
    public Response completeMultipartUpload(String key, String uploadId, List<String> etags) throws IOException {
        StringBuilder xml = new StringBuilder("<CompleteMultipartUpload>");
        for (int i = 0; i < etags.size(); i++) {
            xml.append("<Part><PartNumber>").append(i + 1).append("</PartNumber><ETag>")
                    .append(Xml.escape(etags.get(i))).append("</ETag></Part>");
        }
        byte[] body = xml.append("</CompleteMultipartUpload>").toString().getBytes(StandardCharsets.UTF_8);
        return request("POST", key, Map.of("uploadId", uploadId), Map.of(), bytes(body),
                signer.hexSha256(body, 0, body.length), true, Progress.NONE);
    }

    // https://docs.aws.amazon.com/AmazonS3/latest/API/API_AbortMultipartUpload.html
    public Response abortMultipartUpload(String key, String uploadId) throws IOException {
        return request("DELETE", key, Map.of("uploadId", uploadId), Map.of(), null, SigV4Signer.EMPTY_SHA256, false,
                Progress.NONE);
    }

    private Response upload(String key, Map<String, String> query, int variant, long size, Progress progress)
            throws IOException {
        return switch (mode) {
            case UNSIGNED -> request("PUT", key, query, Map.of(), payload.body(variant, size),
                    SigV4Signer.UNSIGNED_PAYLOAD, false, progress);
            case SIGNED -> request("PUT", key, query, Map.of(), payload.body(variant, size),
                    payload.sha256Hex(variant, size, signer), false, progress);
            case STREAMING -> streaming(key, query, variant, size, progress);
        };
    }

    private Response streaming(String key, Map<String, String> query, int variant, long size, Progress progress)
            throws IOException {
        Map<String, String> h = new TreeMap<>();
        h.put("content-encoding", "aws-chunked");
        h.put("x-amz-decoded-content-length", Long.toString(size));
        String path = SigV4Signer.encodePath(bucket, key);
        SigV4Signer.Signed signed = signer.sign("PUT", endpoint.hostHeader(), path, query, h,
                SigV4Signer.STREAMING_PAYLOAD, Instant.now());
        ChunkedBody body = new ChunkedBody(signed, variant, size);
        return send("PUT", path, query, h, signed, SigV4Signer.STREAMING_PAYLOAD, body, false, progress);
    }

    private Response request(String method, String key, Map<String, String> query, Map<String, String> headers,
                             Body body, String payloadHash, boolean keepBody, Progress progress) throws IOException {
        String path = SigV4Signer.encodePath(bucket, key);
        SigV4Signer.Signed signed = signer.sign(method, endpoint.hostHeader(), path, query, headers, payloadHash,
                Instant.now());
        return send(method, path, query, headers, signed, payloadHash, body, keepBody, progress);
    }

    private Response send(String method, String path, Map<String, String> query, Map<String, String> headers,
                          SigV4Signer.Signed signed, String payloadHash, Body body, boolean keepBody,
                          Progress progress) throws IOException {
        List<String> lines = new ArrayList<>(headers.size() + 3);
        for (Map.Entry<String, String> e : headers.entrySet()) {
            lines.add(e.getKey() + ": " + e.getValue());
        }
        lines.add("x-amz-date: " + signed.amzDate());
        lines.add("x-amz-content-sha256: " + payloadHash);
        lines.add("Authorization: " + signed.authorization());
        String target = query.isEmpty() ? path : path + "?" + SigV4Signer.queryString(query);
        return conn.send(method, target, endpoint.hostHeader(), lines, body, keepBody, progress);
    }

    /** Aborts an in-flight request from another thread. */
    public void abort() {
        conn.shutdown();
    }

    @Override
    public void close() {
        conn.shutdown();
    }

    private static Body bytes(byte[] b) {
        return new Body() {
            @Override
            public long length() {
                return b.length;
            }

            @Override
            public void writeTo(OutputStream out, Progress progress) throws IOException {
                out.write(b);
            }
        };
    }

    private static byte[] md5(byte[] b) {
        try {
            return MessageDigest.getInstance("MD5").digest(b);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** An {@code aws-chunked} body whose every chunk is signed, chained from the request's seed signature. */
    private final class ChunkedBody implements Body {
        private final SigV4Signer.Signed signed;
        private final int variant;
        private final long size;

        ChunkedBody(SigV4Signer.Signed signed, int variant, long size) {
            this.signed = signed;
            this.variant = variant;
            this.size = size;
        }

        @Override
        public long length() {
            long full = size / chunkSize;
            long rest = size % chunkSize;
            long total = full * frame(chunkSize) + frame(0);
            return rest > 0 ? total + frame(rest) : total;
        }

        private static long frame(long data) {
            // hex(size) ";chunk-signature=" 64 hex CRLF data CRLF
            return Long.toHexString(data).length() + 17 + 64 + 2 + data + 2;
        }

        @Override
        public void writeTo(OutputStream out, Progress progress) throws IOException {
            byte[] chunk = new byte[(int) Math.min(chunkSize, Math.max(size, 1))];
            String previous = signed.seedSignature();
            long at = 0;
            while (at < size) {
                int n = (int) Math.min(chunkSize, size - at);
                payload.copy(variant, at, chunk, n);
                previous = writeChunk(out, previous, chunk, n);
                progress.add(n);
                at += n;
            }
            writeChunk(out, previous, chunk, 0);
        }

        private String writeChunk(OutputStream out, String previous, byte[] chunk, int n) throws IOException {
            String signature = signer.chunkSignature(signed, previous, chunk, 0, n);
            out.write((Integer.toHexString(n) + ";chunk-signature=" + signature + "\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.write(chunk, 0, n);
            out.write('\r');
            out.write('\n');
            return signature;
        }
    }
}
