package dev.kura.frontend.s3;

import dev.kura.frontend.http.Exchange;
import dev.kura.index.ListPage;
import dev.kura.index.VersionPage;
import dev.kura.index.ObjectRecord;
import dev.kura.object.ObjectService;
import dev.kura.s3.S3ErrorCode;
import dev.kura.s3.S3Exception;
import dev.kura.s3.op.S3Operation;
import dev.kura.s3.xml.XmlWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.function.UnaryOperator;

/**
 * ListObjectsV2 and ListObjects (V1). Both are one bounded index page; a continuation token
 * encodes the last key or common prefix returned (never server-side state), so any node can
 * continue a listing.
 */
final class ListApi {
    private final ObjectService objects;
    private final AccessControl access;

    ListApi(ObjectService objects, AccessControl access) {
        this.objects = objects;
        this.access = access;
    }

    // https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html
    void listV2(S3Operation.ListObjectsV2 op, Exchange ex) throws IOException {
        // an empty continuation-token is no token (and is echoed back as sent)
        boolean continued = op.continuationToken() != null && !op.continuationToken().isEmpty();
        String after = continued ? decodeToken(op.continuationToken()) : op.startAfter();
        ListPage page = objects.list(op.bucket(), op.prefix(), op.delimiter(), after, op.maxKeys());
        UnaryOperator<String> enc = op.urlEncoding() ? ListApi::urlEncode : s -> s;
        XmlWriter doc = XmlWriter.document("ListBucketResult")
                .element("Name", op.bucket())
                .element("Prefix", enc.apply(op.prefix()))
                .element("Delimiter", op.delimiter() == null ? null : enc.apply(op.delimiter()))
                .element("MaxKeys", op.maxKeys())
                .element("EncodingType", op.urlEncoding() ? "url" : null)
                .element("KeyCount", page.objects().size() + page.commonPrefixes().size())
                .element("IsTruncated", page.truncated())
                .element("ContinuationToken", op.continuationToken())
                .element("NextContinuationToken", page.truncated() ? encodeToken(page.nextStartAfter()) : null)
                .element("StartAfter", op.startAfter() == null ? null : enc.apply(op.startAfter()));
        contents(doc, page, enc, op.fetchOwner());
        Responses.xml(ex, 200, doc);
    }

    // https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjects.html
    void listV1(S3Operation.ListObjects op, Exchange ex) throws IOException {
        ListPage page = objects.list(op.bucket(), op.prefix(), op.delimiter(), op.marker(), op.maxKeys());
        UnaryOperator<String> enc = op.urlEncoding() ? ListApi::urlEncode : s -> s;
        XmlWriter doc = XmlWriter.document("ListBucketResult")
                .element("Name", op.bucket())
                // S3 leaves V1's Prefix as sent (clients do not decode it); keys and markers are encoded.
                .element("Prefix", op.prefix())
                .element("Marker", op.marker() == null ? "" : enc.apply(op.marker()))
                .element("MaxKeys", op.maxKeys())
                .element("Delimiter", op.delimiter() == null ? null : enc.apply(op.delimiter()))
                .element("EncodingType", op.urlEncoding() ? "url" : null)
                .element("IsTruncated", page.truncated())
                // S3 sends NextMarker only with a delimiter; clients otherwise continue from the last key.
                .element("NextMarker", page.truncated() && op.delimiter() != null ? enc.apply(page.nextStartAfter()) : null);
        contents(doc, page, enc, true);
        Responses.xml(ex, 200, doc);
    }

    /**
     * ListObjectVersions (https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectVersions.html):
     * every version and delete marker, keys in order and each key's versions newest first.
     */
    void listVersions(S3Operation.ListObjectVersions op, Exchange ex) throws IOException {
        var head = ex.head();
        String prefix = head.queryParam("prefix") == null ? "" : head.queryParam("prefix");
        String delimiter = head.queryParam("delimiter") == null || head.queryParam("delimiter").isEmpty() ? null
                : head.queryParam("delimiter");
        String keyMarker = head.queryParam("key-marker") == null || head.queryParam("key-marker").isEmpty() ? null
                : head.queryParam("key-marker");
        String versionMarker = head.queryParam("version-id-marker");
        if (versionMarker != null && !versionMarker.isEmpty() && keyMarker == null) {
            throw new S3Exception(S3ErrorCode.InvalidArgument,
                    "A version-id marker cannot be specified without a key marker.")
                    .with("ArgumentName", "version-id-marker").with("ArgumentValue", versionMarker);
        }
        int maxKeys = MultipartApi.intParam(head, "max-keys", 1000, 1000);
        boolean url = "url".equals(head.queryParam("encoding-type"));
        UnaryOperator<String> enc = url ? ListApi::urlEncode : s -> s;
        VersionPage page = objects.listVersions(op.bucket(), prefix, delimiter, keyMarker,
                versionMarker == null || versionMarker.isEmpty() ? null : versionMarker, maxKeys);
        XmlWriter doc = XmlWriter.document("ListVersionsResult")
                .element("Name", op.bucket())
                .element("Prefix", enc.apply(prefix))
                .element("KeyMarker", keyMarker == null ? "" : enc.apply(keyMarker))
                .element("VersionIdMarker", versionMarker == null ? "" : versionMarker)
                .element("MaxKeys", maxKeys)
                .element("Delimiter", delimiter == null ? null : enc.apply(delimiter))
                .element("EncodingType", url ? "url" : null)
                .element("IsTruncated", page.truncated());
        if (page.truncated()) {
            doc.element("NextKeyMarker", enc.apply(page.nextKeyMarker()))
                    .element("NextVersionIdMarker", page.nextVersionIdMarker());
        }
        for (VersionPage.Entry e : page.versions()) {
            ObjectRecord r = e.record();
            if (r.deleteMarker()) {
                doc.start("DeleteMarker").element("Key", enc.apply(r.key())).element("VersionId", r.versionId())
                        .element("IsLatest", e.latest()).element("LastModified", r.lastModified())
                        ;
                access.owner(r.owner()).writeTo(doc);
                doc.end();
                continue;
            }
            doc.start("Version").element("Key", enc.apply(r.key())).element("VersionId", r.versionId())
                    .element("IsLatest", e.latest()).element("LastModified", r.lastModified())
                    .element("ETag", Responses.quoted(r.etag()));
            if (r.checksum() != null) {
                doc.element("ChecksumAlgorithm", r.checksum().algorithm().name())
                        .element("ChecksumType", r.checksum().type().name());
            }
            doc.element("Size", r.size());
            access.owner(r.owner()).writeTo(doc);
            doc.element("StorageClass", r.storageClass()).end();
        }
        for (String p : page.commonPrefixes()) {
            doc.start("CommonPrefixes").element("Prefix", enc.apply(p)).end();
        }
        Responses.xml(ex, 200, doc);
    }

    private void contents(XmlWriter doc, ListPage page, UnaryOperator<String> enc, boolean withOwner) {
        for (ObjectRecord r : page.objects()) {
            doc.start("Contents")
                    .element("Key", enc.apply(r.key()))
                    .element("LastModified", r.lastModified())
                    .element("ETag", Responses.quoted(r.etag()));
            if (r.checksum() != null) {
                doc.element("ChecksumAlgorithm", r.checksum().algorithm().name())
                        .element("ChecksumType", r.checksum().type().name());
            }
            doc.element("Size", r.size());
            if (withOwner) {
                access.owner(r.owner()).writeTo(doc);
            }
            doc.element("StorageClass", r.storageClass()).end();
        }
        for (String p : page.commonPrefixes()) {
            doc.start("CommonPrefixes").element("Prefix", enc.apply(p)).end();
        }
    }

    /**
     * S3's encoding-type=url form: every byte percent-encoded except RFC 3986 unreserved characters
     * and '/', so {@code "a b+c/d"} becomes {@code "a%20b%2Bc/d"} (what botocore and the SDKs decode).
     */
    static String urlEncode(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 16);
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '_' || c == '.' || c == '~' || c == '/') {
                sb.append((char) c);
            } else {
                sb.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 15, 16)));
            }
        }
        return sb.toString();
    }

    static String encodeToken(String startAfter) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(("1:" + startAfter).getBytes(StandardCharsets.UTF_8));
    }

    static String decodeToken(String token) {
        try {
            String s = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
            if (s.startsWith("1:")) {
                return s.substring(2);
            }
        } catch (IllegalArgumentException e) {
            // fall through
        }
        throw new S3Exception(S3ErrorCode.InvalidArgument, "The continuation token provided is incorrect")
                .with("ArgumentName", "continuation-token");
    }
}
