package dev.kura.s3.access;

import java.util.Objects;

/**
 * One ACL entry: a grantee — a user by canonical id ({@link Type#USER}), a predefined group by URI
 * ({@link Type#GROUP}) — and the permission it gets.
 */
public record Grant(Type type, String grantee, Permission permission) {
    public enum Type { USER, GROUP }

    public static final String ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers";
    public static final String AUTHENTICATED_USERS = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers";
    public static final String LOG_DELIVERY = "http://acs.amazonaws.com/groups/s3/LogDelivery";

    public Grant {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(grantee, "grantee");
        Objects.requireNonNull(permission, "permission");
    }

    public static Grant user(String canonicalId, Permission permission) {
        return new Grant(Type.USER, canonicalId, permission);
    }

    public static Grant group(String uri, Permission permission) {
        return new Grant(Type.GROUP, uri, permission);
    }

    /** A grant to everyone or to every authenticated user: what Block Public Access calls public. */
    public boolean isPublic() {
        return type == Type.GROUP && (ALL_USERS.equals(grantee) || AUTHENTICATED_USERS.equals(grantee));
    }

    /** Whether this grant names the principal (directly or through a group it belongs to). */
    public boolean covers(Principal p) {
        return switch (type) {
            case USER -> !p.isAnonymous() && grantee.equals(p.canonicalId());
            case GROUP -> ALL_USERS.equals(grantee) || (AUTHENTICATED_USERS.equals(grantee) && !p.isAnonymous());
        };
    }
}
