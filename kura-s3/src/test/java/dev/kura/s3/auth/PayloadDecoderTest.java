package dev.kura.s3.auth;

import static dev.kura.s3.auth.ChunkedBodyTest.random;
import static dev.kura.s3.auth.ChunkedBodyTest.readFails;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kura.s3.S3ErrorCode;
import dev.kura.s3.S3Exception;
import dev.kura.s3.http.RequestHead;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/** The non-chunked payload modes: declared SHA-256 checked at end of body, and plain passthrough. */
class PayloadDecoderTest {
    @Test
    void sha256BodyChecksAtEnd() throws IOException {
        byte[] data = random(5000);
        TestSigner.Request r = new TestSigner.Request("PUT", "/b/k");
        String sha = TestSigner.hex(TestSigner.sha256(data));
        RequestHead head = r.signHeader(sha);
        AuthContext auth = TestSigner.authenticator().authenticate(head);
        assertThat(PayloadDecoder.wrap(new ByteArrayInputStream(data), auth, head).readAllBytes()).isEqualTo(data);
        byte[] other = data.clone();
        other[4999] ^= 1;
        DecodedBody body = PayloadDecoder.wrap(new ByteArrayInputStream(other), auth, head);
        S3Exception e = readFails(body, S3ErrorCode.XAmzContentSHA256Mismatch);
        assertThat(e.details()).containsEntry("ClientComputedContentSHA256", sha)
                .containsEntry("S3ComputedContentSHA256", TestSigner.hex(TestSigner.sha256(other)));
        assertThatThrownBy(body::read).isInstanceOf(S3Exception.class);
        readFails(PayloadDecoder.wrap(new ByteArrayInputStream(new byte[0]), auth, head),
                S3ErrorCode.XAmzContentSHA256Mismatch);
    }

    /** Once a mismatch is reported, a retrying caller never gets a clean end of stream. */
    @Test
    void mismatchStaysAFailure() throws IOException {
        RequestHead head = new TestSigner.Request("PUT", "/b/k").signHeader(TestSigner.EMPTY_SHA256);
        AuthContext auth = TestSigner.authenticator().authenticate(head);
        DecodedBody body = PayloadDecoder.wrap(new ByteArrayInputStream(new byte[] {7}), auth, head);
        assertThat(body.read()).isEqualTo(7);
        readFails(body, S3ErrorCode.XAmzContentSHA256Mismatch);
        readFails(body, S3ErrorCode.XAmzContentSHA256Mismatch);
    }

    @Test
    void unsignedPayloadPassesThrough() throws IOException {
        byte[] data = random(100);
        RequestHead head = RequestHead.builder("PUT", "/b/k").build();
        DecodedBody body = PayloadDecoder.wrap(new ByteArrayInputStream(data), AuthContext.anonymous(), head);
        assertThat(body.readAllBytes()).isEqualTo(data);
        assertThat(body.trailers()).isEmpty();
    }

    @Test
    void authContextRejectsInconsistentModes() {
        assertThatThrownBy(() -> new AuthContext("a", PayloadMode.SIGNED, null, null))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new AuthContext("a", PayloadMode.STREAMING_SIGNED, null, null))
                .isInstanceOf(IllegalArgumentException.class);
    }

}
