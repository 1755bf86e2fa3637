package dev.kura.it;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Browser-style POST forms, built and signed here independently of the server's code, from the
 * AWS documentation ("Browser-Based Uploads Using POST (AWS Signature Version 4)", "Creating a POST
 * Policy"): SigV4 signs the base64 policy with the derived key (hex), SigV2 with HMAC-SHA1 (base64).
 */
final class PostForms {
    static final HttpClient HTTP = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    static final String BOUNDARY = "----KuraFormBoundaryQ1w2E3r4";

    private PostForms() {
    }

    /** The policy document: expiration plus the conditions (JSON snippets). */
    static String policy(Instant expiration, String... conditions) {
        String json = "{\"expiration\": \"" + DateTimeFormatter.ISO_INSTANT.format(expiration) + "\", \"conditions\": ["
                + String.join(", ", conditions) + "]}";
        return Base64.getEncoder().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }

    /** The SigV4 fields for a policy whose conditions name x-amz-algorithm, -credential and -date (see {@link #v4Conditions}). */
    static Map<String, String> v4Fields(String policy, String accessKey, String secret, Instant now) {
        String amzDate = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC).format(now);
        String date = amzDate.substring(0, 8);
        Map<String, String> f = new LinkedHashMap<>();
        f.put("x-amz-algorithm", "AWS4-HMAC-SHA256");
        f.put("x-amz-credential", accessKey + "/" + date + "/us-east-1/s3/aws4_request");
        f.put("x-amz-date", amzDate);
        f.put("policy", policy);
        byte[] key = hmac("HmacSHA256", ("AWS4" + secret).getBytes(StandardCharsets.UTF_8), date);
        key = hmac("HmacSHA256", key, "us-east-1");
        key = hmac("HmacSHA256", key, "s3");
        key = hmac("HmacSHA256", key, "aws4_request");
        f.put("x-amz-signature", HexFormat.of().formatHex(hmac("HmacSHA256", key, policy)));
        return f;
    }

    static String[] v4Conditions(String accessKey, Instant now) {
        String amzDate = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC).format(now);
        return new String[] {"{\"x-amz-algorithm\": \"AWS4-HMAC-SHA256\"}",
                "{\"x-amz-credential\": \"" + accessKey + "/" + amzDate.substring(0, 8) + "/us-east-1/s3/aws4_request\"}",
                "{\"x-amz-date\": \"" + amzDate + "\"}"};
    }

    /** The SigV2 fields (what ceph/s3-tests sends). */
    static Map<String, String> v2Fields(String policy, String accessKey, String secret) {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("AWSAccessKeyId", accessKey);
        f.put("policy", policy);
        f.put("signature", Base64.getEncoder().encodeToString(hmac("HmacSHA1", secret.getBytes(StandardCharsets.UTF_8), policy)));
        return f;
    }

    /** multipart/form-data: the fields in order, then the file part. */
    static byte[] body(Map<String, String> fields, String filename, byte[] file) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        fields.forEach((name, value) -> out.writeBytes(("--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\""
                + name + "\"\r\n\r\n" + value + "\r\n").getBytes(StandardCharsets.UTF_8)));
        out.writeBytes(("--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + filename
                + "\"\r\nContent-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        out.writeBytes(file);
        out.writeBytes(("\r\n--" + BOUNDARY + "--\r\n").getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    static HttpResponse<String> post(URI bucketUrl, Map<String, String> fields, String filename, byte[] file) throws Exception {
        return post(bucketUrl, "multipart/form-data; boundary=" + BOUNDARY, body(fields, filename, file), Map.of());
    }

    static HttpResponse<String> post(URI url, String contentType, byte[] body, Map<String, String> headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(url).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        headers.forEach(b::header);
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static byte[] hmac(String algorithm, byte[] key, String data) {
        try {
            Mac mac = Mac.getInstance(algorithm);
            mac.init(new SecretKeySpec(key, algorithm));
            return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
