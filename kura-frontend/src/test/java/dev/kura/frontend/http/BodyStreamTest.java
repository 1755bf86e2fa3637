package dev.kura.frontend.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The request body stream gives every buffer back: a buffer kept per request is a leak per PUT. */
class BodyStreamTest {

    private static ByteBuf buf(String s) {
        ByteBuf b = PooledByteBufAllocator.DEFAULT.buffer();
        b.writeCharSequence(s, StandardCharsets.US_ASCII);
        return b;
    }

    @Test
    void everyBufferIsReleasedOnceRead() throws Exception {
        Connection c = new Connection(conn -> { }, 0, ch -> { });
        ByteBuf a = buf("hello ");
        ByteBuf b = buf("big ");
        ByteBuf last = buf("world");
        c.channelRead(null, new DefaultHttpContent(a));
        c.channelRead(null, new DefaultHttpContent(b));
        c.channelRead(null, new DefaultLastHttpContent(last));
        BodyStream body = new BodyStream(c, () -> { }, 1_000, new RequestInfo());
        assertThat(new String(body.readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo("hello big world");
        assertThat(body.atEnd()).isTrue();
        for (ByteBuf x : List.of(a, b, last)) {
            assertThat(x.refCnt()).as("released").isZero();
        }
    }

    @Test
    void closeReleasesAPartlyReadBuffer() throws Exception {
        Connection c = new Connection(conn -> { }, 0, ch -> { });
        ByteBuf a = buf("abcdef");
        c.channelRead(null, new DefaultLastHttpContent(a));
        BodyStream body = new BodyStream(c, () -> { }, 1_000, new RequestInfo());
        assertThat(body.read(new byte[2], 0, 2)).isEqualTo(2);
        assertThat(a.refCnt()).isEqualTo(1);
        body.close();
        assertThat(a.refCnt()).isZero();
    }
}
