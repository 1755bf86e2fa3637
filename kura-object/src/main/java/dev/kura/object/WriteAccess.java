package dev.kura.object;

/**
 * Who owns a version a write creates and its access control list (encoded by the front end; null:
 * private to the owner). The front end decides both from the writer, the bucket's Object Ownership
 * and the request's ACL headers.
 */
public record WriteAccess(String owner, String acl) {
    public WriteAccess {
        java.util.Objects.requireNonNull(owner, "owner");
    }
}
