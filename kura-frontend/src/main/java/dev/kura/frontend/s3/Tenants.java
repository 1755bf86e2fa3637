package dev.kura.frontend.s3;

import dev.kura.s3.http.RequestHead;

/**
 * The tenant of a request for fair admission: the access key it claims to be signed with (SigV4 or
 * SigV2, header or presigned query), read from the head without checking the signature — admission
 * runs before authentication and must be cheap. Anonymous requests are one tenant. A client that
 * claims keys it does not hold only spreads its own requests over more queues, which the waiting
 * room's total bound still caps.
 */
final class Tenants {
    static final String ANONYMOUS = "";
    private static final int MAX_KEY = 128;

    private Tenants() {
    }

    static String of(RequestHead head) {
        String auth = head.header("authorization");
        if (auth != null) {
            int at = auth.indexOf("Credential=");
            if (at >= 0) {
                return until(auth, at + "Credential=".length(), '/');
            }
            if (auth.startsWith("AWS ")) {
                return until(auth, 4, ':');
            }
            return ANONYMOUS;
        }
        String credential;
        String v2;
        try {
            credential = head.queryParam("X-Amz-Credential");
            v2 = head.queryParam("AWSAccessKeyId");
        } catch (IllegalArgumentException e) {
            return ANONYMOUS; // a malformed query: the router answers InvalidURI
        }
        if (credential != null) {
            return until(credential, 0, '/');
        }
        return v2 == null ? ANONYMOUS : bounded(v2);
    }

    private static String until(String s, int from, char end) {
        int stop = s.indexOf(end, from);
        return bounded(stop < 0 ? s.substring(from) : s.substring(from, stop));
    }

    private static String bounded(String key) {
        return key.length() > MAX_KEY ? key.substring(0, MAX_KEY) : key;
    }
}
