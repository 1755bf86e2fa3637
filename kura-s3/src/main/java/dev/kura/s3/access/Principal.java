package dev.kura.s3.access;

/**
 * Who a request acts for after authentication: a user (its canonical id, display name, user name and
 * the access key that signed) or {@link #ANONYMOUS}.
 */
public record Principal(String canonicalId, String displayName, String userName, String accessKey) {
    public static final Principal ANONYMOUS = new Principal(null, null, null, null);

    public boolean isAnonymous() {
        return canonicalId == null;
    }

    /** For the access log and denial reasons: the user name, or "anonymous". */
    public String label() {
        return isAnonymous() ? "anonymous" : userName;
    }
}
