package dev.kura.s3.access;

import dev.kura.s3.S3ErrorCode;
import dev.kura.s3.S3Exception;
import dev.kura.s3.xml.XmlElement;
import dev.kura.s3.xml.XmlWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * An access control list: the grants of a bucket or an object version. The owner is not part of it
 * (it is the bucket's or the version's owner); a resource without a stored ACL has
 * {@link #privateTo} its owner. Stored as {@link #encode()}: one line per grant,
 * {@code PERMISSION TYPE GRANTEE}.
 */
public record Acl(List<Grant> grants) {
    /** At most this many grants, as S3 (100). */
    public static final int MAX_GRANTS = 100;

    public static final List<String> CANNED = List.of("private", "public-read", "public-read-write", "authenticated-read",
            "aws-exec-read", "bucket-owner-read", "bucket-owner-full-control", "log-delivery-write");

    private static final Map<String, Permission> GRANT_HEADERS = Map.of(
            "x-amz-grant-read", Permission.READ, "x-amz-grant-write", Permission.WRITE,
            "x-amz-grant-read-acp", Permission.READ_ACP, "x-amz-grant-write-acp", Permission.WRITE_ACP,
            "x-amz-grant-full-control", Permission.FULL_CONTROL);

    public Acl {
        grants = List.copyOf(grants);
    }

    public static Acl privateTo(String owner) {
        return new Acl(List.of(Grant.user(owner, Permission.FULL_CONTROL)));
    }

    /** The stored ACL, or private to the owner when none is stored. */
    public static Acl storedOrPrivate(String encoded, String owner) {
        return encoded == null ? privateTo(owner) : decode(encoded);
    }

    /**
     * A canned ACL (x-amz-acl) for a resource of {@code owner} in a bucket of {@code bucketOwner}.
     *
     * @throws S3Exception InvalidArgument for an unknown name
     */
    public static Acl canned(String name, String owner, String bucketOwner) {
        List<Grant> g = new ArrayList<>();
        switch (name) {
            case "private", "aws-exec-read" -> { }
            case "public-read" -> g.add(Grant.group(Grant.ALL_USERS, Permission.READ));
            case "public-read-write" -> {
                g.add(Grant.group(Grant.ALL_USERS, Permission.READ));
                g.add(Grant.group(Grant.ALL_USERS, Permission.WRITE));
            }
            case "authenticated-read" -> g.add(Grant.group(Grant.AUTHENTICATED_USERS, Permission.READ));
            case "log-delivery-write" -> {
                g.add(Grant.group(Grant.LOG_DELIVERY, Permission.WRITE));
                g.add(Grant.group(Grant.LOG_DELIVERY, Permission.READ_ACP));
            }
            case "bucket-owner-read", "bucket-owner-full-control" -> { }
            default -> throw new S3Exception(S3ErrorCode.InvalidArgument).with("ArgumentName", "x-amz-acl")
                    .with("ArgumentValue", name);
        }
        g.add(Grant.user(owner, Permission.FULL_CONTROL));
        if (bucketOwner != null && !bucketOwner.equals(owner)) {
            if (name.equals("bucket-owner-read")) {
                g.add(Grant.user(bucketOwner, Permission.READ));
            } else if (name.equals("bucket-owner-full-control")) {
                g.add(Grant.user(bucketOwner, Permission.FULL_CONTROL));
            }
        }
        return new Acl(g);
    }

    /**
     * The ACL a request asks for in its headers — {@code x-amz-acl} or the {@code x-amz-grant-*}
     * headers (not both) — or empty when it names none.
     *
     * @param header   the request's header by lower-case name
     * @param users    display name by canonical id, empty for an unknown id
     */
    public static Optional<Acl> fromHeaders(Function<String, String> header, String owner, String bucketOwner,
                                            Function<String, Optional<String>> users) {
        String canned = header.apply("x-amz-acl");
        List<Grant> grants = new ArrayList<>();
        for (Map.Entry<String, Permission> h : GRANT_HEADERS.entrySet()) {
            String value = header.apply(h.getKey());
            if (value != null) {
                for (String item : value.split(",")) {
                    grants.add(parseHeaderGrantee(item.trim(), h.getValue(), users));
                }
            }
        }
        if (canned != null && !grants.isEmpty()) {
            throw new S3Exception(S3ErrorCode.InvalidRequest, "Specifying both Canned ACLs and Header Grants is not allowed");
        }
        if (canned != null) {
            return Optional.of(canned(canned.trim(), owner, bucketOwner));
        }
        if (grants.isEmpty()) {
            return Optional.empty();
        }
        grants.sort(java.util.Comparator.comparing(Grant::permission));
        return Optional.of(new Acl(grants));
    }

    private static Grant parseHeaderGrantee(String item, Permission permission, Function<String, Optional<String>> users) {
        int eq = item.indexOf('=');
        if (eq < 0) {
            throw new S3Exception(S3ErrorCode.InvalidArgument, "Invalid grantee: " + item);
        }
        String kind = item.substring(0, eq).trim().toLowerCase(Locale.ROOT);
        String value = item.substring(eq + 1).trim();
        if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
            value = value.substring(1, value.length() - 1);
        }
        return switch (kind) {
            case "id" -> userGrant(value, permission, users);
            case "uri" -> groupGrant(value, permission);
            case "emailaddress" -> throw new S3Exception(S3ErrorCode.UnresolvableGrantByEmailAddress);
            default -> throw new S3Exception(S3ErrorCode.InvalidArgument, "Invalid grantee type: " + kind);
        };
    }

    private static Grant userGrant(String id, Permission permission, Function<String, Optional<String>> users) {
        if (id == null || users.apply(id).isEmpty()) {
            throw new S3Exception(S3ErrorCode.InvalidArgument, "Invalid id").with("ArgumentName", "CanonicalUser/ID")
                    .with("ArgumentValue", String.valueOf(id));
        }
        return Grant.user(id, permission);
    }

    private static Grant groupGrant(String uri, Permission permission) {
        if (!Grant.ALL_USERS.equals(uri) && !Grant.AUTHENTICATED_USERS.equals(uri) && !Grant.LOG_DELIVERY.equals(uri)) {
            throw new S3Exception(S3ErrorCode.InvalidArgument, "Invalid group uri").with("ArgumentName", "Group/URI")
                    .with("ArgumentValue", String.valueOf(uri));
        }
        return Grant.group(uri, permission);
    }

    /**
     * An AccessControlPolicy document (PutBucketAcl / PutObjectAcl body).
     *
     * @throws S3Exception MalformedACLError for a wrong shape, InvalidArgument for an unknown user or
     *                     group, UnresolvableGrantByEmailAddress for an e-mail grantee
     */
    public static Acl fromXml(XmlElement root, Function<String, Optional<String>> users) {
        if (!"AccessControlPolicy".equals(root.name())) {
            throw new S3Exception(S3ErrorCode.MalformedACLError);
        }
        XmlElement list = root.child("AccessControlList");
        List<Grant> grants = new ArrayList<>();
        if (list != null) {
            for (XmlElement g : list.children("Grant")) {
                XmlElement grantee = g.child("Grantee");
                String perm = g.childText("Permission");
                Permission permission;
                try {
                    permission = Permission.valueOf(perm == null ? "" : perm.trim());
                } catch (IllegalArgumentException e) {
                    throw new S3Exception(S3ErrorCode.MalformedACLError);
                }
                if (grantee == null) {
                    throw new S3Exception(S3ErrorCode.MalformedACLError);
                }
                if (grantee.childText("ID") != null) {
                    grants.add(userGrant(grantee.childText("ID").trim(), permission, users));
                } else if (grantee.childText("URI") != null) {
                    grants.add(groupGrant(grantee.childText("URI").trim(), permission));
                } else if (grantee.childText("EmailAddress") != null) {
                    throw new S3Exception(S3ErrorCode.UnresolvableGrantByEmailAddress);
                } else {
                    throw new S3Exception(S3ErrorCode.MalformedACLError);
                }
                if (grants.size() > MAX_GRANTS) {
                    throw new S3Exception(S3ErrorCode.MalformedACLError, "The ACL has more than " + MAX_GRANTS + " grants");
                }
            }
        }
        return new Acl(grants);
    }

    /**
     * The AccessControlPolicy document, display names looked up by canonical id; group grants are
     * listed before user grants (as Ceph RGW lists them; S3 documents no order).
     */
    public XmlWriter toXml(String owner, Function<String, Optional<String>> users) {
        XmlWriter doc = XmlWriter.document("AccessControlPolicy").start("Owner").element("ID", owner);
        users.apply(owner).ifPresent(name -> doc.element("DisplayName", name));
        doc.end().start("AccessControlList");
        List<Grant> ordered = new ArrayList<>(grants);
        ordered.sort(java.util.Comparator.comparing(g -> g.type() == Grant.Type.GROUP ? 0 : 1));
        for (Grant g : ordered) {
            doc.start("Grant");
            if (g.type() == Grant.Type.USER) {
                doc.startWithAttributes("Grantee", "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:type=\"CanonicalUser\"")
                        .element("ID", g.grantee());
                users.apply(g.grantee()).ifPresent(name -> doc.element("DisplayName", name));
            } else {
                doc.startWithAttributes("Grantee", "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:type=\"Group\"")
                        .element("URI", g.grantee());
            }
            doc.end().element("Permission", g.permission().name()).end();
        }
        return doc.end();
    }

    /** Whether some grant gives the principal {@code needed}; public grants count unless {@code ignorePublic}. */
    public Optional<Grant> grantFor(Principal p, Permission needed, boolean ignorePublic) {
        for (Grant g : grants) {
            if (g.permission().includes(needed) && g.covers(p) && !(ignorePublic && g.isPublic())) {
                return Optional.of(g);
            }
        }
        return Optional.empty();
    }

    public boolean isPublic() {
        return grants.stream().anyMatch(Grant::isPublic);
    }

    /** Whether anyone but {@code owner} is granted anything (ObjectOwnership BucketOwnerEnforced forbids that). */
    public boolean grantsOthersThan(String owner) {
        return grants.stream().anyMatch(g -> g.type() != Grant.Type.USER || !g.grantee().equals(owner));
    }

    public String encode() {
        StringBuilder sb = new StringBuilder();
        for (Grant g : grants) {
            sb.append(g.permission().name()).append(' ').append(g.type() == Grant.Type.USER ? "id" : "uri").append(' ')
                    .append(g.grantee()).append('\n');
        }
        return sb.toString();
    }

    public static Acl decode(String encoded) {
        List<Grant> grants = new ArrayList<>();
        for (String line : encoded.split("\n")) {
            if (line.isEmpty()) {
                continue;
            }
            String[] f = line.split(" ", 3);
            if (f.length != 3) {
                throw new IllegalArgumentException("bad stored ACL line: " + line);
            }
            grants.add(new Grant(f[1].equals("id") ? Grant.Type.USER : Grant.Type.GROUP, f[2], Permission.valueOf(f[0])));
        }
        return new Acl(grants);
    }
}
