package dev.kura.index.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kura.common.Hex;
import dev.kura.index.PartitionRecord;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * Pins PartitionRecord v1 (the value of a {@code 'r'} row): format 01, id, start key
 * length-prefixed, the time (present flag, seconds, nanoseconds). The decode test must pass forever.
 */
class PartitionRecordFixtureTest {
    static final PartitionRecord RECORD = new PartitionRecord(3, "2026-",
            Instant.ofEpochSecond(1778384896, 500_000_000));
    static final String PARTITION_V1 = "01" + "0000000000000003" + "00000005" + "323032362d" + "01" + "000000006a000000"
            + "1dcd6500";

    @Test
    void decodesTheFixture() {
        assertThat(RecordCodec.decodePartition(Hex.decode(PARTITION_V1))).isEqualTo(RECORD);
    }

    @Test
    void encodesTheFixture() {
        assertThat(Hex.encode(RecordCodec.encode(RECORD))).isEqualTo(PARTITION_V1);
    }

    @Test
    void anUnknownFormatIsRefused() {
        byte[] future = Hex.decode(PARTITION_V1);
        future[0] = 2;
        assertThatThrownBy(() -> RecordCodec.decodePartition(future)).isInstanceOf(RuntimeException.class);
    }

    @Test
    void partitionRowsSortByStartKeyInUtf8ByteOrder() {
        byte[] first = KeyCodec.partitionRow(7, "");
        byte[] low = KeyCodec.partitionRow(7, "a");
        byte[] high = KeyCodec.partitionRow(7, "\uD83D\uDE00"); // above U+FFFD in UTF-8, below it in UTF-16
        byte[] bmp = KeyCodec.partitionRow(7, "\uFFFD");
        assertThat(java.util.Arrays.compareUnsigned(first, low)).isNegative();
        assertThat(java.util.Arrays.compareUnsigned(bmp, high)).isNegative();
        assertThat(KeyCodec.startsWith(high, KeyCodec.partitionsOf(7))).isTrue();
        assertThat(KeyCodec.startsWith(high, KeyCodec.partitionsOf(8))).isFalse();
    }
}
