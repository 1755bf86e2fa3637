package dev.kura.frontend.s3;

import dev.kura.frontend.http.Exchange;
import dev.kura.frontend.http.HttpHandler;
import dev.kura.frontend.http.RequestInfo;
import dev.kura.object.ObjectService;
import dev.kura.object.Users;
import dev.kura.s3.access.Principal;
import dev.kura.s3.S3ErrorCode;
import dev.kura.s3.S3Exception;
import dev.kura.s3.auth.AuthContext;
import dev.kura.s3.auth.DecodedBody;
import dev.kura.s3.auth.PayloadDecoder;
import dev.kura.s3.auth.PayloadMode;
import dev.kura.s3.auth.SigV4Authenticator;
import dev.kura.s3.op.S3Operation;
import dev.kura.s3.op.S3Router;
import io.netty.handler.codec.TooLongFrameException;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The S3 front door: authenticate (before any body byte is invited), parse the request into one
 * {@link S3Operation}, dispatch with an exhaustive switch, and turn every failure into the S3 error
 * document. Unknown failures become InternalError with the request id — never a stack trace on the
 * wire.
 */
public final class S3Handler implements HttpHandler {
    private static final Logger LOG = LoggerFactory.getLogger(S3Handler.class);

    private final SigV4Authenticator auth;
    private final BucketApi buckets;
    private final ObjectApi objectApi;
    private final ListApi lists;
    private final DeleteObjectsApi deletes;
    private final MultipartApi multipart;
    private final CopyApi copies;
    private final SettingsApi settings;
    private final ProtectionApi locks;
    private final AttributesApi attributes;
    private final AccessApi accessApi;
    private final AccessControl access;
    private final ObjectService objects;
    private final EncryptionApi encryption;
    private final CorsApi cors;
    private final PostObjectApi posts;
    private final String domain;
    private final dev.kura.object.RequestBudget budget;

    /**
     * @param users  the identities that may sign (their keys also back {@code auth}'s credential store)
     * @param domain the base domain for virtual-hosted-style requests ({@code bucket.domain}), or null
     */
    public S3Handler(ObjectService objects, SigV4Authenticator auth, Users users, String domain) {
        this(objects, auth, users, domain, dev.kura.object.RequestBudget.UNLIMITED);
    }

    /** @param budget the request-rate budgets asked right after authorization (503 SlowDown beyond them) */
    public S3Handler(ObjectService objects, SigV4Authenticator auth, Users users, String domain,
                     dev.kura.object.RequestBudget budget) {
        this.budget = budget;
        this.auth = auth;
        this.domain = domain;
        this.objects = objects;
        this.access = new AccessControl(objects, users);
        this.buckets = new BucketApi(objects, access);
        this.objectApi = new ObjectApi(objects, access);
        this.lists = new ListApi(objects, access);
        this.deletes = new DeleteObjectsApi(objects, access);
        this.multipart = new MultipartApi(objects, access);
        this.copies = new CopyApi(objects, access);
        this.settings = new SettingsApi(objects);
        this.locks = new ProtectionApi(objects);
        this.attributes = new AttributesApi(objects);
        this.accessApi = new AccessApi(objects, access);
        this.encryption = new EncryptionApi(objects);
        this.cors = new CorsApi(objects.cors(), domain);
        this.posts = new PostObjectApi(objects, auth, this::authorizePostObject);
    }

    /**
     * May the signer of a POST form (or an anonymous one) PutObject bucket/key? The same decision as
     * a PutObject's (s3:PutObject, bucket write), made once the form's signature is verified;
     * returns who owns the object and its ACL.
     */
    private dev.kura.object.WriteAccess authorizePostObject(AuthContext who, String bucket, String key,
                                                           dev.kura.s3.http.RequestHead fields, Exchange ex) {
        Principal principal = access.principal(who);
        ex.info().principal(principal.label());
        access.authorizePostObject(principal, bucket, key, ex);
        return access.writeAccess(principal, bucket, fields);
    }

    @Override
    public void handle(Exchange request) throws IOException {
        serve(request, null);
    }

    /**
     * Serves one request inside a {@link dev.kura.index.ReadSession}: a replicated index confirms its read index
     * once per group for the whole request instead of before each read.
     */
    private void serve(Exchange request, AuthContext authenticated) throws IOException {
        try {
            dev.kura.index.ReadSession.run(() -> serveInSession(request, authenticated));
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Exception e) {
            throw new IOException(e);
        }
    }

    /**
     * The same front door for requests whose signer another door established (the web console's
     * session, {@link AuthenticatedExchange}): everything after authentication — routing,
     * {@link AccessControl}, the partition budget, the handlers, the S3 errors — is this handler's,
     * run as that access key's principal. Only {@link AuthenticatedExchange}s are taken.
     */
    public HttpHandler authenticatedDoor() {
        return new HttpHandler() {
            @Override
            public void handle(Exchange ex) throws IOException {
                if (!(ex instanceof AuthenticatedExchange a)) {
                    throw new IllegalArgumentException("the authenticated door takes only AuthenticatedExchanges");
                }
                serve(a, new AuthContext(a.accessKeyId(), PayloadMode.UNSIGNED, null, null));
            }

            @Override
            public void overloaded(Exchange ex) throws IOException {
                S3Handler.this.overloaded(ex);
            }

            @Override
            public void malformed(Exchange ex, Throwable cause) throws IOException {
                S3Handler.this.malformed(ex, cause);
            }
        };
    }

    /** @param authenticated the signer another door established, or null: authenticate the head here */
    private void serveInSession(Exchange request, AuthContext authenticated) throws IOException {
        // Every answer to a request with an Origin, errors included, carries its CORS headers.
        Exchange ex = cors.decorate(request);
        try {
            if (authenticated == null && ex.head().method().equalsIgnoreCase("OPTIONS")) {
                // A CORS preflight: unauthenticated by design (browsers send no credentials).
                cors.preflight(ex);
                return;
            }
            AuthContext who = authenticated != null ? authenticated : auth.authenticate(ex.head(), domain);
            ex.info().mark(RequestInfo.Phase.AUTH);
            ex.info().accessKeyId(who.accessKeyId());
            S3Operation op = S3Router.route(ex.head(), domain);
            ex.info().mark(RequestInfo.Phase.PARSE);
            ex.info().operation(op.name());
            ex.info().target(op.bucket(), op.key());
            Principal principal = access.principal(who);
            ex.info().principal(principal.label());
            if (!(op instanceof S3Operation.PostObject)) {
                // One decision for every request, anonymous ones included, before any body byte is
                // invited. A POST form is signed in its body: PostObjectApi verifies the form and
                // then asks the same question (authorizePostObject) before reading the file.
                access.authorize(op, principal, ex);
            }
            String expectedOwner = ex.head().header("x-amz-expected-bucket-owner");
            if (expectedOwner != null && op.bucket() != null && objects.findBucket(op.bucket())
                    .filter(b -> !expectedOwner.equals(b.owner())).isPresent()) {
                // https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-owner-condition.html
                throw new S3Exception(S3ErrorCode.AccessDenied);
            }
            // The partition's request budget, once the request is known to be allowed and before its
            // body is invited: beyond it, 503 SlowDown (the handlers never see a throttled request).
            budget.admit(op, ex.head().method());
            dispatch(op, ex, who, principal);
        } catch (S3Exception e) {
            fail(ex, e);
        } catch (dev.kura.index.IndexUnavailableException e) {
            // A cluster member cut off from the majority: nothing stale is served, the client retries.
            if (ex.responded()) {
                throw new IOException("failed after the response started", e);
            }
            LOG.warn("request {}: {}", ex.requestId(), e.getMessage());
            fail(ex, new S3Exception(S3ErrorCode.ServiceUnavailable,
                    "The index cannot answer now (this node cannot reach a majority of the cluster); try again."));
        } catch (IOException e) {
            if (ex.responded()) {
                throw e;
            }
            LOG.warn("request {} failed: {}", ex.requestId(), e.toString());
            fail(ex, new S3Exception(S3ErrorCode.InternalError));
        } catch (RuntimeException e) {
            LOG.error("request {} failed", ex.requestId(), e);
            if (ex.responded()) {
                throw new IOException("failed after the response started", e);
            }
            fail(ex, new S3Exception(S3ErrorCode.InternalError));
        }
    }

    private void dispatch(S3Operation op, Exchange ex, AuthContext who, Principal principal) throws IOException {
        switch (op) {
            case S3Operation.ListBuckets l -> buckets.list(ex, principal);
            case S3Operation.CreateBucket c -> buckets.create(c.bucket(), ex, decode(ex, who), principal);
            case S3Operation.HeadBucket h -> buckets.head(h.bucket(), ex);
            case S3Operation.DeleteBucket d -> buckets.delete(d.bucket(), ex);
            case S3Operation.GetBucketLocation g -> buckets.location(g.bucket(), ex);
            case S3Operation.ListObjects l -> lists.listV1(l, ex);
            case S3Operation.ListObjectsV2 l -> lists.listV2(l, ex);
            case S3Operation.PutObject p -> objectApi.put(p, ex, decode(ex, who), principal);
            case S3Operation.GetObject g -> objectApi.get(g.bucket(), g.key(), ex);
            case S3Operation.HeadObject h -> objectApi.get(h.bucket(), h.key(), ex);
            case S3Operation.DeleteObject d -> objectApi.delete(d, ex);
            case S3Operation.DeleteObjects d -> deletes.handle(d.bucket(), ex, decode(ex, who), principal);
            case S3Operation.CopyObject c -> copies.copy(c, ex, principal);
            case S3Operation.CreateMultipartUpload c -> multipart.create(c, ex, principal);
            case S3Operation.UploadPart u -> multipart.uploadPart(u, ex, decode(ex, who));
            case S3Operation.UploadPartCopy u -> multipart.uploadPartCopy(u, ex, principal);
            case S3Operation.CompleteMultipartUpload c -> multipart.complete(c, ex, decode(ex, who));
            case S3Operation.AbortMultipartUpload a -> multipart.abort(a, ex);
            case S3Operation.ListParts l -> multipart.listParts(l, ex);
            case S3Operation.ListMultipartUploads l -> multipart.listUploads(l, ex);
            case S3Operation.ListObjectVersions l -> lists.listVersions(l, ex);
            case S3Operation.GetObjectTagging t -> settings.getObjectTagging(t, ex);
            case S3Operation.PutObjectTagging t -> settings.putObjectTagging(t, ex, decode(ex, who));
            case S3Operation.DeleteObjectTagging t -> settings.deleteObjectTagging(t, ex);
            case S3Operation.GetBucketTagging t -> settings.getBucketTagging(t, ex);
            case S3Operation.PutBucketTagging t -> settings.putBucketTagging(t, ex, decode(ex, who));
            case S3Operation.DeleteBucketTagging t -> settings.deleteBucketTagging(t, ex);
            case S3Operation.GetObjectAttributes a -> attributes.get(a, ex);
            case S3Operation.GetAcl a -> accessApi.getAcl(a, ex);
            case S3Operation.PutAcl a -> accessApi.putAcl(a, ex, decode(ex, who));
            case S3Operation.AccessSetting a -> accessApi.setting(a, ex, decode(ex, who));
            case S3Operation.GetBucketVersioning v -> settings.getVersioning(v, ex);
            case S3Operation.PutBucketVersioning v -> settings.putVersioning(v, ex, decode(ex, who));
            case S3Operation.GetObjectLockConfiguration l -> locks.getConfiguration(l, ex);
            case S3Operation.GetBucketLifecycleConfiguration l -> locks.getLifecycle(l, ex);
            case S3Operation.PutBucketLifecycleConfiguration l -> locks.putLifecycle(l, ex, decode(ex, who));
            case S3Operation.DeleteBucketLifecycle l -> locks.deleteLifecycle(l, ex);
            case S3Operation.GetBucketEncryption e -> encryption.get(e, ex);
            case S3Operation.PutBucketEncryption e -> encryption.put(e, ex, decode(ex, who));
            case S3Operation.DeleteBucketEncryption e -> encryption.delete(e, ex);
            case S3Operation.PutObjectLockConfiguration l -> locks.putConfiguration(l, ex, decode(ex, who));
            case S3Operation.GetObjectRetention l -> locks.getRetention(l, ex);
            case S3Operation.PutObjectRetention l -> locks.putRetention(l, ex, decode(ex, who));
            case S3Operation.GetObjectLegalHold l -> locks.getLegalHold(l, ex);
            case S3Operation.PutObjectLegalHold l -> locks.putLegalHold(l, ex, decode(ex, who));
            case S3Operation.GetBucketCors c -> cors.get(c, ex);
            case S3Operation.PutBucketCors c -> cors.put(c, ex, decode(ex, who));
            case S3Operation.DeleteBucketCors c -> cors.delete(c, ex);
            case S3Operation.PostObject p -> posts.post(p, ex);
            case S3Operation.UnconfiguredBucketSetting u -> settings.unconfigured(u, ex);
            case S3Operation.Unsupported u -> throw new S3Exception(S3ErrorCode.NotImplemented,
                    u.operation() + " is not implemented").with("Operation", u.operation());
        }
    }

    private static DecodedBody decode(Exchange ex, AuthContext who) {
        return PayloadDecoder.wrap(ex.body(), who, ex.head());
    }

    private static void fail(Exchange ex, S3Exception e) throws IOException {
        ex.info().errorCode(e.code().name());
        if (ex.responded()) {
            throw new IOException("failed after the response started: " + e.code());
        }
        if (!ex.bodyConsumed() && e.code().status() >= 400) {
            // The body was not (fully) read; S3 closes such connections rather than drain them.
            ex.closeAfterResponse();
        }
        Responses.error(ex, e);
    }

    @Override
    public String tenant(dev.kura.s3.http.RequestHead head) {
        return Tenants.of(head);
    }

    @Override
    public void overloaded(Exchange ex) throws IOException {
        fail(ex, new S3Exception(S3ErrorCode.SlowDown));
    }

    @Override
    public void malformed(Exchange ex, Throwable cause) throws IOException {
        S3Exception e = cause instanceof TooLongFrameException && String.valueOf(cause.getMessage()).contains("header")
                ? new S3Exception(S3ErrorCode.RequestHeaderSectionTooLarge)
                : cause instanceof TooLongFrameException ? new S3Exception(S3ErrorCode.InvalidURI, "The request line is too long")
                : new S3Exception(S3ErrorCode.InvalidRequest, "The HTTP request could not be parsed");
        fail(ex, e);
    }
}
