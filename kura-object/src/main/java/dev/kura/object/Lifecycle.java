package dev.kura.object;

import dev.kura.index.ObjectRecord;
import dev.kura.s3.S3ErrorCode;
import dev.kura.s3.S3Exception;
import dev.kura.s3.xml.XmlElement;
import dev.kura.s3.xml.XmlWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * A bucket's lifecycle configuration
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketLifecycleConfiguration.html),
 * validated as S3 validates it, and the decisions the lifecycle worker and the
 * {@code x-amz-expiration} header take from it. Transitions are refused (Kura has one storage class).
 */
public record Lifecycle(List<Rule> rules) {
    public static final int MAX_RULES = 1000;
    private static final int MAX_ID = 255;

    /** Which objects a rule applies to; sizes are -1 when not set. */
    public record Filter(String prefix, Map<String, String> tags, long sizeGreaterThan, long sizeLessThan) {
        public Filter {
            prefix = prefix == null ? "" : prefix;
            tags = Map.copyOf(tags);
        }

        public boolean matches(String key, Map<String, String> objectTags, long size) {
            if (!key.startsWith(prefix)) {
                return false;
            }
            for (var t : tags.entrySet()) {
                if (!t.getValue().equals(objectTags.get(t.getKey()))) {
                    return false;
                }
            }
            return (sizeGreaterThan < 0 || size > sizeGreaterThan) && (sizeLessThan < 0 || size < sizeLessThan);
        }

        boolean hasTags() {
            return !tags.isEmpty();
        }
    }

    /**
     * One rule. Null (or 0 for counts) when an action is absent: {@code expirationDays} or
     * {@code expirationDate} expire current versions; {@code expiredObjectDeleteMarker} removes a delete
     * marker that is a key's only version; {@code noncurrentDays} expires noncurrent versions (keeping
     * the {@code newerNoncurrentVersions} newest of them); {@code abortIncompleteDays} aborts uploads.
     */
    public record Rule(String id, boolean enabled, Filter filter, Integer expirationDays, LocalDate expirationDate,
                       boolean expiredObjectDeleteMarker, Integer noncurrentDays, int newerNoncurrentVersions,
                       Integer abortIncompleteDays, boolean legacyPrefix) {
    }

    /** Parses and validates a LifecycleConfiguration document, with S3's error for each mistake. */
    public static Lifecycle parse(XmlElement root) {
        if (!root.name().equals("LifecycleConfiguration")) {
            throw malformed();
        }
        List<XmlElement> ruleElements = root.children("Rule");
        if (ruleElements.isEmpty() || ruleElements.size() > MAX_RULES) {
            throw malformed();
        }
        List<Rule> rules = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        for (XmlElement r : ruleElements) {
            Rule rule = rule(r);
            if (!ids.add(rule.id())) {
                throw invalid("Rule ID must be unique. Found same ID for more than one rule");
            }
            rules.add(rule);
        }
        return new Lifecycle(List.copyOf(rules));
    }

    private static Rule rule(XmlElement r) {
        String id = text(r, "ID");
        if (id == null || id.isEmpty()) {
            id = UUID.randomUUID().toString(); // as S3: a rule without an ID gets one
        } else if (id.length() > MAX_ID) {
            throw invalid("ID length should not exceed allowed limit of " + MAX_ID);
        }
        String status = text(r, "Status");
        if (!"Enabled".equals(status) && !"Disabled".equals(status)) {
            throw malformed();
        }
        if (r.child("Transition") != null || r.child("NoncurrentVersionTransition") != null) {
            throw new S3Exception(S3ErrorCode.NotImplemented,
                    "Transition actions are not supported: Kura has one storage class (STANDARD)")
                    .with("Action", "Transition");
        }
        String legacy = r.child("Prefix") == null ? null : nullToEmpty(text(r, "Prefix"));
        XmlElement filterElement = r.child("Filter");
        if (legacy != null && filterElement != null) {
            throw malformed();
        }
        Filter filter = filterElement != null ? filter(filterElement)
                : new Filter(legacy == null ? "" : legacy, Map.of(), -1, -1);

        Integer days = null;
        LocalDate date = null;
        boolean expiredMarker = false;
        XmlElement expiration = r.child("Expiration");
        if (expiration != null) {
            String d = text(expiration, "Days");
            String dt = text(expiration, "Date");
            String marker = text(expiration, "ExpiredObjectDeleteMarker");
            int given = (d != null ? 1 : 0) + (dt != null ? 1 : 0) + (marker != null ? 1 : 0);
            if (given != 1) {
                throw malformed();
            }
            if (d != null) {
                days = positive(d, "'Days' for Expiration action must be a positive integer");
            } else if (dt != null) {
                date = date(dt);
            } else if ("true".equals(marker)) {
                expiredMarker = true;
            } else if (!"false".equals(marker)) {
                throw malformed();
            }
            if (expiredMarker && filter.hasTags()) {
                throw invalid("ExpiredObjectDeleteMarker cannot be specified with object tags");
            }
        }
        Integer noncurrentDays = null;
        int newer = 0;
        XmlElement noncurrent = r.child("NoncurrentVersionExpiration");
        if (noncurrent != null) {
            String nd = text(noncurrent, "NoncurrentDays");
            if (nd == null) {
                throw malformed();
            }
            noncurrentDays = positive(nd, "'NoncurrentDays' for NoncurrentVersionExpiration action must be a positive integer");
            String nv = text(noncurrent, "NewerNoncurrentVersions");
            if (nv != null) {
                newer = positive(nv, "'NewerNoncurrentVersions' must be a positive integer");
            }
        }
        Integer abort = null;
        XmlElement abortElement = r.child("AbortIncompleteMultipartUpload");
        if (abortElement != null) {
            String a = text(abortElement, "DaysAfterInitiation");
            if (a == null) {
                throw malformed();
            }
            abort = positive(a, "'DaysAfterInitiation' for AbortIncompleteMultipartUpload action must be a positive integer");
            if (filter.hasTags()) {
                throw new S3Exception(S3ErrorCode.InvalidRequest,
                        "AbortIncompleteMultipartUpload cannot be specified with Tags.");
            }
        }
        if (expiration == null && noncurrent == null && abortElement == null) {
            throw new S3Exception(S3ErrorCode.InvalidRequest, "At least one action needs to be specified in a rule");
        }
        return new Rule(id, "Enabled".equals(status), filter, days, date, expiredMarker, noncurrentDays, newer, abort,
                legacy != null);
    }

    private static Filter filter(XmlElement f) {
        XmlElement and = f.child("And");
        XmlElement scope = and != null ? and : f;
        int parts = (f.child("Prefix") != null ? 1 : 0) + f.children("Tag").size()
                + (f.child("ObjectSizeGreaterThan") != null ? 1 : 0) + (f.child("ObjectSizeLessThan") != null ? 1 : 0);
        if (and != null && parts > 0 || parts > 1) {
            throw malformed(); // one condition, or several inside <And>
        }
        Map<String, String> tags = new LinkedHashMap<>();
        for (XmlElement t : scope.children("Tag")) {
            String k = text(t, "Key");
            String v = text(t, "Value");
            if (k == null || v == null || tags.put(k, v) != null) {
                throw k == null || v == null ? malformed() : invalid("Duplicate Tag Keys are not allowed.");
            }
        }
        long gt = size(text(scope, "ObjectSizeGreaterThan"));
        long lt = size(text(scope, "ObjectSizeLessThan"));
        if (gt >= 0 && lt >= 0 && lt <= gt) {
            throw invalid("ObjectSizeLessThan must be greater than ObjectSizeGreaterThan");
        }
        return new Filter(nullToEmpty(text(scope, "Prefix")), tags, gt, lt);
    }

    /** The configuration as GetBucketLifecycleConfiguration answers it. */
    public XmlWriter toXml() {
        XmlWriter doc = XmlWriter.document("LifecycleConfiguration");
        for (Rule r : rules) {
            doc.start("Rule").element("ID", r.id());
            if (r.legacyPrefix()) {
                doc.element("Prefix", r.filter().prefix());
            } else {
                doc.start("Filter");
                Filter f = r.filter();
                int parts = (f.prefix().isEmpty() ? 0 : 1) + f.tags().size() + (f.sizeGreaterThan() >= 0 ? 1 : 0)
                        + (f.sizeLessThan() >= 0 ? 1 : 0);
                if (parts > 1) {
                    doc.start("And");
                }
                if (!f.prefix().isEmpty()) {
                    doc.element("Prefix", f.prefix());
                }
                f.tags().forEach((k, v) -> doc.start("Tag").element("Key", k).element("Value", v).end());
                if (f.sizeGreaterThan() >= 0) {
                    doc.element("ObjectSizeGreaterThan", f.sizeGreaterThan());
                }
                if (f.sizeLessThan() >= 0) {
                    doc.element("ObjectSizeLessThan", f.sizeLessThan());
                }
                if (parts > 1) {
                    doc.end();
                }
                doc.end();
            }
            doc.element("Status", r.enabled() ? "Enabled" : "Disabled");
            if (r.expirationDays() != null) {
                doc.start("Expiration").element("Days", r.expirationDays()).end();
            } else if (r.expirationDate() != null) {
                doc.start("Expiration").element("Date", r.expirationDate() + "T00:00:00.000Z").end();
            } else if (r.expiredObjectDeleteMarker()) {
                doc.start("Expiration").element("ExpiredObjectDeleteMarker", true).end();
            }
            if (r.noncurrentDays() != null) {
                doc.start("NoncurrentVersionExpiration").element("NoncurrentDays", r.noncurrentDays());
                if (r.newerNoncurrentVersions() > 0) {
                    doc.element("NewerNoncurrentVersions", r.newerNoncurrentVersions());
                }
                doc.end();
            }
            if (r.abortIncompleteDays() != null) {
                doc.start("AbortIncompleteMultipartUpload").element("DaysAfterInitiation", r.abortIncompleteDays()).end();
            }
            doc.end();
        }
        return doc;
    }

    /** When a current version expires under its first matching enabled rule, and which rule; null when none applies. */
    public record Expiry(Instant at, String ruleId) {
    }

    /**
     * The expiry of a current version: for Days, its creation plus that many days, rounded up to the
     * next midnight UTC (S3's rule) — or, with a test {@code day} shorter than a day, plus that many
     * such days, unrounded; for Date, that midnight. The earliest over the matching enabled rules.
     */
    public Expiry expiry(ObjectRecord r, Duration day) {
        Expiry best = null;
        for (Rule rule : rules) {
            if (!rule.enabled() || !rule.filter().matches(r.key(), r.tags(), r.size())) {
                continue;
            }
            Instant at = null;
            if (rule.expirationDays() != null) {
                at = after(r.lastModified(), rule.expirationDays(), day);
            } else if (rule.expirationDate() != null) {
                at = rule.expirationDate().atStartOfDay(ZoneOffset.UTC).toInstant();
            }
            if (at != null && (best == null || at.isBefore(best.at()))) {
                best = new Expiry(at, rule.id());
            }
        }
        return best;
    }

    /** {@code from} plus {@code days} days of length {@code day}; real days round up to midnight UTC. */
    static Instant after(Instant from, int days, Duration day) {
        if (!day.equals(Duration.ofDays(1))) {
            return from.plus(day.multipliedBy(days));
        }
        LocalDate date = from.atZone(ZoneOffset.UTC).toLocalDate().plusDays(days);
        Instant midnight = date.atStartOfDay(ZoneOffset.UTC).toInstant();
        return midnight.isBefore(from.plus(Duration.ofDays(days))) ? midnight.plus(Duration.ofDays(1)) : midnight;
    }

    private static LocalDate date(String text) {
        String t = text.trim();
        try {
            if (t.length() == 10) {
                return LocalDate.parse(t);
            }
            Instant at = java.time.OffsetDateTime.parse(t).toInstant();
            LocalDate d = at.atZone(ZoneOffset.UTC).toLocalDate();
            if (!d.atStartOfDay(ZoneOffset.UTC).toInstant().equals(at)) {
                throw invalid("'Date' must be at midnight GMT");
            }
            return d;
        } catch (DateTimeParseException e) {
            throw invalid("Invalid date: " + text);
        }
    }

    private static int positive(String text, String message) {
        try {
            int n = Integer.parseInt(text.trim());
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            throw malformed();
        }
        throw invalid(message);
    }

    private static long size(String text) {
        if (text == null) {
            return -1;
        }
        try {
            long n = Long.parseLong(text.trim());
            if (n < 0) {
                throw invalid("Object size must be a non-negative number");
            }
            return n;
        } catch (NumberFormatException e) {
            throw malformed();
        }
    }

    private static String text(XmlElement e, String child) {
        String t = e.childText(child);
        return t == null ? null : t.trim();
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }

    private static S3Exception malformed() {
        return new S3Exception(S3ErrorCode.MalformedXML);
    }

    private static S3Exception invalid(String message) {
        return new S3Exception(S3ErrorCode.InvalidArgument, message);
    }
}
