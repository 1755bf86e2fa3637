package dev.kura.frontend.http;

/**
 * What one request turned out to be, filled in as it is served: the handler names the operation
 * and what it addressed, the exchange counts bytes and status. Read by cross-cutting decorators
 * (metrics, access log) after the handler returns. Confined to the request's thread.
 */
public final class RequestInfo {
    /**
     * Where a request's time goes, for the access log's timings and traces. AUTH and PARSE are
     * sequential front-end steps ({@link #mark}); INDEX and STORAGE add up the calls a request makes
     * into those seams ({@link #addTime}), charged by decorators around them.
     */
    public enum Phase { AUTH, PARSE, INDEX, STORAGE }

    private static final int PHASES = Phase.values().length;

    private final long startNanos = System.nanoTime();
    private final long[] phaseNanos = new long[PHASES];
    private long lastMark = startNanos;
    private String operation = "Unknown";
    private String bucket;
    private String key;
    private String accessKeyId;
    private String errorCode;
    private String principal;
    private String decision;
    private int status;
    private long bytesIn;
    private long bytesOut;
    private long firstByteNanos;

    public long startNanos() {
        return startNanos;
    }

    public String operation() {
        return operation;
    }

    public void operation(String name) {
        this.operation = name;
    }

    public String bucket() {
        return bucket;
    }

    public String key() {
        return key;
    }

    public void target(String bucketName, String objectKey) {
        this.bucket = bucketName;
        this.key = objectKey;
    }

    public String accessKeyId() {
        return accessKeyId;
    }

    public void accessKeyId(String id) {
        this.accessKeyId = id;
    }

    /** Who the request acted for (user name, or "anonymous"), once authenticated. */
    public String principal() {
        return principal;
    }

    public void principal(String name) {
        this.principal = name;
    }

    /** The authorization decision and the reason that decided it ("allow: bucket owner"), or null. */
    public String decision() {
        return decision;
    }

    public void decision(String text) {
        this.decision = text;
    }

    public String errorCode() {
        return errorCode;
    }

    public void errorCode(String code) {
        this.errorCode = code;
    }

    public int status() {
        return status;
    }

    void status(int code) {
        this.status = code;
        if (firstByteNanos == 0) {
            firstByteNanos = System.nanoTime();
        }
    }

    public long bytesIn() {
        return bytesIn;
    }

    void addBytesIn(long n) {
        bytesIn += n;
    }

    public long bytesOut() {
        return bytesOut;
    }

    void addBytesOut(long n) {
        bytesOut += n;
    }

    /** When the response head went out (System.nanoTime), or 0 if it has not. */
    public long firstByteNanos() {
        return firstByteNanos;
    }

    /** Charges the time since the previous mark (or the start of the request) to {@code phase}. */
    public void mark(Phase phase) {
        long now = System.nanoTime();
        phaseNanos[phase.ordinal()] += now - lastMark;
        lastMark = now;
    }

    /** Adds time spent in {@code phase} (a call into the index or storage seam). */
    public void addTime(Phase phase, long nanos) {
        phaseNanos[phase.ordinal()] += nanos;
    }

    /** Time charged to {@code phase} so far. */
    public long phaseNanos(Phase phase) {
        return phaseNanos[phase.ordinal()];
    }
}
