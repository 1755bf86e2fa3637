package dev.kura.cluster;

import static dev.kura.cluster.TestCluster.object;
import static dev.kura.cluster.TestCluster.versionedBucket;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kura.index.IndexException;
import dev.kura.index.IndexResult;
import dev.kura.index.ObjectRecord;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Every result and every rejection crosses the Raft reply as itself. */
class OutcomeCodecTest {

    @Test
    void resultsRoundTrip() throws Exception {
        ObjectRecord a = object("a", 1);
        ObjectRecord b = object("b", 2);
        for (IndexResult r : List.of(IndexResult.DONE, IndexResult.UNCHANGED, new IndexResult.AlreadyCompleted(a),
                new IndexResult.Replaced(Optional.of(a), b), new IndexResult.Replaced(Optional.empty(), b),
                new IndexResult.Replaced(Optional.of(a), null))) {
            assertThat(OutcomeCodec.decode(OutcomeCodec.encode(r))).isEqualTo(r);
        }
    }

    @Test
    void rejectionsComeBackWithTheirTypeAndMessage() {
        List<IndexException> rejections = List.of(
                new IndexException.PreconditionFailed("If-None-Match"), new IndexException.NoSuchBucket("b"),
                new IndexException.NoSuchUpload("u"), new IndexException.NoSuchUser("n"),
                new IndexException.UserAlreadyExists("x"), new IndexException.NoSuchPartition("p"),
                new IndexException.NoSuchKey("k"), new IndexException.InvalidBucketState("s"),
                new IndexException.ObjectLocked("l"), new IndexException.InvalidPart("3"),
                new IndexException.BucketNotEmpty("b"), new IndexException.EngineFailure("io", null),
                new IndexException.OutcomeUnknown("?", null));
        for (IndexException e : rejections) {
            assertThatThrownBy(() -> OutcomeCodec.decode(OutcomeCodec.encodeFailure(e)))
                    .isExactlyInstanceOf(e.getClass()).hasMessage(e.getMessage());
        }
        assertThatThrownBy(() -> OutcomeCodec.decode(OutcomeCodec.encodeFailure(
                new IndexException.BucketAlreadyExists(versionedBucket("b", 4)))))
                .isInstanceOfSatisfying(IndexException.BucketAlreadyExists.class,
                        e -> assertThat(e.existing()).isEqualTo(versionedBucket("b", 4)));
        assertThatThrownBy(() -> OutcomeCodec.decode(OutcomeCodec.encodeFailure(
                new IndexException.NoSuchVersion("a key with version in it", "0123456789ABC"))))
                .isInstanceOfSatisfying(IndexException.NoSuchVersion.class, e -> {
                    assertThat(e.versionId()).isEqualTo("0123456789ABC");
                    assertThat(e.getMessage()).isEqualTo("a key with version in it version 0123456789ABC");
                });
        assertThatThrownBy(() -> OutcomeCodec.decode(OutcomeCodec.encodeFailure(new IllegalArgumentException("bad"))))
                .isExactlyInstanceOf(IllegalArgumentException.class).hasMessage("bad");
        assertThatThrownBy(() -> OutcomeCodec.decode(OutcomeCodec.encodeFailure(new NullPointerException("npe"))))
                .isExactlyInstanceOf(IllegalStateException.class).hasMessageContaining("NullPointerException: npe");
    }

    @Test
    void anEntryAppliedBeforeARestartHasAnUnknownOutcome() {
        assertThatThrownBy(() -> OutcomeCodec.decode(OutcomeCodec.SKIPPED))
                .isInstanceOf(IndexException.OutcomeUnknown.class);
        assertThatThrownBy(() -> OutcomeCodec.decode(OutcomeCodec.DUPLICATE))
                .isInstanceOf(IndexException.OutcomeUnknown.class);
    }

    @Test
    void bytesArePinned() {
        assertThat(OutcomeCodec.encode(IndexResult.DONE)).containsExactly(1, 0);
        assertThat(OutcomeCodec.encodeFailure(new IndexException.NoSuchBucket("b")))
                .containsExactly(1, 21, 1, 0, 0, 0, 1, 'b');
    }
}
