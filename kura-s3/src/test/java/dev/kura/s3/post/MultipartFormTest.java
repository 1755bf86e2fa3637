package dev.kura.s3.post;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kura.s3.S3ErrorCode;
import dev.kura.s3.S3Exception;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

class MultipartFormTest {
    static final String B = "----kuraBoundary7MA4YWxk";

    static byte[] form(byte[] file, String... fields) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        StringBuilder sb = new StringBuilder("preamble to ignore\r\n");
        for (int i = 0; i < fields.length; i += 2) {
            sb.append("--").append(B).append("\r\nContent-Disposition: form-data; name=\"").append(fields[i])
                    .append("\"\r\n\r\n").append(fields[i + 1]).append("\r\n");
        }
        sb.append("--").append(B).append("\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a b.txt\"\r\n")
                .append("Content-Type: application/octet-stream\r\n\r\n");
        out.writeBytes(sb.toString().getBytes(StandardCharsets.UTF_8));
        out.writeBytes(file);
        out.writeBytes(("\r\n--" + B + "\r\nContent-Disposition: form-data; name=\"after\"\r\n\r\nignored\r\n--" + B + "--\r\n")
                .getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    /** Hands out at most n bytes per read, to cut the delimiter at every position. */
    static InputStream trickle(byte[] bytes, int n) {
        return new FilterInputStream(new ByteArrayInputStream(bytes)) {
            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                return super.read(b, off, Math.min(len, n));
            }
        };
    }

    @Test
    void fieldsThenTheFileStreamedToItsDelimiter() throws IOException {
        byte[] file = new byte[300_000];
        new Random(1).nextBytes(file);
        // bytes that look like the start of a delimiter inside the file
        System.arraycopy(("\r\n--" + B.substring(0, 10)).getBytes(StandardCharsets.ISO_8859_1), 0, file, 1000, 14);
        for (int chunk : new int[] {1, 7, 8192, 1 << 20}) {
            MultipartForm f = MultipartForm.open(trickle(form(file, "Key", "${filename}", "x-amz-meta-ü", "välue"), chunk), B);
            MultipartForm.Fields fields = f.readFields();
            assertThat(fields.values()).containsEntry("key", "${filename}").containsEntry("x-amz-meta-ü", "välue");
            assertThat(fields.filename()).isEqualTo("a b.txt");
            assertThat(fields.fileContentType()).isEqualTo("application/octet-stream");
            assertThat(f.file().readAllBytes()).isEqualTo(file);
            assertThat(f.drain(1024)).isTrue();
        }
    }

    @Test
    void boundaryComesFromTheContentType() {
        assertThat(MultipartForm.boundary("multipart/form-data; boundary=abc")).isEqualTo("abc");
        assertThat(MultipartForm.boundary("Multipart/Form-Data;boundary=\"a b\"")).isEqualTo("a b");
        assertThat(MultipartForm.boundary("application/x-www-form-urlencoded")).isNull();
        assertThat(MultipartForm.boundary("multipart/form-data")).isNull();
        assertThat(MultipartForm.boundary(null)).isNull();
    }

    @Test
    void aFormWithoutFileOrCutShortIsRefused() {
        String noFile = "--" + B + "\r\nContent-Disposition: form-data; name=\"key\"\r\n\r\nk\r\n--" + B + "--\r\n";
        code(noFile.getBytes(StandardCharsets.UTF_8), S3ErrorCode.IncorrectNumberOfFilesInPostRequest);
        String cut = "--" + B + "\r\nContent-Disposition: form-data; name=\"key\"\r\n\r\nk";
        code(cut.getBytes(StandardCharsets.UTF_8), S3ErrorCode.MalformedPOSTRequest);
        String noName = "--" + B + "\r\nContent-Disposition: form-data\r\n\r\nk\r\n--" + B + "--\r\n";
        code(noName.getBytes(StandardCharsets.UTF_8), S3ErrorCode.MalformedPOSTRequest);
        code(form(new byte[1], "big", "x".repeat(MultipartForm.MAX_FIELD_BYTES + 1)), S3ErrorCode.MaxPostPreDataLengthExceededError);
    }

    @Test
    void aFileCutShortFailsInsteadOfEndingEarly() throws IOException {
        byte[] whole = form("hello".getBytes(StandardCharsets.UTF_8));
        int end = new String(whole, StandardCharsets.ISO_8859_1).indexOf("hello") + 5;
        byte[] cut = java.util.Arrays.copyOf(whole, end + 3); // the file and part of its delimiter
        MultipartForm f = MultipartForm.open(new ByteArrayInputStream(cut), B);
        f.readFields();
        assertThatThrownBy(() -> f.file().readAllBytes()).isInstanceOfSatisfying(S3Exception.class,
                e -> assertThat(e.code()).isEqualTo(S3ErrorCode.MalformedPOSTRequest));
    }

    private static void code(byte[] body, S3ErrorCode code) {
        assertThatThrownBy(() -> MultipartForm.open(new ByteArrayInputStream(body), B).readFields())
                .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.code()).isEqualTo(code));
    }
}
