package dev.kura.frontend.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kura.frontend.http.Exchange;
import dev.kura.frontend.http.RequestInfo;
import dev.kura.s3.S3ErrorCode;
import dev.kura.s3.S3Exception;
import dev.kura.s3.http.RequestHead;
import dev.kura.s3.xml.XmlWriter;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LongRunningTest {

    /** Records what a handler sends. */
    static final class Recorder implements Exchange {
        final RequestInfo info = new RequestInfo();
        final ByteArrayOutputStream body = new ByteArrayOutputStream();
        int status;
        boolean chunked;
        boolean responded;

        @Override
        public RequestHead head() {
            return RequestHead.builder("POST", "/b/k?uploadId=x").build();
        }

        @Override
        public String requestId() {
            return "REQ1";
        }

        @Override
        public RequestInfo info() {
            return info;
        }

        @Override
        public SocketAddress remoteAddress() {
            return null;
        }

        @Override
        public InputStream body() {
            return InputStream.nullInputStream();
        }

        @Override
        public boolean bodyConsumed() {
            return true;
        }

        @Override
        public void respond(int s, Map<String, String> headers, byte[] b) {
            status = s;
            responded = true;
            body.writeBytes(b);
        }

        @Override
        public void respondStream(int s, Map<String, String> headers, long length, InputStream source) {
            throw new UnsupportedOperationException();
        }

        @Override
        public OutputStream respondChunked(int s, Map<String, String> headers) {
            status = s;
            responded = true;
            chunked = true;
            return body;
        }

        @Override
        public boolean responded() {
            return responded;
        }

        @Override
        public void closeAfterResponse() {
        }
    }

    @Test
    void quickWorkIsAnOrdinaryResponse() throws Exception {
        Recorder r = new Recorder();
        LongRunning.respond(r, () -> XmlWriter.document("Done").element("ETag", "x"));
        assertThat(r.chunked).isFalse();
        assertThat(r.status).isEqualTo(200);
        assertThat(r.body.toString(StandardCharsets.UTF_8)).contains("<Done");
    }

    @Test
    void quickFailureIsAnOrdinaryError() {
        Recorder r = new Recorder();
        assertThatThrownBy(() -> LongRunning.respond(r, () -> {
            throw new S3Exception(S3ErrorCode.InvalidPart);
        })).isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.code()).isEqualTo(S3ErrorCode.InvalidPart));
        assertThat(r.responded).isFalse();
    }

    @Test
    void slowWorkStartsEarlyAndKeepsTheConnectionAlive() throws Exception {
        Recorder r = new Recorder();
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        Thread.ofVirtual().start(() -> {
            // let the work finish only once at least one keep-alive space has gone out
            while (r.body.size() < "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n ".length()) {
                Thread.onSpinWait();
            }
            release.countDown();
        });
        LongRunning.respond(r, () -> {
            release.await();
            return XmlWriter.document("CompleteMultipartUploadResult").element("ETag", "\"e-2\"");
        }, 10, 10);
        String body = r.body.toString(StandardCharsets.UTF_8);
        assertThat(r.chunked).isTrue();
        assertThat(r.status).isEqualTo(200);
        assertThat(body).startsWith("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n ")
                .endsWith("</CompleteMultipartUploadResult>").contains("<ETag>&quot;e-2&quot;</ETag>");
        assertThat(body.indexOf("<?xml", 1)).isNegative();
    }

    @Test
    void slowFailureIsAnErrorDocumentInsideThe200() throws Exception {
        Recorder r = new Recorder();
        java.util.concurrent.CountDownLatch never = new java.util.concurrent.CountDownLatch(1);
        LongRunning.respond(r, () -> {
            never.await(200, java.util.concurrent.TimeUnit.MILLISECONDS); // outlasts the first wait below
            throw new S3Exception(S3ErrorCode.InvalidPart);
        }, 10, 10);
        String body = r.body.toString(StandardCharsets.UTF_8);
        assertThat(r.status).isEqualTo(200);
        assertThat(body).contains("<Error><Code>InvalidPart</Code>").contains("<RequestId>REQ1</RequestId>");
        assertThat(r.info.errorCode()).isEqualTo("InvalidPart");
    }
}
