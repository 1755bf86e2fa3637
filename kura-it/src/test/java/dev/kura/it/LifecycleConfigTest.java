package dev.kura.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.ExpirationStatus;
import software.amazon.awssdk.services.s3.model.LifecycleRule;
import software.amazon.awssdk.services.s3.model.S3Exception;

/** Bucket lifecycle configurations through the AWS SDK, and the x-amz-expiration header they cause. */
class LifecycleConfigTest extends KuraTestBase {

    @Test
    void aConfigurationIsStoredReadBackAndDeleted() {
        String b = newBucket();
        assertThatThrownBy(() -> s3.getBucketLifecycleConfiguration(r -> r.bucket(b)))
                .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.awsErrorDetails().errorCode())
                        .isEqualTo("NoSuchLifecycleConfiguration"));
        s3.putBucketLifecycleConfiguration(r -> r.bucket(b).lifecycleConfiguration(c -> c.rules(
                LifecycleRule.builder().id("logs").status(ExpirationStatus.ENABLED).filter(f -> f.prefix("logs/"))
                        .expiration(x -> x.days(3)).build(),
                LifecycleRule.builder().id("uploads").status(ExpirationStatus.DISABLED).filter(f -> f.prefix(""))
                        .abortIncompleteMultipartUpload(a -> a.daysAfterInitiation(7)).build())));
        var rules = s3.getBucketLifecycleConfiguration(r -> r.bucket(b)).rules();
        assertThat(rules).extracting(LifecycleRule::id).containsExactly("logs", "uploads");
        assertThat(rules.getFirst().expiration().days()).isEqualTo(3);
        assertThat(rules.getFirst().filter().prefix()).isEqualTo("logs/");
        assertThat(rules.get(1).status()).isEqualTo(ExpirationStatus.DISABLED);

        // an object the rule will expire says when, and by which rule
        var put = s3.putObject(r -> r.bucket(b).key("logs/today"), RequestBody.fromString("x"));
        assertThat(put.expiration()).contains("rule-id=\"logs\"");
        Instant midnight = Instant.now().atZone(ZoneOffset.UTC).toLocalDate().plusDays(4).atStartOfDay(ZoneOffset.UTC)
                .toInstant();
        assertThat(s3.headObject(r -> r.bucket(b).key("logs/today")).expiration())
                .contains(software.amazon.awssdk.utils.DateUtils.formatRfc822Date(midnight));
        s3.putObject(r -> r.bucket(b).key("other"), RequestBody.fromString("x"));
        assertThat(s3.headObject(r -> r.bucket(b).key("other")).expiration()).isNull();

        s3.deleteBucketLifecycle(r -> r.bucket(b));
        assertThatThrownBy(() -> s3.getBucketLifecycleConfiguration(r -> r.bucket(b)))
                .isInstanceOf(S3Exception.class);
        assertThat(s3.headObject(r -> r.bucket(b).key("logs/today")).expiration()).isNull();
    }

    @Test
    void badRulesGetS3sErrors() {
        String b = newBucket();
        assertThatThrownBy(() -> s3.putBucketLifecycleConfiguration(r -> r.bucket(b).lifecycleConfiguration(c -> c.rules(
                LifecycleRule.builder().id("x").status(ExpirationStatus.ENABLED).filter(f -> f.prefix(""))
                        .expiration(x -> x.days(0)).build()))))
                .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.awsErrorDetails().errorCode())
                        .isEqualTo("InvalidArgument"));
        assertThatThrownBy(() -> s3.putBucketLifecycleConfiguration(r -> r.bucket(b).lifecycleConfiguration(c -> c.rules(
                LifecycleRule.builder().id("x").status(ExpirationStatus.ENABLED).filter(f -> f.prefix(""))
                        .expiration(x -> x.date(Instant.now().truncatedTo(ChronoUnit.DAYS).plusSeconds(3600))).build()))))
                .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.awsErrorDetails().errorCode())
                        .isEqualTo("InvalidArgument")); // a date must be midnight UTC
    }
}
