package dev.kura.s3.access;

/** ACL permissions, as S3 names them. FULL_CONTROL implies the other four. */
public enum Permission {
    READ, WRITE, READ_ACP, WRITE_ACP, FULL_CONTROL;

    /** Whether a grant of this permission includes {@code needed}. */
    public boolean includes(Permission needed) {
        return this == needed || this == FULL_CONTROL;
    }
}
