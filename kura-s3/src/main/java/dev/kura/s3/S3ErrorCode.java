package dev.kura.s3;

/**
 * The one catalogue of S3 errors Kura answers with: code, HTTP status and default message, as in
 * https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html#ErrorCodeList.
 */
public enum S3ErrorCode {
    AccessDenied(403, "Access Denied"),
    /** A CORS preflight that no rule allows (S3 words it "CORSResponse: ..."). */
    AccessForbidden(403, "CORSResponse: This CORS request is not allowed."),
    InvalidBucketState(409, "The request is not valid with the current state of the bucket."),
    InvalidRetentionPeriod(400, "The retention period must be a positive integer."),
    AccessControlListNotSupported(400, "The bucket does not allow ACLs"),
    AuthorizationHeaderMalformed(400, "The authorization header is malformed."),
    AuthorizationQueryParametersError(400, "Error parsing the X-Amz-Credential parameter."),
    BadDigest(400, "The Content-MD5 or checksum value that you specified did not match what the server received."),
    BucketAlreadyExists(409, "The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again."),
    BucketAlreadyOwnedByYou(409, "Your previous request to create the named bucket succeeded and you already own it."),
    BucketNotEmpty(409, "The bucket you tried to delete is not empty"),
    ConditionalRequestConflict(409, "A conflicting operation occurred. If using PutObject you can retry the request. If using multipart upload you should initiate another CreateMultipartUpload request and re-upload each part."),
    EntityTooLarge(400, "Your proposed upload exceeds the maximum allowed object size."),
    EntityTooSmall(400, "Your proposed upload is smaller than the minimum allowed object size."),
    ExpiredToken(400, "The provided token has expired."),
    IllegalLocationConstraintException(400, "The unspecified location constraint is incompatible for the region specific endpoint this request was sent to."),
    IncompleteBody(400, "You did not provide the number of bytes specified by the Content-Length HTTP header."),
    /**
     * S3-COMPAT: S3 never runs out of space; Kura's drives can. 507 (RFC 4918) rather than a 5xx
     * that SDKs retry blindly: the client should hear at once that the store is full.
     */
    InsufficientStorage(507, "There is not enough free space on the drives to store this object. Delete data or add drives."),
    InternalError(500, "We encountered an internal error. Please try again."),
    InvalidAccessKeyId(403, "The AWS Access Key Id you provided does not exist in our records."),
    InvalidArgument(400, "Invalid Argument"),
    InvalidBucketAclWithObjectOwnership(400, "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting"),
    MalformedACLError(400, "The XML you provided was not well-formed or did not validate against our published schema"),
    MalformedPolicy(400, "Policies must be valid JSON and the first byte must be '{'"),
    OwnershipControlsNotFoundError(404, "The bucket ownership controls were not found"),
    UnresolvableGrantByEmailAddress(400, "The email address you provided does not match any account on record."),
    InvalidBucketName(400, "The specified bucket is not valid."),
    InvalidDigest(400, "The Content-MD5 you specified is not valid."),
    InvalidEncryptionAlgorithmError(400, "The encryption request you specified is not valid."),
    InvalidLocationConstraint(400, "The specified location constraint is not valid."),
    InvalidObjectState(403, "The operation is not valid for the current state of the object."),
    InvalidPolicyDocument(400, "The content of the form does not meet the conditions specified in the policy document."),
    IncorrectNumberOfFilesInPostRequest(400, "POST requires exactly one file upload per request."),
    MalformedPOSTRequest(400, "The body of your POST request is not well-formed multipart/form-data."),
    MaxPostPreDataLengthExceededError(400, "Your POST request fields preceding the upload file were too large."),
    InvalidPart(400, "One or more of the specified parts could not be found. The part might not have been uploaded, or the specified entity tag might not have matched the part's entity tag."),
    InvalidPartOrder(400, "The list of parts was not in ascending order. Parts must be ordered by part number."),
    InvalidRange(416, "The requested range is not satisfiable"),
    InvalidRequest(400, "Invalid Request"),
    InvalidStorageClass(400, "The storage class you specified is not valid"),
    InvalidTag(400, "The tag provided was not a valid tag."),
    InvalidURI(400, "Couldn't parse the specified URI."),
    KeyTooLongError(400, "Your key is too long"),
    MalformedXML(400, "The XML you provided was not well-formed or did not validate against our published schema."),
    MaxMessageLengthExceeded(400, "Your request was too big."),
    MetadataTooLarge(400, "Your metadata headers exceed the maximum allowed metadata size."),
    MethodNotAllowed(405, "The specified method is not allowed against this resource."),
    MissingContentLength(411, "You must provide the Content-Length HTTP header."),
    MissingRequestBodyError(400, "Request Body is empty"),
    MissingSecurityHeader(400, "Your request is missing a required header."),
    NoSuchBucket(404, "The specified bucket does not exist"),
    NoSuchBucketPolicy(404, "The bucket policy does not exist"),
    NoSuchCORSConfiguration(404, "The CORS configuration does not exist"),
    NoSuchKey(404, "The specified key does not exist."),
    NoSuchLifecycleConfiguration(404, "The lifecycle configuration does not exist"),
    NoSuchTagSet(404, "The TagSet does not exist"),
    NoSuchUpload(404, "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed."),
    NoSuchVersion(404, "The specified version does not exist."),
    NoSuchWebsiteConfiguration(404, "The specified bucket does not have a website configuration"),
    NoSuchPublicAccessBlockConfiguration(404, "The public access block configuration was not found"),
    ReplicationConfigurationNotFoundError(404, "The replication configuration was not found"),
    BadRequest(400, "Bad Request"),
    NotImplemented(501, "A header you provided implies functionality that is not implemented."),
    NotModified(304, "Not Modified"),
    ObjectLockConfigurationNotFoundError(404, "Object Lock configuration does not exist for this bucket"),
    NoSuchObjectLockConfiguration(404, "The specified object does not have a ObjectLock configuration"),
    PreconditionFailed(412, "At least one of the pre-conditions you specified did not hold"),
    RequestHeaderSectionTooLarge(400, "Your request header section exceeds the maximum allowed size."),
    RequestTimeTooSkewed(403, "The difference between the request time and the server's time is too large."),
    RequestTimeout(400, "Your socket connection to the server was not read from or written to within the timeout period."),
    ServerSideEncryptionConfigurationNotFoundError(404, "The server side encryption configuration was not found"),
    ServiceUnavailable(503, "Please reduce your request rate."),
    SignatureDoesNotMatch(403, "The request signature we calculated does not match the signature you provided. Check your key and signing method."),
    SlowDown(503, "Please reduce your request rate."),
    XAmzContentSHA256Mismatch(400, "The provided 'x-amz-content-sha256' header does not match what was computed."),
    InvalidChunkSizeError(403, "Only the last chunk is allowed to have a size less than 8192 bytes"),
    UnexpectedContent(400, "This request does not support content"),
    InvalidTargetBucketForLogging(400, "The target bucket for logging does not exist");

    private final int status;
    private final String message;

    S3ErrorCode(int status, String message) {
        this.status = status;
        this.message = message;
    }

    public int status() {
        return status;
    }

    public String message() {
        return message;
    }
}
