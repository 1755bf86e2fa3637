package dev.kura.s3.auth;

import java.util.Optional;

/**
 * The {@code Credential} of a SigV4 request: {@code AKID/yyyyMMdd/region/service/aws4_request}.
 * Only the shape is checked here; the authenticator checks the values against the server.
 */
record Credential(String accessKeyId, String date, String region, String service, String terminator) {

    static Optional<Credential> parse(String s) {
        if (s == null) {
            return Optional.empty();
        }
        String[] p = s.split("/", -1);
        if (p.length != 5) {
            return Optional.empty();
        }
        for (String part : p) {
            if (part.isEmpty()) {
                return Optional.empty();
            }
        }
        if (!AmzTime.isScopeDate(p[1])) {
            return Optional.empty();
        }
        return Optional.of(new Credential(p[0], p[1], p[2], p[3], p[4]));
    }

    /** The credential scope that goes into every string to sign. */
    String scope() {
        return date + "/" + region + "/" + service + "/" + terminator;
    }
}
