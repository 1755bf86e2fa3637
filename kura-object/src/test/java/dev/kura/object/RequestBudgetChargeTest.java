package dev.kura.object;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kura.object.RequestBudget.Charge;
import dev.kura.object.RequestBudget.Kind;
import dev.kura.s3.op.S3Operation;
import org.junit.jupiter.api.Test;

/** What each kind of request is charged, as a table. */
class RequestBudgetChargeTest {
    @Test
    void objectCallsAreReadsOrWritesOfTheirKeysPartition() {
        assertThat(Charge.of(new S3Operation.PutObject("b", "k"), "PUT")).isEqualTo(new Charge("b", "k", Kind.WRITE));
        assertThat(Charge.of(new S3Operation.GetObject("b", "k"), "GET")).isEqualTo(new Charge("b", "k", Kind.READ));
        assertThat(Charge.of(new S3Operation.HeadObject("b", "k"), "HEAD")).isEqualTo(new Charge("b", "k", Kind.READ));
        assertThat(Charge.of(new S3Operation.DeleteObject("b", "k"), "DELETE"))
                .isEqualTo(new Charge("b", "k", Kind.WRITE));
    }

    @Test
    void listingsReadThePartitionOfTheirStart() {
        assertThat(Charge.of(new S3Operation.ListObjectsV2("b", "logs/", null, 1000, null, null, false, false), "GET"))
                .isEqualTo(new Charge("b", "logs/", Kind.READ));
        assertThat(Charge.of(new S3Operation.ListObjectsV2("b", "logs/", null, 1000, "logs/x", null, false, false), "GET"))
                .isEqualTo(new Charge("b", "logs/x", Kind.READ));
        assertThat(Charge.of(new S3Operation.ListObjects("b", null, "/", 1000, null, false), "GET"))
                .isEqualTo(new Charge("b", "", Kind.READ));
        assertThat(Charge.of(new S3Operation.ListObjectVersions("b"), "GET")).isEqualTo(new Charge("b", "", Kind.READ));
    }

    @Test
    void keysInTheBodyAreChargedToTheFirstPartitionAndConfigurationIsFree() {
        assertThat(Charge.of(new S3Operation.DeleteObjects("b"), "POST")).isEqualTo(new Charge("b", "", Kind.WRITE));
        assertThat(Charge.of(new S3Operation.PostObject("b"), "POST")).isEqualTo(new Charge("b", "", Kind.WRITE));
        assertThat(Charge.of(new S3Operation.ListBuckets(), "GET")).isNull();
        assertThat(Charge.of(new S3Operation.CreateBucket("b"), "PUT")).isNull();
        assertThat(Charge.of(new S3Operation.GetBucketVersioning("b"), "GET")).isNull();
    }
}
