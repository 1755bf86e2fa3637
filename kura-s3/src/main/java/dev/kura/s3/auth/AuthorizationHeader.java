package dev.kura.s3.auth;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * A parsed {@code Authorization: AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...}
 * header, per "Authenticating Requests: Using the Authorization Header (AWS Signature Version 4)"
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-auth-using-authorization-header.html).
 * Clients differ in the whitespace around the commas ("a, b", "a,b", "a ,  b"): all are accepted.
 *
 * @param credential    the raw Credential value
 * @param signedHeaders the raw SignedHeaders value, as signed (used verbatim in the canonical request)
 * @param signature     the hex signature as sent
 */
record AuthorizationHeader(String credential, String signedHeaders, String signature) {

    /**
     * @throws dev.kura.s3.S3Exception InvalidRequest for SigV2 or another algorithm,
     *                                 AuthorizationHeaderMalformed for a malformed SigV4 header
     */
    static AuthorizationHeader parse(String value) {
        String s = value.strip();
        int sp = indexOfWhitespace(s);
        String algorithm = sp < 0 ? s : s.substring(0, sp);
        if (!algorithm.equals(CanonicalRequest.ALGORITHM)) {
            // "AWS AKID:sig" is SigV2; AWS4-ECDSA-P256-SHA256 is SigV4a.
            // S3-COMPAT: S3 still accepts SigV2 in some regions and SigV4a everywhere; Kura does not.
            if (s.isEmpty()) {
                throw AuthErrors.headerMissingComponents();
            }
            throw AuthErrors.unsupportedMechanism();
        }
        if (sp < 0) {
            throw AuthErrors.headerMissingComponents();
        }
        String credential = null;
        String signedHeaders = null;
        String signature = null;
        for (String part : s.substring(sp).split(",")) {
            String p = part.strip();
            if (p.isEmpty()) {
                continue;
            }
            int eq = p.indexOf('=');
            if (eq <= 0) {
                throw AuthErrors.headerMalformed("the authorization component \"" + p + "\" is malformed.");
            }
            String key = p.substring(0, eq).strip();
            String v = p.substring(eq + 1).strip();
            switch (key) {
                case "Credential" -> credential = once(credential, v, p);
                case "SignedHeaders" -> signedHeaders = once(signedHeaders, v, p);
                case "Signature" -> signature = once(signature, v, p);
                default -> throw AuthErrors.headerMalformed("the authorization component \"" + p + "\" is malformed.");
            }
        }
        if (credential == null || signedHeaders == null || signature == null || credential.isEmpty()
                || signature.isEmpty()) {
            throw AuthErrors.headerMissingComponents();
        }
        if (signedHeaderNames(signedHeaders) == null) {
            throw AuthErrors.headerMalformed("the SignedHeaders component \"" + signedHeaders + "\" is malformed.");
        }
        return new AuthorizationHeader(credential, signedHeaders, signature);
    }

    /** The lower-case names of a SignedHeaders value ("host;x-amz-date"), or null if malformed. */
    static List<String> signedHeaderNames(String signedHeaders) {
        if (signedHeaders == null || signedHeaders.isEmpty()) {
            return null;
        }
        String[] names = signedHeaders.split(";", -1);
        for (String n : names) {
            if (n.isEmpty() || indexOfWhitespace(n) >= 0) {
                return null;
            }
        }
        return Arrays.stream(names).map(n -> n.toLowerCase(Locale.ROOT)).toList();
    }

    private static String once(String previous, String value, String part) {
        if (previous != null) {
            throw AuthErrors.headerMalformed("the authorization component \"" + part + "\" is repeated.");
        }
        return value;
    }

    private static int indexOfWhitespace(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (Character.isWhitespace(s.charAt(i))) {
                return i;
            }
        }
        return -1;
    }
}
