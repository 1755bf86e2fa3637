package dev.kura.frontend.s3;

import dev.kura.common.ChecksumAlgorithm;
import dev.kura.frontend.http.Exchange;
import dev.kura.index.BucketRecord;
import dev.kura.index.ObjectRecord;
import dev.kura.object.ObjectService;
import dev.kura.s3.S3ErrorCode;
import dev.kura.s3.S3Exception;
import dev.kura.s3.http.RequestHead;
import dev.kura.s3.op.S3Operation;
import dev.kura.s3.xml.XmlElement;
import dev.kura.s3.xml.XmlParser;
import dev.kura.s3.xml.XmlWriter;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Map;

/**
 * Protection settings — Object Lock (https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-lock.html):
 * the bucket's configuration, a version's retention and legal hold, and the {@code x-amz-object-lock-*}
 * headers of writes and reads; and the bucket lifecycle configuration with its {@code x-amz-expiration}
 * header. What may change is decided in the index ({@code PutObjectRetention}, {@code DeleteVersion});
 * this class parses and answers.
 */
final class ProtectionApi {
    /** A lifecycle configuration of 1,000 rules fits; the lock documents are far smaller. */
    private static final int MAX_LIFECYCLE_BODY = 1024 * 1024;
    private final ObjectService objects;

    ProtectionApi(ObjectService objects) {
        this.objects = objects;
    }

    // https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObjectLockConfiguration.html
    void getConfiguration(S3Operation.GetObjectLockConfiguration op, Exchange ex) throws IOException {
        BucketRecord.ObjectLock lock = objects.bucket(op.bucket()).objectLock();
        if (lock == null) {
            throw new S3Exception(S3ErrorCode.ObjectLockConfigurationNotFoundError).with("BucketName", op.bucket());
        }
        XmlWriter doc = XmlWriter.document("ObjectLockConfiguration").element("ObjectLockEnabled", "Enabled");
        if (lock.mode() != null) {
            doc.start("Rule").start("DefaultRetention").element("Mode", lock.mode());
            if (lock.days() > 0) {
                doc.element("Days", lock.days());
            } else {
                doc.element("Years", lock.years());
            }
            doc.end().end();
        }
        Responses.xml(ex, 200, doc);
    }

    // https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObjectLockConfiguration.html
    void putConfiguration(S3Operation.PutObjectLockConfiguration op, Exchange ex, InputStream body) throws IOException {
        objects.bucket(op.bucket());
        XmlElement conf = parse(ex, body, "ObjectLockConfiguration");
        if (!"Enabled".equals(trim(conf.childText("ObjectLockEnabled")))) {
            throw new S3Exception(S3ErrorCode.MalformedXML);
        }
        BucketRecord.ObjectLock lock = BucketRecord.ObjectLock.ENABLED_WITHOUT_DEFAULT;
        XmlElement rule = conf.child("Rule");
        if (rule != null) {
            XmlElement retention = rule.child("DefaultRetention");
            if (retention == null) {
                throw new S3Exception(S3ErrorCode.MalformedXML);
            }
            String mode = mode(trim(retention.childText("Mode")));
            String days = trim(retention.childText("Days"));
            String years = trim(retention.childText("Years"));
            if ((days == null) == (years == null)) {
                throw new S3Exception(S3ErrorCode.MalformedXML); // exactly one of Days and Years
            }
            int period = period(days != null ? days : years);
            lock = days != null ? new BucketRecord.ObjectLock(mode, period, 0) : new BucketRecord.ObjectLock(mode, 0, period);
        }
        objects.putObjectLockConfiguration(op.bucket(), lock);
        Responses.empty(ex, 200, Map.of());
    }

    // https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketLifecycleConfiguration.html
    void getLifecycle(S3Operation.GetBucketLifecycleConfiguration op, Exchange ex) throws IOException {
        dev.kura.object.Lifecycle lifecycle = objects.lifecycle(objects.bucket(op.bucket())).orElseThrow(() ->
                new S3Exception(S3ErrorCode.NoSuchLifecycleConfiguration).with("BucketName", op.bucket()));
        Responses.xml(ex, 200, lifecycle.toXml());
    }

    // https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketLifecycleConfiguration.html
    void putLifecycle(S3Operation.PutBucketLifecycleConfiguration op, Exchange ex, InputStream body) throws IOException {
        objects.bucket(op.bucket());
        byte[] bytes = checkedBody(ex, body);
        objects.putLifecycle(op.bucket(), dev.kura.object.Lifecycle.parse(
                XmlParser.parse(bytes, 20 * dev.kura.object.Lifecycle.MAX_RULES + 10)));
        Responses.empty(ex, 200, Map.of());
    }

    // https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteBucketLifecycle.html
    void deleteLifecycle(S3Operation.DeleteBucketLifecycle op, Exchange ex) throws IOException {
        objects.deleteLifecycle(op.bucket());
        Responses.empty(ex, 204, Map.of());
    }

    /**
     * {@code x-amz-expiration: expiry-date="…", rule-id="…"} for a current version the bucket's
     * lifecycle rules will expire.
     */
    static void putExpiration(Map<String, String> h, ObjectService objects, String bucket, ObjectRecord r) {
        dev.kura.object.Lifecycle.Expiry expiry = objects.expiry(bucket, r);
        if (expiry != null) {
            h.put("x-amz-expiration", "expiry-date=\"" + Responses.httpDate(expiry.at()) + "\", rule-id=\""
                    + expiry.ruleId() + "\"");
        }
    }

    // https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObjectRetention.html
    void getRetention(S3Operation.GetObjectRetention op, Exchange ex) throws IOException {
        ObjectRecord r = objects.lockedVersion(op.bucket(), op.key(), ex.head().queryParam("versionId"));
        ObjectRecord.Lock lock = r.lockState();
        if (lock.mode() == null) {
            throw new S3Exception(S3ErrorCode.NoSuchObjectLockConfiguration, "The specified object does not have a ObjectLock configuration");
        }
        Responses.xml(ex, 200, XmlWriter.document("Retention").element("Mode", lock.mode())
                .element("RetainUntilDate", DateTimeFormatter.ISO_INSTANT.format(lock.retainUntil())));
    }

    // https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObjectRetention.html
    void putRetention(S3Operation.PutObjectRetention op, Exchange ex, InputStream body) throws IOException {
        XmlElement retention = parse(ex, body, "Retention");
        String modeText = trim(retention.childText("Mode"));
        String dateText = trim(retention.childText("RetainUntilDate"));
        String mode = modeText == null ? null : mode(modeText);
        Instant until = dateText == null ? null : date(dateText, true);
        if ((mode == null) != (until == null)) {
            throw new S3Exception(S3ErrorCode.MalformedXML); // a retention has both, or neither (removal)
        }
        objects.putObjectRetention(op.bucket(), op.key(), ex.head().queryParam("versionId"), mode, until,
                bypassGovernance(ex.head()));
        Responses.empty(ex, 200, Map.of());
    }

    // https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObjectLegalHold.html
    void getLegalHold(S3Operation.GetObjectLegalHold op, Exchange ex) throws IOException {
        ObjectRecord r = objects.lockedVersion(op.bucket(), op.key(), ex.head().queryParam("versionId"));
        if (r.lock() == null) {
            throw new S3Exception(S3ErrorCode.NoSuchObjectLockConfiguration, "The specified object does not have a ObjectLock configuration");
        }
        Responses.xml(ex, 200, XmlWriter.document("LegalHold").element("Status", r.lockState().legalHold() ? "ON" : "OFF"));
    }

    // https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObjectLegalHold.html
    void putLegalHold(S3Operation.PutObjectLegalHold op, Exchange ex, InputStream body) throws IOException {
        XmlElement hold = parse(ex, body, "LegalHold");
        String status = trim(hold.childText("Status"));
        if (!"ON".equals(status) && !"OFF".equals(status)) {
            throw new S3Exception(S3ErrorCode.MalformedXML);
        }
        objects.putObjectLegalHold(op.bucket(), op.key(), ex.head().queryParam("versionId"), "ON".equals(status));
        Responses.empty(ex, 200, Map.of());
    }

    /**
     * The lock a write asks for in its {@code x-amz-object-lock-*} headers, or null when it sends none:
     * mode and retain-until date together (a date in the future), and/or a legal hold ON or OFF.
     */
    static ObjectRecord.Lock fromHeaders(RequestHead head) {
        String modeText = head.header("x-amz-object-lock-mode");
        String dateText = head.header("x-amz-object-lock-retain-until-date");
        String hold = head.header("x-amz-object-lock-legal-hold");
        if (modeText == null && dateText == null && hold == null) {
            return null;
        }
        if ((modeText == null) != (dateText == null)) {
            throw new S3Exception(S3ErrorCode.InvalidArgument,
                    "x-amz-object-lock-retain-until-date and x-amz-object-lock-mode must both be supplied")
                    .with("ArgumentName", modeText == null ? "x-amz-object-lock-mode" : "x-amz-object-lock-retain-until-date");
        }
        String mode = null;
        Instant until = null;
        if (modeText != null) {
            if (!ObjectRecord.Lock.isMode(modeText.trim())) {
                throw new S3Exception(S3ErrorCode.InvalidArgument, "Unknown wormMode directive.")
                        .with("ArgumentName", "x-amz-object-lock-mode").with("ArgumentValue", modeText);
            }
            mode = modeText.trim();
            until = date(dateText.trim(), false);
            if (!until.isAfter(Instant.now())) {
                throw new S3Exception(S3ErrorCode.InvalidArgument, "The retain until date must be in the future!")
                        .with("ArgumentName", "x-amz-object-lock-retain-until-date");
            }
        }
        boolean legalHold = false;
        if (hold != null) {
            if (!hold.trim().equals("ON") && !hold.trim().equals("OFF")) {
                throw new S3Exception(S3ErrorCode.InvalidArgument, "Legal Hold must be either of 'ON' or 'OFF'")
                        .with("ArgumentName", "x-amz-object-lock-legal-hold").with("ArgumentValue", hold);
            }
            legalHold = hold.trim().equals("ON");
        }
        return new ObjectRecord.Lock(mode, until, legalHold);
    }

    /** The {@code x-amz-object-lock-*} headers of a version that has a lock state. */
    static void putHeaders(Map<String, String> h, ObjectRecord r) {
        if (r.lock() == null) {
            return;
        }
        ObjectRecord.Lock lock = r.lock();
        if (lock.mode() != null) {
            h.put("x-amz-object-lock-mode", lock.mode());
            h.put("x-amz-object-lock-retain-until-date", DateTimeFormatter.ISO_INSTANT.format(lock.retainUntil()));
        }
        h.put("x-amz-object-lock-legal-hold", lock.legalHold() ? "ON" : "OFF");
    }

    static boolean bypassGovernance(RequestHead head) {
        return "true".equalsIgnoreCase(trim(head.header("x-amz-bypass-governance-retention")));
    }

    /**
     * The request's XML body: these requests must prove their body's integrity (Content-MD5 or an
     * x-amz-checksum-* header, as S3 requires for Object Lock requests), bounded in size.
     */
    private static XmlElement parse(Exchange ex, InputStream body, String root) throws IOException {
        byte[] bytes = checkedBody(ex, body);
        XmlElement e = XmlParser.parse(bytes, 20);
        if (!e.name().equals(root)) {
            throw new S3Exception(S3ErrorCode.MalformedXML);
        }
        return e;
    }

    /** A bounded body proved by Content-MD5 or an x-amz-checksum-* header (required), not empty. */
    static byte[] checkedBody(Exchange ex, InputStream body) throws IOException {
        byte[] bytes = body.readNBytes(MAX_LIFECYCLE_BODY + 1);
        if (bytes.length > MAX_LIFECYCLE_BODY) {
            throw new S3Exception(S3ErrorCode.MaxMessageLengthExceeded);
        }
        RequestHead head = ex.head();
        String md5 = head.header("content-md5");
        boolean checksum = false;
        for (ChecksumAlgorithm a : ChecksumAlgorithm.values()) {
            checksum |= head.header(a.headerName()) != null;
        }
        if (md5 == null && !checksum) {
            throw new S3Exception(S3ErrorCode.InvalidRequest,
                    "Content-MD5 OR x-amz-checksum- HTTP header is required for this request");
        }
        DeleteObjectsApi.verifyIntegrity(ex, bytes);
        if (bytes.length == 0) {
            throw new S3Exception(S3ErrorCode.MissingRequestBodyError, "Request Body is empty");
        }
        return bytes;
    }

    private static String mode(String text) {
        if (!ObjectRecord.Lock.isMode(text)) {
            throw new S3Exception(S3ErrorCode.MalformedXML); // modes are upper case: "governance" is not one
        }
        return text;
    }

    private static int period(String text) {
        int n;
        try {
            n = Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new S3Exception(S3ErrorCode.MalformedXML);
        }
        if (n <= 0) {
            throw new S3Exception(S3ErrorCode.InvalidRetentionPeriod, "Default retention period must be a positive integer value.");
        }
        return n;
    }

    private static Instant date(String text, boolean xml) {
        try {
            return java.time.OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
            if (xml) {
                throw new S3Exception(S3ErrorCode.MalformedXML);
            }
            throw new S3Exception(S3ErrorCode.InvalidArgument, "The retain until date must be provided in ISO 8601 format")
                    .with("ArgumentName", "x-amz-object-lock-retain-until-date");
        }
    }

    private static String trim(String s) {
        return s == null ? null : s.trim();
    }
}
