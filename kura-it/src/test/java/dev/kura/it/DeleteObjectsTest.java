package dev.kura.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.DeletedObject;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.S3Exception;

class DeleteObjectsTest extends KuraTestBase {

    @Test
    void deletesManyAndReportsEach() {
        String b = newBucket();
        List<ObjectIdentifier> ids = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            String k = "k" + i;
            s3.putObject(r -> r.bucket(b).key(k), RequestBody.fromString(k));
            ids.add(ObjectIdentifier.builder().key(k).build());
        }
        ids.add(ObjectIdentifier.builder().key("absent").build());
        var r = s3.deleteObjects(d -> d.bucket(b).delete(x -> x.objects(ids)));
        assertThat(r.deleted().stream().map(DeletedObject::key)).hasSize(21).contains("absent", "k0", "k19");
        assertThat(r.errors()).isEmpty();
        assertThat(s3.listObjectsV2(l -> l.bucket(b)).contents()).isEmpty();
    }

    @Test
    void quietModeListsOnlyErrors() {
        String b = newBucket();
        s3.putObject(r -> r.bucket(b).key("q"), RequestBody.fromString("x"));
        var r = s3.deleteObjects(d -> d.bucket(b).delete(x -> x.quiet(true)
                .objects(ObjectIdentifier.builder().key("q").build())));
        assertThat(r.deleted()).isEmpty();
        assertThat(r.errors()).isEmpty();
    }

    @Test
    void moreThanThousandKeysIsMalformed() {
        String b = newBucket();
        List<ObjectIdentifier> ids = new ArrayList<>();
        for (int i = 0; i < 1001; i++) {
            ids.add(ObjectIdentifier.builder().key("k" + i).build());
        }
        assertThatThrownBy(() -> s3.deleteObjects(d -> d.bucket(b).delete(x -> x.objects(ids))))
                .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.awsErrorDetails().errorCode()).isEqualTo("MalformedXML"));
    }
}
