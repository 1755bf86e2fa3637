package dev.kura.s3.auth;

import dev.kura.s3.S3ErrorCode;
import dev.kura.s3.S3Exception;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

/**
 * The signature of a browser-based upload
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-authentication-HTTPPOST.html): the
 * string to sign is the base64 policy field itself. SigV4 signs it with the derived signing key of
 * {@code x-amz-credential} (hex); SigV2 — which S3 still accepts for POST and which ceph/s3-tests
 * uses — with HMAC-SHA1 of the secret key (base64).
 */
final class PostFormAuth {
    private PostFormAuth() {
    }

    static AuthContext authenticate(Map<String, String> fields, SigV4Authenticator auth) {
        boolean v4 = fields.containsKey("x-amz-algorithm") || fields.containsKey("x-amz-credential")
                || fields.containsKey("x-amz-signature");
        if (v4) {
            return v4(fields, auth);
        }
        if (fields.containsKey("awsaccesskeyid") || fields.containsKey("signature")) {
            return v2(fields, auth);
        }
        if (fields.containsKey("policy")) {
            throw missing("AWSAccessKeyId");
        }
        return AuthContext.anonymous();
    }

    private static AuthContext v4(Map<String, String> fields, SigV4Authenticator auth) {
        String algorithm = required(fields, "x-amz-algorithm");
        String credentialField = required(fields, "x-amz-credential");
        String date = required(fields, "x-amz-date");
        String signature = required(fields, "x-amz-signature");
        String policy = required(fields, "policy");
        if (!algorithm.equals(CanonicalRequest.ALGORITHM)) {
            throw new S3Exception(S3ErrorCode.InvalidArgument, "Invalid algorithm: only AWS4-HMAC-SHA256 is supported")
                    .with("ArgumentName", "x-amz-algorithm").with("ArgumentValue", algorithm);
        }
        Credential credential = Credential.parse(credentialField).orElseThrow(() ->
                new S3Exception(S3ErrorCode.InvalidArgument, "Invalid credential: expecting "
                        + "\"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request\"")
                        .with("ArgumentName", "x-amz-credential").with("ArgumentValue", credentialField));
        auth.checkPostScope(credential);
        if (AmzTime.parseAmzDate(date).isEmpty() || !date.startsWith(credential.date())) {
            throw new S3Exception(S3ErrorCode.InvalidArgument, "x-amz-date must be in the ISO8601 Long Format "
                    + "\"yyyyMMdd'T'HHmmss'Z'\" and on the credential's date")
                    .with("ArgumentName", "x-amz-date").with("ArgumentValue", date);
        }
        String secret = auth.postSecret(credential);
        SigningKey key = new SigningKey(auth.postSigningKey(credential, secret), date, credential.scope(), signature);
        if (!Crypto.sameSignature(key.sign(policy), signature.toLowerCase(java.util.Locale.ROOT))) {
            throw mismatch(credential.accessKeyId(), policy, signature);
        }
        return new AuthContext(credential.accessKeyId(), PayloadMode.UNSIGNED, null, key);
    }

    private static AuthContext v2(Map<String, String> fields, SigV4Authenticator auth) {
        String accessKeyId = required(fields, "awsaccesskeyid");
        String signature = required(fields, "signature");
        String policy = required(fields, "policy");
        String secret = auth.postSecret(accessKeyId);
        String expected = Base64.getEncoder().encodeToString(
                Crypto.hmacSha1(secret.getBytes(StandardCharsets.UTF_8), policy));
        if (!Crypto.sameSignature(expected, signature)) {
            throw mismatch(accessKeyId, policy, signature);
        }
        return new AuthContext(accessKeyId, PayloadMode.UNSIGNED, null, null);
    }

    private static S3Exception mismatch(String accessKeyId, String policy, String signature) {
        return new S3Exception(S3ErrorCode.SignatureDoesNotMatch).with("AWSAccessKeyId", accessKeyId)
                .with("StringToSign", policy).with("SignatureProvided", signature);
    }

    private static String required(Map<String, String> fields, String name) {
        String v = fields.get(name);
        if (v == null || v.isEmpty()) {
            throw missing(name.equals("awsaccesskeyid") ? "AWSAccessKeyId" : name.equals("signature") ? "Signature" : name);
        }
        return v;
    }

    /** S3's words for a form without a field it needs. */
    static S3Exception missing(String field) {
        return new S3Exception(S3ErrorCode.InvalidArgument, "Bucket POST must contain a field named '" + field
                + "'.  If it is specified, please check the order of the fields.")
                .with("ArgumentName", field).with("ArgumentValue", "");
    }
}
