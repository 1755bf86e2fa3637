package dev.kura.bench.load;

import dev.kura.bench.http.HttpConn.Response;
import java.io.IOException;
import java.io.PrintStream;
import java.util.List;

/** Deletes every object under a run's prefix: list a page, DeleteObjects it, until none is left. */
final class Cleanup {
    private static final int MAX_PAGES = 100_000;

    private Cleanup() {
    }

    static long deleteRun(S3Client client, String prefix, PrintStream log) throws IOException {
        long t0 = System.nanoTime();
        long deleted = 0;
        for (int page = 0; page < MAX_PAGES; page++) {
            // always from the start: the previous page's keys are gone, so no continuation token is needed
            Response r = client.listObjectsV2(prefix, null, 1000);
            if (r.status() != 200) {
                log.printf("cleanup: listing failed: %s%n", Worker.errorCode(r));
                return deleted;
            }
            List<String> keys = Xml.all(r.bodyText(), "Key");
            if (keys.isEmpty()) {
                break;
            }
            Response d = client.deleteObjects(keys);
            if (d.status() != 200 || d.bodyText().contains("<Error>")) {
                log.printf("cleanup: DeleteObjects failed: %s%n", Worker.errorCode(d));
                return deleted;
            }
            deleted += keys.size();
        }
        if (deleted > 0) {
            log.printf("cleanup: deleted %d objects in %.1f s%n", deleted, (System.nanoTime() - t0) / 1e9);
        }
        return deleted;
    }
}
