package dev.kura.frontend.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Who is kept out at accept, for how long, and when it is forgiven — on a clock the test moves. */
class PenaltiesTest {
    private final AtomicLong clock = new AtomicLong(1_000_000_000L);
    private final Penalties p = new Penalties(clock::get);

    private static InetAddress at(String a) throws Exception {
        return InetAddress.getByName(a);
    }

    private void pass(long millis) {
        clock.addAndGet(TimeUnit.MILLISECONDS.toNanos(millis));
    }

    @Test
    void anEvictedReaderIsKeptOutForFiveSecondsThenLetIn() throws Exception {
        InetAddress a = at("127.0.9.1");
        assertThat(p.refuses(a)).isFalse();
        assertThat(p.offence(a, Penalties.Offence.STOPPED_READING)).isEqualTo(5_000);
        assertThat(p.refuses(a)).isTrue();
        assertThat(p.refuses(at("127.0.9.2"))).as("only that address").isFalse();
        pass(4_999);
        assertThat(p.refuses(a)).isTrue();
        pass(1);
        assertThat(p.refuses(a)).isFalse();
        assertThat(p.imposed()).isEqualTo(1);
        assertThat(p.refused()).isEqualTo(2);
    }

    @Test
    void aClientThatComesBackToDoItAgainWaitsTwiceAsLongEachTimeUpToAMinute() throws Exception {
        InetAddress a = at("127.0.9.3");
        long[] expected = {5_000, 10_000, 20_000, 40_000, 60_000, 60_000};
        for (long out : expected) {
            assertThat(p.offence(a, Penalties.Offence.STOPPED_READING)).isEqualTo(out);
            pass(out + 100); // back as soon as it is let in, and at it again
        }
    }

    @Test
    void offencesWhileAlreadyOutDoNotEscalate() throws Exception {
        InetAddress a = at("127.0.9.4");
        assertThat(p.offence(a, Penalties.Offence.STOPPED_READING)).isEqualTo(5_000);
        pass(100); // its other connections, still open, are evicted too
        assertThat(p.offence(a, Penalties.Offence.STOPPED_READING)).isEqualTo(4_900);
        assertThat(p.offence(a, Penalties.Offence.MISSED_HEAD_DEADLINE)).isEqualTo(4_900);
        assertThat(p.imposed()).isEqualTo(1);
    }

    @Test
    void aMinuteOfGoodBehaviourAfterTheTimeOutStartsOver() throws Exception {
        InetAddress a = at("127.0.9.5");
        p.offence(a, Penalties.Offence.STOPPED_READING);
        pass(5_000);
        assertThat(p.offence(a, Penalties.Offence.STOPPED_READING)).isEqualTo(10_000);
        pass(10_000 + 59_000);
        assertThat(p.offence(a, Penalties.Offence.STOPPED_READING)).as("within a minute of the time out's end")
                .isEqualTo(20_000);
        pass(20_000 + 60_000);
        assertThat(p.offence(a, Penalties.Offence.STOPPED_READING)).as("forgiven").isEqualTo(5_000);
    }

    @Test
    void slowHeadsAreToleratedThreeTimesThenKeepTheAddressOut() throws Exception {
        InetAddress a = at("127.0.9.6");
        for (int i = 0; i < Penalties.HEAD_TIMEOUTS_TOLERATED; i++) {
            assertThat(p.offence(a, Penalties.Offence.MISSED_HEAD_DEADLINE)).isZero();
            assertThat(p.refuses(a)).isFalse();
            pass(10_000);
        }
        assertThat(p.offence(a, Penalties.Offence.MISSED_HEAD_DEADLINE)).isEqualTo(5_000);
        assertThat(p.refuses(a)).isTrue();
        pass(5_000);
        // the count starts again after a time out: three more tolerated, then 10 s
        for (int i = 0; i < Penalties.HEAD_TIMEOUTS_TOLERATED; i++) {
            assertThat(p.offence(a, Penalties.Offence.MISSED_HEAD_DEADLINE)).isZero();
        }
        assertThat(p.offence(a, Penalties.Offence.MISSED_HEAD_DEADLINE)).isEqualTo(10_000);
    }

    @Test
    void slowHeadsFarApartAreForgotten() throws Exception {
        InetAddress a = at("127.0.9.7");
        for (int i = 0; i < 10; i++) {
            assertThat(p.offence(a, Penalties.Offence.MISSED_HEAD_DEADLINE)).isZero();
            pass(61_000);
        }
        assertThat(p.imposed()).isZero();
    }

    @Test
    void theTableIsBoundedAndForgetsStaleAddressesFirst() throws Exception {
        InetAddress kept = at("10.0.0.1");
        for (int i = 0; i < Penalties.MAX_TRACKED; i++) {
            p.offence(InetAddress.getByAddress(new byte[] {10, 1, (byte) (i >> 8), (byte) i}),
                    Penalties.Offence.MISSED_HEAD_DEADLINE);
        }
        pass(61_000); // every one of those is now forgotten
        p.offence(kept, Penalties.Offence.STOPPED_READING);
        assertThat(p.tracked()).isEqualTo(1);
        assertThat(p.refuses(kept)).isTrue();
    }
}
