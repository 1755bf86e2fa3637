package dev.kura.cluster;

import dev.kura.index.BucketRecord;
import dev.kura.index.IndexException;
import dev.kura.index.IndexResult;
import dev.kura.index.ObjectRecord;
import dev.kura.index.codec.RecordCodec;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Optional;

/**
 * The binary form of what applying one command did, carried from the replica that applied it back to
 * the caller in the Raft reply: a result ({@link IndexResult}, records in their own versioned forms) or
 * the rejection ({@link IndexException}, rebuilt as the same type and message), so a caller of
 * {@link ReplicatedIndex} sees exactly what a caller of the single-node index sees.
 *
 * <p>Format: a version byte (1), a tag (never reused), the fields. Also an answer of its own,
 * {@link #SKIPPED}: the entry was already applied before the replica restarted, its outcome is gone.
 */
final class OutcomeCodec {
    static final byte FORMAT = 1;

    private static final byte DONE = 0;
    private static final byte ALREADY_COMPLETED = 1;
    private static final byte REPLACED = 2;
    private static final byte SKIPPED_TAG = 3;
    private static final byte DUPLICATE_TAG = 4;
    private static final byte UNCHANGED = 5;
    private static final byte PRECONDITION_FAILED = 20;
    private static final byte NO_SUCH_BUCKET = 21;
    private static final byte BUCKET_ALREADY_EXISTS = 22;
    private static final byte NO_SUCH_UPLOAD = 23;
    private static final byte NO_SUCH_USER = 24;
    private static final byte USER_ALREADY_EXISTS = 25;
    private static final byte NO_SUCH_PARTITION = 26;
    private static final byte NO_SUCH_KEY = 27;
    private static final byte INVALID_BUCKET_STATE = 28;
    private static final byte OBJECT_LOCKED = 29;
    private static final byte NO_SUCH_VERSION = 30;
    private static final byte INVALID_PART = 31;
    private static final byte BUCKET_NOT_EMPTY = 32;
    private static final byte ENGINE_FAILURE = 33;
    private static final byte OUTCOME_UNKNOWN = 34;
    private static final byte ILLEGAL_ARGUMENT = 40;
    private static final byte OTHER_FAILURE = 41;

    /** The answer for a log entry that was applied before a restart (see the class comment). */
    static final byte[] SKIPPED = {FORMAT, SKIPPED_TAG};

    /** The answer for a second copy of a call already applied (a retry appended twice): not applied again. */
    static final byte[] DUPLICATE = {FORMAT, DUPLICATE_TAG};

    private OutcomeCodec() {
    }

    static byte[] encode(IndexResult result) {
        return Wire.write(FORMAT, out -> {
            switch (result) {
                case IndexResult.Done d -> out.writeByte(DONE);
                case IndexResult.Unchanged u -> out.writeByte(UNCHANGED);
                case IndexResult.AlreadyCompleted a -> {
                    out.writeByte(ALREADY_COMPLETED);
                    Wire.bytes(out, RecordCodec.encode(a.record()));
                }
                case IndexResult.Replaced r -> {
                    out.writeByte(REPLACED);
                    out.writeBoolean(r.previous().isPresent());
                    if (r.previous().isPresent()) {
                        Wire.bytes(out, RecordCodec.encode(r.previous().get()));
                    }
                    out.writeBoolean(r.current() != null);
                    if (r.current() != null) {
                        Wire.bytes(out, RecordCodec.encode(r.current()));
                    }
                }
            }
        });
    }

    /** A rejection: an {@link IndexException}, or any other failure of the apply (a bad argument, a bug). */
    static byte[] encodeFailure(Throwable failure) {
        return Wire.write(FORMAT, out -> {
            switch (failure) {
                case IndexException.BucketAlreadyExists e -> {
                    out.writeByte(BUCKET_ALREADY_EXISTS);
                    Wire.bytes(out, RecordCodec.encode(e.existing()));
                }
                case IndexException.NoSuchVersion e -> {
                    out.writeByte(NO_SUCH_VERSION);
                    Wire.text(out, e.getMessage());
                    Wire.text(out, e.versionId());
                }
                case IndexException e -> {
                    out.writeByte(tagOf(e));
                    Wire.text(out, e.getMessage());
                }
                case IllegalArgumentException e -> {
                    out.writeByte(ILLEGAL_ARGUMENT);
                    Wire.text(out, e.getMessage());
                }
                default -> {
                    out.writeByte(OTHER_FAILURE);
                    Wire.text(out, failure.getClass().getName() + ": " + failure.getMessage());
                }
            }
        });
    }

    private static byte tagOf(IndexException e) {
        return switch (e) {
            case IndexException.PreconditionFailed x -> PRECONDITION_FAILED;
            case IndexException.NoSuchBucket x -> NO_SUCH_BUCKET;
            case IndexException.NoSuchUpload x -> NO_SUCH_UPLOAD;
            case IndexException.NoSuchUser x -> NO_SUCH_USER;
            case IndexException.UserAlreadyExists x -> USER_ALREADY_EXISTS;
            case IndexException.NoSuchPartition x -> NO_SUCH_PARTITION;
            case IndexException.NoSuchKey x -> NO_SUCH_KEY;
            case IndexException.InvalidBucketState x -> INVALID_BUCKET_STATE;
            case IndexException.ObjectLocked x -> OBJECT_LOCKED;
            case IndexException.InvalidPart x -> INVALID_PART;
            case IndexException.BucketNotEmpty x -> BUCKET_NOT_EMPTY;
            case IndexException.EngineFailure x -> ENGINE_FAILURE;
            case IndexException.OutcomeUnknown x -> OUTCOME_UNKNOWN;
            default -> OTHER_FAILURE;
        };
    }

    /**
     * The result, or the rejection thrown as the single-node index would throw it. A {@link #SKIPPED}
     * answer is {@link IndexException.OutcomeUnknown}: the command is applied, its result is not known.
     */
    static IndexResult decode(byte[] bytes) throws IndexException {
        try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(bytes))) {
            byte format = in.readByte();
            if (format != FORMAT) {
                throw new IllegalStateException("unknown outcome format " + format);
            }
            byte tag = in.readByte();
            return switch (tag) {
                case DONE -> IndexResult.DONE;
                case UNCHANGED -> IndexResult.UNCHANGED;
                case ALREADY_COMPLETED -> new IndexResult.AlreadyCompleted(RecordCodec.decodeObject(Wire.bytes(in)));
                case REPLACED -> {
                    Optional<ObjectRecord> previous = in.readBoolean()
                            ? Optional.of(RecordCodec.decodeObject(Wire.bytes(in))) : Optional.empty();
                    ObjectRecord current = in.readBoolean() ? RecordCodec.decodeObject(Wire.bytes(in)) : null;
                    yield new IndexResult.Replaced(previous, current);
                }
                case SKIPPED_TAG -> throw new IndexException.OutcomeUnknown(
                        "the command was applied before a replica restarted; its result is not known", null);
                case DUPLICATE_TAG -> throw new IndexException.OutcomeUnknown(
                        "a repeated copy of a command applied once already; its result is not known here", null);
                default -> throw failure(tag, in);
            };
        } catch (IOException e) {
            throw new UncheckedIOException("unreadable outcome", e);
        }
    }

    private static IndexException failure(byte tag, DataInputStream in) throws IOException {
        if (tag == BUCKET_ALREADY_EXISTS) {
            BucketRecord existing = RecordCodec.decodeBucket(Wire.bytes(in));
            return new IndexException.BucketAlreadyExists(existing);
        }
        String message = Wire.text(in);
        return switch (tag) {
            case PRECONDITION_FAILED -> new IndexException.PreconditionFailed(message);
            case NO_SUCH_BUCKET -> new IndexException.NoSuchBucket(message);
            case NO_SUCH_UPLOAD -> new IndexException.NoSuchUpload(message);
            case NO_SUCH_USER -> new IndexException.NoSuchUser(message);
            case USER_ALREADY_EXISTS -> new IndexException.UserAlreadyExists(message);
            case NO_SUCH_PARTITION -> new IndexException.NoSuchPartition(message);
            case NO_SUCH_KEY -> new IndexException.NoSuchKey(message);
            case INVALID_BUCKET_STATE -> new IndexException.InvalidBucketState(message);
            case OBJECT_LOCKED -> new IndexException.ObjectLocked(message);
            case INVALID_PART -> new IndexException.InvalidPart(message);
            case BUCKET_NOT_EMPTY -> new IndexException.BucketNotEmpty(message);
            case ENGINE_FAILURE -> new IndexException.EngineFailure(message, null);
            case OUTCOME_UNKNOWN -> new IndexException.OutcomeUnknown(message, null);
            case NO_SUCH_VERSION -> {
                String versionId = Wire.text(in);
                // The message is "<key> version <id>" (IndexException.NoSuchVersion).
                String suffix = " version " + versionId;
                String key = message != null && message.endsWith(suffix)
                        ? message.substring(0, message.length() - suffix.length()) : message;
                yield new IndexException.NoSuchVersion(key, versionId);
            }
            case ILLEGAL_ARGUMENT -> throw new IllegalArgumentException(message);
            case OTHER_FAILURE -> throw new IllegalStateException("the apply failed on the replica: " + message);
            default -> throw new IllegalStateException("unknown outcome tag " + tag);
        };
    }
}
