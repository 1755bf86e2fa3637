package dev.kura.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.BucketVersioningStatus;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.ObjectLockLegalHoldStatus;
import software.amazon.awssdk.services.s3.model.ObjectLockMode;
import software.amazon.awssdk.services.s3.model.ObjectLockRetentionMode;
import software.amazon.awssdk.services.s3.model.S3Exception;

/** Object Lock through the AWS SDK: governance and compliance retention, legal holds, default retention. */
class ObjectLockTest extends KuraTestBase {

    private static String lockedBucket() {
        String b = "lock-" + Long.toHexString(System.nanoTime());
        s3.createBucket(r -> r.bucket(b).objectLockEnabledForBucket(true));
        return b;
    }

    private static String put(String b, String key) {
        return s3.putObject(r -> r.bucket(b).key(key).checksumAlgorithm(ChecksumAlgorithm.CRC32),
                RequestBody.fromString("locked")).versionId();
    }

    private static void assertError(Runnable call, int status, String code) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(S3Exception.class, e -> {
            assertThat(e.statusCode()).isEqualTo(status);
            assertThat(e.awsErrorDetails().errorCode()).isEqualTo(code);
        });
    }

    @Test
    void aLockedBucketIsVersionedAndKeepsItsDefaultRetention() {
        String b = lockedBucket();
        assertThat(s3.getBucketVersioning(r -> r.bucket(b)).status()).isEqualTo(BucketVersioningStatus.ENABLED);
        assertThat(s3.getObjectLockConfiguration(r -> r.bucket(b)).objectLockConfiguration().objectLockEnabledAsString())
                .isEqualTo("Enabled");
        s3.putObjectLockConfiguration(r -> r.bucket(b).objectLockConfiguration(c -> c.objectLockEnabled("Enabled")
                .rule(rule -> rule.defaultRetention(d -> d.mode(ObjectLockRetentionMode.GOVERNANCE).days(1)))));
        var conf = s3.getObjectLockConfiguration(r -> r.bucket(b)).objectLockConfiguration();
        assertThat(conf.rule().defaultRetention().mode()).isEqualTo(ObjectLockRetentionMode.GOVERNANCE);
        assertThat(conf.rule().defaultRetention().days()).isEqualTo(1);

        String v = put(b, "k");
        var head = s3.headObject(r -> r.bucket(b).key("k"));
        assertThat(head.objectLockMode()).isEqualTo(ObjectLockMode.GOVERNANCE);
        assertThat(head.objectLockRetainUntilDate()).isBetween(Instant.now().plus(23, ChronoUnit.HOURS),
                Instant.now().plus(25, ChronoUnit.HOURS));
        assertError(() -> s3.deleteObject(r -> r.bucket(b).key("k").versionId(v)), 403, "AccessDenied");
        s3.deleteObject(r -> r.bucket(b).key("k")); // a delete marker is always allowed
        s3.deleteObject(r -> r.bucket(b).key("k").versionId(v).bypassGovernanceRetention(true));
        assertError(() -> s3.putBucketVersioning(r -> r.bucket(b)
                .versioningConfiguration(c -> c.status(BucketVersioningStatus.SUSPENDED))), 409, "InvalidBucketState");
    }

    @Test
    void complianceRetentionCanOnlyBeExtendedAndNothingDeletesTheVersion() {
        String b = lockedBucket();
        String v = put(b, "k");
        Instant until = Instant.now().plus(1, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS);
        s3.putObjectRetention(r -> r.bucket(b).key("k").retention(t -> t.mode(ObjectLockRetentionMode.COMPLIANCE)
                .retainUntilDate(until)));
        assertThat(s3.getObjectRetention(r -> r.bucket(b).key("k").versionId(v)).retention().retainUntilDate())
                .isEqualTo(until);
        assertError(() -> s3.putObjectRetention(r -> r.bucket(b).key("k").bypassGovernanceRetention(true)
                .retention(t -> t.mode(ObjectLockRetentionMode.COMPLIANCE).retainUntilDate(until.minusSeconds(60)))),
                403, "AccessDenied");
        assertError(() -> s3.putObjectRetention(r -> r.bucket(b).key("k").bypassGovernanceRetention(true)
                .retention(t -> t.mode(ObjectLockRetentionMode.GOVERNANCE).retainUntilDate(until))), 403, "AccessDenied");
        s3.putObjectRetention(r -> r.bucket(b).key("k").retention(t -> t.mode(ObjectLockRetentionMode.COMPLIANCE)
                .retainUntilDate(until.plusSeconds(3600))));
        assertError(() -> s3.deleteObject(r -> r.bucket(b).key("k").versionId(v).bypassGovernanceRetention(true)),
                403, "AccessDenied");
        var deleted = s3.deleteObjects(r -> r.bucket(b).bypassGovernanceRetention(true)
                .delete(d -> d.objects(o -> o.key("k").versionId(v))));
        assertThat(deleted.errors()).singleElement().satisfies(e -> assertThat(e.code()).isEqualTo("AccessDenied"));
        assertThat(s3.getObject(r -> r.bucket(b).key("k").versionId(v)).response().versionId()).isEqualTo(v);
    }

    @Test
    void governanceRetentionGivesWayOnlyToTheBypass() {
        String b = lockedBucket();
        Instant until = Instant.now().plus(2, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS);
        String v = s3.putObject(r -> r.bucket(b).key("k").checksumAlgorithm(ChecksumAlgorithm.CRC32)
                .objectLockMode(ObjectLockMode.GOVERNANCE).objectLockRetainUntilDate(until),
                RequestBody.fromString("x")).versionId();
        assertError(() -> s3.putObjectRetention(r -> r.bucket(b).key("k")
                .retention(t -> t.mode(ObjectLockRetentionMode.GOVERNANCE).retainUntilDate(until.minusSeconds(60)))),
                403, "AccessDenied");
        s3.putObjectRetention(r -> r.bucket(b).key("k").bypassGovernanceRetention(true)
                .retention(t -> t.mode(ObjectLockRetentionMode.GOVERNANCE).retainUntilDate(until.minusSeconds(60))));
        assertError(() -> s3.deleteObject(r -> r.bucket(b).key("k").versionId(v)), 403, "AccessDenied");
        s3.deleteObject(r -> r.bucket(b).key("k").versionId(v).bypassGovernanceRetention(true));
        assertThatThrownBy(() -> s3.headObject(r -> r.bucket(b).key("k").versionId(v)))
                .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.statusCode()).isEqualTo(404));
    }

    @Test
    void aLegalHoldBlocksDeletionUntilLifted() {
        String b = lockedBucket();
        String v = put(b, "k");
        assertError(() -> s3.getObjectLegalHold(r -> r.bucket(b).key("k")), 404, "NoSuchObjectLockConfiguration");
        s3.putObjectLegalHold(r -> r.bucket(b).key("k").legalHold(h -> h.status(ObjectLockLegalHoldStatus.ON)));
        assertThat(s3.getObjectLegalHold(r -> r.bucket(b).key("k")).legalHold().status())
                .isEqualTo(ObjectLockLegalHoldStatus.ON);
        assertThat(s3.headObject(r -> r.bucket(b).key("k")).objectLockLegalHoldStatus())
                .isEqualTo(ObjectLockLegalHoldStatus.ON);
        assertError(() -> s3.deleteObject(r -> r.bucket(b).key("k").versionId(v).bypassGovernanceRetention(true)),
                403, "AccessDenied");
        s3.putObjectLegalHold(r -> r.bucket(b).key("k").legalHold(h -> h.status(ObjectLockLegalHoldStatus.OFF)));
        assertThat(s3.getObjectLegalHold(r -> r.bucket(b).key("k")).legalHold().status())
                .isEqualTo(ObjectLockLegalHoldStatus.OFF);
        s3.deleteObject(r -> r.bucket(b).key("k").versionId(v));
    }

    @Test
    void badRequestsGetS3sErrors() {
        String plain = newBucket();
        assertError(() -> s3.getObjectLockConfiguration(r -> r.bucket(plain)), 404, "ObjectLockConfigurationNotFoundError");
        assertError(() -> s3.putObjectLockConfiguration(r -> r.bucket(plain)
                .objectLockConfiguration(c -> c.objectLockEnabled("Enabled"))), 409, "InvalidBucketState");
        assertError(() -> s3.putObject(r -> r.bucket(plain).key("k").checksumAlgorithm(ChecksumAlgorithm.CRC32)
                .objectLockMode(ObjectLockMode.GOVERNANCE).objectLockRetainUntilDate(Instant.now().plusSeconds(600)),
                RequestBody.fromString("x")), 400, "InvalidRequest");
        s3.putObject(r -> r.bucket(plain).key("k"), RequestBody.fromString("x"));
        assertError(() -> s3.putObjectLegalHold(r -> r.bucket(plain).key("k")
                .legalHold(h -> h.status(ObjectLockLegalHoldStatus.ON))), 400, "InvalidRequest");

        String b = lockedBucket();
        put(b, "k");
        assertError(() -> s3.putObjectLegalHold(r -> r.bucket(b).key("k").contentMD5("AAAAAAAAAAAAAAAAAAAAAA==")
                .legalHold(h -> h.status(ObjectLockLegalHoldStatus.ON))), 400, "BadDigest"); // a body that is not the one signed
        assertError(() -> s3.putObjectLockConfiguration(r -> r.bucket(b).objectLockConfiguration(c -> c
                .objectLockEnabled("Enabled").rule(rule -> rule.defaultRetention(d -> d.mode(ObjectLockRetentionMode.GOVERNANCE)
                        .days(0))))), 400, "InvalidRetentionPeriod");
        assertError(() -> s3.putObjectLockConfiguration(r -> r.bucket(b).objectLockConfiguration(c -> c
                .objectLockEnabled("Enabled").rule(rule -> rule.defaultRetention(d -> d.mode(ObjectLockRetentionMode.GOVERNANCE)
                        .days(1).years(1))))), 400, "MalformedXML");
        assertError(() -> s3.putObject(r -> r.bucket(b).key("k").checksumAlgorithm(ChecksumAlgorithm.CRC32)
                .objectLockMode(ObjectLockMode.GOVERNANCE).objectLockRetainUntilDate(Instant.now().minusSeconds(600)),
                RequestBody.fromString("x")), 400, "InvalidArgument");
    }
}
