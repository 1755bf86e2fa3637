package dev.kura.storage.local;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class DriveHeaderTest {
    private static final Path FILE = Path.of("kura-drive.properties");

    /** A version 1 header as written by the first release; it must stay readable. */
    private static final String V1_FIXTURE = """
            # Kura drive header: identifies this drive. Do not edit, do not copy to another drive.
            format=1
            drive.id=6f1c2a4e-9b7d-4f0a-8e3c-2d5b7a9c1e0f
            zone=local
            """;

    @Test
    void decodesTheVersion1Fixture() throws IOException {
        DriveHeader h = DriveHeader.decode(V1_FIXTURE.getBytes(UTF_8), FILE);
        assertThat(h).isEqualTo(new DriveHeader(1, "6f1c2a4e-9b7d-4f0a-8e3c-2d5b7a9c1e0f", "local", null));
        assertThat(new String(h.encode(), UTF_8)).isEqualTo(V1_FIXTURE);
    }

    private static final String V2_FIXTURE = """
            # Kura drive header: identifies this drive. Do not edit, do not copy to another drive.
            format=2
            drive.id=6f1c2a4e-9b7d-4f0a-8e3c-2d5b7a9c1e0f
            zone=rack-a
            set.id=0b5e7f0c-3a51-4d6e-9a1c-5f2e8d7b6a40
            """;

    @Test
    void decodesTheVersion2FixtureWithItsSet() throws IOException {
        DriveHeader h = DriveHeader.decode(V2_FIXTURE.getBytes(UTF_8), FILE);
        assertThat(h).isEqualTo(new DriveHeader(2, "6f1c2a4e-9b7d-4f0a-8e3c-2d5b7a9c1e0f", "rack-a",
                "0b5e7f0c-3a51-4d6e-9a1c-5f2e8d7b6a40"));
        assertThat(new String(h.encode(), UTF_8)).isEqualTo(V2_FIXTURE);
        assertThatThrownBy(() -> decode(V2_FIXTURE.replace("set.id=0b5e7f0c-3a51-4d6e-9a1c-5f2e8d7b6a40\n", "")))
                .hasMessageContaining("needs set.id");
    }

    @Test
    void olderFormatsKeepTheirTwoLevelFanout() throws IOException {
        assertThat(DriveHeader.decode(V1_FIXTURE.getBytes(UTF_8), FILE).fanoutLevels()).isEqualTo(2);
        assertThat(DriveHeader.decode(V2_FIXTURE.getBytes(UTF_8), FILE).fanoutLevels()).isEqualTo(2);
        DriveHeader v3 = DriveHeader.decode(V2_FIXTURE.replace("format=2", "format=3").getBytes(UTF_8), FILE);
        assertThat(v3.fanoutLevels()).isEqualTo(1);
        assertThat(v3.setId()).isEqualTo("0b5e7f0c-3a51-4d6e-9a1c-5f2e8d7b6a40");
    }

    @Test
    void roundTripsAFreshHeader() throws IOException {
        DriveHeader h = DriveHeader.fresh("local", null);
        assertThat(DriveHeader.decode(h.encode(), FILE)).isEqualTo(h);
        assertThat(h.zone()).isEqualTo("local");
        assertThat(h.format()).isEqualTo(3);
        assertThat(h.setId()).isNull();
        assertThat(h.fanoutLevels()).isEqualTo(1);
        assertThat(DriveHeader.fresh("local", null).driveId()).isNotEqualTo(h.driveId());
        DriveHeader inSet = DriveHeader.fresh("rack-b", java.util.UUID.randomUUID().toString());
        assertThat(inSet.format()).isEqualTo(3);
        assertThat(DriveHeader.decode(inSet.encode(), FILE)).isEqualTo(inSet);
    }

    @Test
    void refusesUnknownVersionsAndMalformedHeaders() {
        assertThatThrownBy(() -> decode(V1_FIXTURE.replace("format=1", "format=4")))
                .hasMessageContaining("unsupported drive format 4");
        assertThatThrownBy(() -> decode(V1_FIXTURE.replace("zone=local\n", "")))
                .hasMessageContaining("malformed");
        assertThatThrownBy(() -> decode(V1_FIXTURE.replace("6f1c2a4e-", "nope-")))
                .hasMessageContaining("malformed");
        assertThatThrownBy(() -> decode(V1_FIXTURE.replace("zone=local", "zone=a b")))
                .hasMessageContaining("malformed");
        assertThatThrownBy(() -> decode("")).hasMessageContaining("malformed");
    }

    private static DriveHeader decode(String text) throws IOException {
        return DriveHeader.decode(text.getBytes(UTF_8), FILE);
    }
}
