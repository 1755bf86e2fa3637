package dev.kura.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A server whose index writer thread dies must not limp on, answering reads and failing every
 * write: it stops with a clear line and a non-zero exit for its supervisor to restart it. The
 * hidden {@code --testing-index-writer-dies-after} flag kills the writer at its Nth batch write.
 */
class FatalStopTest {
    @Test
    void theIndexWriterDyingStopsTheProcess() throws Exception {
        Path data = Files.createTempDirectory("kura-fatal");
        try (ServerProcess server = ServerProcess.start(data, ServerProcess.freePort(), ServerProcess.freePort(),
                List.of("--testing-index-writer-dies-after", "3"), "-Xmx128m");
             S3Client s3 = server.client()) {
            for (int i = 0; i < 20 && server.process.isAlive(); i++) {
                try {
                    if (i == 0) {
                        s3.createBucket(b -> b.bucket("fatal"));
                    } else {
                        int n = i;
                        s3.putObject(r -> r.bucket("fatal").key("k" + n), RequestBody.fromString("v"));
                    }
                } catch (RuntimeException e) {
                    // the write that met the dead writer, or the process already gone
                }
            }
            assertThat(server.process.waitFor(30, TimeUnit.SECONDS)).as("the process stopped").isTrue();
            assertThat(server.process.exitValue()).isEqualTo(70);
            String log = Files.readString(server.log);
            assertThat(log).contains("index applier died; no more writes");
            assertThat(log).contains("kura: FATAL: the index writer died");
        } finally {
            TestFiles.deleteTree(data);
            Files.deleteIfExists(data.resolveSibling(data.getFileName() + ".master-key"));
        }
    }
}
