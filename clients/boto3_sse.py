"""boto3 against Kura: server-side encryption. SSE-C (customer keys: round trips, ranges, wrong or
missing keys, multipart, copies to and from SSE-S3), SSE-S3, bucket default encryption, and SSE-KMS
refused with 501 NotImplemented. See docs/encryption.md."""
import base64
import hashlib
import os

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

s3 = boto3.client("s3", endpoint_url=os.environ["KURA_ENDPOINT"],
                  config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}))


def error(call, **kwargs):
    try:
        call(**kwargs)
    except ClientError as e:
        return e.response["ResponseMetadata"]["HTTPStatusCode"], e.response["Error"].get("Code")
    raise AssertionError("expected an error from %s" % call)


def key_args(key, prefix="SSECustomer"):
    return {prefix + "Algorithm": "AES256", prefix + "Key": key}  # botocore adds the key's MD5


KEY_A = os.urandom(32)
KEY_B = os.urandom(32)
MD5_A = base64.b64encode(hashlib.md5(KEY_A).digest()).decode()
bucket = "boto3-sse-" + os.urandom(4).hex()
s3.create_bucket(Bucket=bucket)

# ---- SSE-C: a round trip of several 64 KiB chunks, ranges across chunk boundaries, HEAD
data = os.urandom(3 * 65536 + 123)
put = s3.put_object(Bucket=bucket, Key="c", Body=data, **key_args(KEY_A))
assert put["SSECustomerAlgorithm"] == "AES256" and put["SSECustomerKeyMD5"] == MD5_A, put
got = s3.get_object(Bucket=bucket, Key="c", **key_args(KEY_A))
assert got["Body"].read() == data and got["SSECustomerKeyMD5"] == MD5_A
for first, last in [(65530, 65546), (0, 0), (131072, len(data) - 1)]:
    part = s3.get_object(Bucket=bucket, Key="c", Range="bytes=%d-%d" % (first, last), **key_args(KEY_A))
    assert part["Body"].read() == data[first:last + 1]
assert s3.head_object(Bucket=bucket, Key="c", **key_args(KEY_A))["ContentLength"] == len(data)
assert error(s3.get_object, Bucket=bucket, Key="c")[0] == 400
assert error(s3.head_object, Bucket=bucket, Key="c")[0] == 400
assert error(s3.get_object, Bucket=bucket, Key="c", **key_args(KEY_B))[0] == 400
s3.put_object(Bucket=bucket, Key="plain", Body=b"plain")
assert error(s3.get_object, Bucket=bucket, Key="plain", **key_args(KEY_A))[0] == 400

# ---- SSE-C multipart: every part carries the key; a part-number GET
mp = s3.create_multipart_upload(Bucket=bucket, Key="mp", **key_args(KEY_A))
p1, p2 = os.urandom(5 * 1024 * 1024), os.urandom(70000)
assert error(s3.upload_part, Bucket=bucket, Key="mp", UploadId=mp["UploadId"], PartNumber=1, Body=p1)[0] == 400
e1 = s3.upload_part(Bucket=bucket, Key="mp", UploadId=mp["UploadId"], PartNumber=1, Body=p1, **key_args(KEY_A))["ETag"]
e2 = s3.upload_part(Bucket=bucket, Key="mp", UploadId=mp["UploadId"], PartNumber=2, Body=p2, **key_args(KEY_A))["ETag"]
# botocore encodes the key itself only for some operations; CompleteMultipartUpload takes it as sent
complete_key = {"SSECustomerAlgorithm": "AES256", "SSECustomerKey": base64.b64encode(KEY_A).decode(),
                "SSECustomerKeyMD5": MD5_A}
s3.complete_multipart_upload(Bucket=bucket, Key="mp", UploadId=mp["UploadId"], **complete_key,
                             MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": e1}, {"PartNumber": 2, "ETag": e2}]})
whole = p1 + p2
assert s3.get_object(Bucket=bucket, Key="mp", **key_args(KEY_A))["Body"].read() == whole
cross = s3.get_object(Bucket=bucket, Key="mp", Range="bytes=%d-%d" % (len(p1) - 10, len(p1) + 10), **key_args(KEY_A))
assert cross["Body"].read() == whole[len(p1) - 10:len(p1) + 11]
assert s3.get_object(Bucket=bucket, Key="mp", PartNumber=2, **key_args(KEY_A))["Body"].read() == p2

# ---- copies: SSE-C source to SSE-S3, SSE-S3 to SSE-C under another key
copy = s3.copy_object(Bucket=bucket, Key="c-to-s3", CopySource={"Bucket": bucket, "Key": "c"},
                      ServerSideEncryption="AES256", **key_args(KEY_A, "CopySourceSSECustomer"))
assert copy["ServerSideEncryption"] == "AES256"
assert s3.get_object(Bucket=bucket, Key="c-to-s3")["Body"].read() == data
s3.copy_object(Bucket=bucket, Key="s3-to-c", CopySource={"Bucket": bucket, "Key": "c-to-s3"}, **key_args(KEY_B))
assert s3.get_object(Bucket=bucket, Key="s3-to-c", **key_args(KEY_B))["Body"].read() == data

# ---- SSE-S3, bucket default encryption, KMS refused
s3_put = s3.put_object(Bucket=bucket, Key="s3", Body=b"managed", ServerSideEncryption="AES256")
assert s3_put["ServerSideEncryption"] == "AES256"
assert s3.get_object(Bucket=bucket, Key="s3")["ServerSideEncryption"] == "AES256"
assert error(s3.get_bucket_encryption, Bucket=bucket) == (404, "ServerSideEncryptionConfigurationNotFoundError")
s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={
    "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]})
rules = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]
assert rules[0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
assert s3.put_object(Bucket=bucket, Key="default", Body=b"x")["ServerSideEncryption"] == "AES256"
s3.delete_bucket_encryption(Bucket=bucket)
assert "ServerSideEncryption" not in s3.put_object(Bucket=bucket, Key="after", Body=b"x")
assert error(s3.put_object, Bucket=bucket, Key="kms", Body=b"x", ServerSideEncryption="aws:kms") == (501, "NotImplemented")

for key in ["c", "plain", "mp", "c-to-s3", "s3-to-c", "s3", "default", "after"]:
    s3.delete_object(Bucket=bucket, Key=key)
s3.delete_bucket(Bucket=bucket)
print("boto3_sse: ok")
