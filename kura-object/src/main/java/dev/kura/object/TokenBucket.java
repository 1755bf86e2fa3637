package dev.kura.object;

/**
 * A token bucket: {@code rate} tokens a second, holding at most one second's worth, so a partition
 * absorbs a one-second burst and then its steady rate. Time comes from the caller (nanoseconds of
 * any monotonic clock), so tests drive it without sleeping.
 */
final class TokenBucket {
    private final double rate;
    private final double capacity;
    private double tokens;
    private long last;

    TokenBucket(double rate, long now) {
        if (rate <= 0) {
            throw new IllegalArgumentException("rate must be positive: " + rate);
        }
        this.rate = rate;
        this.capacity = Math.max(1, rate);
        this.tokens = capacity;
        this.last = now;
    }

    /** Takes one token if there is one. */
    synchronized boolean tryTake(long now) {
        if (now > last) {
            tokens = Math.min(capacity, tokens + (now - last) * rate / 1e9);
            last = now;
        }
        if (tokens >= 1) {
            tokens -= 1;
            return true;
        }
        return false;
    }
}
