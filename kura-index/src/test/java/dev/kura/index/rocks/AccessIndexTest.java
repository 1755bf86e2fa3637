package dev.kura.index.rocks;

import static dev.kura.index.TestRecords.bucket;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kura.index.BucketSetting;
import dev.kura.index.IndexCommand;
import dev.kura.index.IndexException;
import dev.kura.index.TestRecords;
import dev.kura.index.UserRecord;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bucket settings rows and users: written atomically, read back, gone with their bucket or user. */
class AccessIndexTest {
    @TempDir
    Path dir;
    RocksObjectIndex index;

    @BeforeEach
    void open() throws Exception {
        index = RocksObjectIndex.open(dir);
    }

    @AfterEach
    void close() {
        index.close();
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void settingsComeWithTheBucketAndGoWithIt() throws Exception {
        index.apply(new IndexCommand.CreateBucket(bucket("site", 1), Map.of(BucketSetting.ACL, bytes("public"))));
        index.apply(new IndexCommand.CreateBucket(bucket("other", 2)));
        assertThat(index.bucketSetting(1, BucketSetting.ACL)).hasValueSatisfying(v -> assertThat(v).isEqualTo(bytes("public")));
        assertThat(index.bucketSettings(2)).isEmpty();

        index.apply(new IndexCommand.PutBucketSetting("site", 1, BucketSetting.POLICY, bytes("{}")));
        index.apply(new IndexCommand.PutBucketSetting("site", 1, BucketSetting.ENCRYPTION, bytes("AES256")));
        assertThat(index.bucketSettings(1)).containsOnlyKeys(BucketSetting.ACL, BucketSetting.POLICY, BucketSetting.ENCRYPTION);
        index.apply(new IndexCommand.PutBucketSetting("site", 1, BucketSetting.POLICY, null));
        assertThat(index.bucketSetting(1, BucketSetting.POLICY)).isEmpty();

        assertThatThrownBy(() -> index.apply(new IndexCommand.PutBucketSetting("site", 2, BucketSetting.CORS, bytes("x"))))
                .isInstanceOf(IndexException.NoSuchBucket.class);

        index.apply(new IndexCommand.DeleteBucket("site", 1));
        assertThat(index.bucketSettings(1)).isEmpty();
        index.apply(new IndexCommand.CreateBucket(bucket("site", 3)));
        assertThat(index.bucketSettings(3)).as("a re-created bucket starts without settings").isEmpty();
    }

    @Test
    void usersAreUniqueByNameAndAccessKeyAndRotationRetiresTheOldKey() throws Exception {
        UserRecord alice = new UserRecord("alice", "AKALICE1", bytes("s1"), "id-alice", TestRecords.T0);
        index.apply(new IndexCommand.PutUser(alice, false));
        assertThat(index.user("alice")).contains(alice);
        assertThat(index.userByAccessKey("AKALICE1")).contains(alice);

        assertThatThrownBy(() -> index.apply(new IndexCommand.PutUser(alice, false)))
                .isInstanceOf(IndexException.UserAlreadyExists.class);
        UserRecord thief = new UserRecord("bob", "AKALICE1", bytes("s2"), "id-bob", TestRecords.T0);
        assertThatThrownBy(() -> index.apply(new IndexCommand.PutUser(thief, false)))
                .isInstanceOf(IndexException.UserAlreadyExists.class).hasMessageContaining("access key");
        assertThatThrownBy(() -> index.apply(new IndexCommand.PutUser(thief, true)))
                .isInstanceOf(IndexException.NoSuchUser.class);

        UserRecord rotated = new UserRecord("alice", "AKALICE2", bytes("s3"), "id-alice", TestRecords.T0);
        index.apply(new IndexCommand.PutUser(rotated, true));
        assertThat(index.userByAccessKey("AKALICE1")).isEmpty();
        assertThat(index.userByAccessKey("AKALICE2")).contains(rotated);

        index.apply(new IndexCommand.PutUser(new UserRecord("bob", "AKBOB", bytes("s4"), "id-bob", TestRecords.T0), false));
        assertThat(index.users()).extracting(UserRecord::name).containsExactly("alice", "bob");

        index.apply(new IndexCommand.DeleteUser("alice"));
        assertThat(index.user("alice")).isEmpty();
        assertThat(index.userByAccessKey("AKALICE2")).isEmpty();
        assertThatThrownBy(() -> index.apply(new IndexCommand.DeleteUser("alice"))).isInstanceOf(IndexException.NoSuchUser.class);
    }
}
