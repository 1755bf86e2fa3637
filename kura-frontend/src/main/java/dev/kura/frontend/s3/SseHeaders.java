package dev.kura.frontend.s3;

import dev.kura.index.ObjectRecord;
import dev.kura.object.Sse;
import dev.kura.s3.S3ErrorCode;
import dev.kura.s3.S3Exception;
import dev.kura.s3.http.RequestHead;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Map;

/**
 * Server-side encryption headers, parsed once into {@link Sse} values, and echoed on responses
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/ServerSideEncryptionCustomerKeys.html,
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingServerSideEncryption.html).
 * SSE-KMS and DSSE-KMS are refused with 501: Kura has no key management service.
 */
final class SseHeaders {
    static final String SSE = "x-amz-server-side-encryption";
    static final String CUSTOMER = "x-amz-server-side-encryption-customer-";
    static final String COPY_SOURCE_CUSTOMER = "x-amz-copy-source-server-side-encryption-customer-";
    static final String AES256 = "AES256";

    private SseHeaders() {
    }

    /**
     * What a write (PutObject, CopyObject's destination, CreateMultipartUpload) asks for. Header sets
     * that contradict each other are S3's 400 InvalidArgument first; only a well-formed SSE-KMS request
     * gets 501.
     */
    static Sse forWrite(RequestHead head) {
        String sse = head.header(SSE);
        String algorithm = sse == null ? null : sse.trim();
        Sse.Customer customer = customer(head, CUSTOMER);
        if (algorithm != null && customer != null) {
            throw new S3Exception(S3ErrorCode.InvalidArgument, "Server Side Encryption with Customer provided key is "
                    + "incompatible with the encryption method specified").with("ArgumentName", SSE)
                    .with("ArgumentValue", sse);
        }
        boolean kmsHeaders = head.header(SSE + "-aws-kms-key-id") != null || head.header(SSE + "-context") != null;
        boolean kms = algorithm != null && algorithm.startsWith("aws:kms");
        if (kmsHeaders && !kms) {
            throw new S3Exception(S3ErrorCode.InvalidArgument, "Server Side Encryption with AWS KMS managed key requires "
                    + "HTTP header x-amz-server-side-encryption : aws:kms").with("ArgumentName", SSE + "-aws-kms-key-id");
        }
        if (kms) {
            throw kmsNotImplemented();
        }
        if (algorithm != null) {
            if (!algorithm.equals(AES256)) {
                throw new S3Exception(S3ErrorCode.InvalidArgument, "The encryption method specified is not supported")
                        .with("ArgumentName", SSE).with("ArgumentValue", sse);
            }
            return Sse.S3;
        }
        return customer != null ? customer : Sse.NONE;
    }

    /**
     * The SSE-C key of a request that reads or extends existing data (GetObject, HeadObject,
     * UploadPart, CompleteMultipartUpload, GetObjectAttributes), or null; SSE-S3 and KMS headers are
     * not valid there.
     */
    static Sse.Customer key(RequestHead head) {
        String sse = head.header(SSE);
        if (sse != null) {
            refuseKms(head, sse);
            throw new S3Exception(S3ErrorCode.InvalidArgument, "x-amz-server-side-encryption header is not supported "
                    + "for this operation.").with("ArgumentName", SSE).with("ArgumentValue", sse);
        }
        return customer(head, CUSTOMER);
    }

    /** The copy source's SSE-C key (CopyObject, UploadPartCopy), or null. */
    static Sse.Customer copySourceKey(RequestHead head) {
        return customer(head, COPY_SOURCE_CUSTOMER);
    }

    private static void refuseKms(RequestHead head, String sse) {
        if (sse != null && sse.trim().startsWith("aws:kms")) {
            throw kmsNotImplemented();
        }
    }

    /** S3-COMPAT: no key management service: SSE-KMS and DSSE-KMS are not implemented. */
    private static S3Exception kmsNotImplemented() {
        return new S3Exception(S3ErrorCode.NotImplemented, "Server-side encryption with AWS KMS keys (SSE-KMS, DSSE-KMS) "
                + "is not implemented; use SSE-S3 (AES256) or SSE-C").with("Header", SSE);
    }

    private static Sse.Customer customer(RequestHead head, String prefix) {
        String algorithm = head.header(prefix + "algorithm");
        String key = head.header(prefix + "key");
        String md5 = head.header(prefix + "key-md5");
        if (algorithm == null && key == null && md5 == null) {
            return null;
        }
        if (algorithm == null || !algorithm.trim().equals(AES256)) {
            throw invalid(prefix + "algorithm", algorithm, "Requests specifying Server Side Encryption with Customer "
                    + "provided keys must provide a valid encryption algorithm.");
        }
        if (key == null) {
            throw invalid(prefix + "key", null, "Requests specifying Server Side Encryption with Customer provided keys "
                    + "must provide an appropriate secret key.");
        }
        byte[] raw;
        try {
            raw = Base64.getDecoder().decode(key.trim());
        } catch (IllegalArgumentException e) {
            raw = new byte[0];
        }
        if (raw.length != 32) {
            throw invalid(prefix + "key", null, "The secret key was invalid for the specified algorithm.");
        }
        if (md5 == null) {
            throw invalid(prefix + "key-MD5", null, "Requests specifying Server Side Encryption with Customer provided "
                    + "keys must provide the client calculated MD5 of the secret key.");
        }
        byte[] actual;
        try {
            actual = MessageDigest.getInstance("MD5").digest(raw);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        byte[] given;
        try {
            given = Base64.getDecoder().decode(md5.trim());
        } catch (IllegalArgumentException e) {
            given = new byte[0];
        }
        if (!MessageDigest.isEqual(actual, given)) {
            throw invalid(prefix + "key-MD5", null, "The calculated MD5 hash of the key did not match the hash that was provided.");
        }
        return new Sse.Customer(raw, Base64.getEncoder().encodeToString(actual));
    }

    /** 400 InvalidArgument naming the header; the value is echoed only when it is not secret. */
    private static S3Exception invalid(String header, String value, String message) {
        S3Exception e = new S3Exception(S3ErrorCode.InvalidArgument, message).with("ArgumentName", header);
        return value == null ? e : e.with("ArgumentValue", value);
    }

    /**
     * The response headers for a version or upload with this encryption: SSE-S3's
     * {@code x-amz-server-side-encryption}, or SSE-C's algorithm and the key's MD5 (the request's).
     */
    static void put(Map<String, String> h, ObjectRecord.Encryption encryption, Sse.Customer key) {
        if (encryption == null) {
            return;
        }
        if (encryption.isCustomer()) {
            h.put(CUSTOMER + "algorithm", AES256);
            if (key != null) {
                h.put(CUSTOMER + "key-MD5", key.keyMd5());
            }
        } else {
            h.put(SSE, AES256);
        }
    }

    /** The headers for what a write asked for (when answering before the write's record is known). */
    static void putRequested(Map<String, String> h, Sse sse) {
        switch (sse) {
            case Sse.S3 s -> h.put(SSE, AES256);
            case Sse.Customer c -> {
                h.put(CUSTOMER + "algorithm", AES256);
                h.put(CUSTOMER + "key-MD5", c.keyMd5());
            }
            case Sse.None n -> { }
        }
    }

    /** The SSE-C key a write used, if any (for the response's MD5). */
    static Sse.Customer customerOf(Sse sse) {
        return sse instanceof Sse.Customer c ? c : null;
    }
}
