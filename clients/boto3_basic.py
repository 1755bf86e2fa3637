"""boto3 (Debian's python3-boto3) against Kura: bucket, put with checksum, list, get and compare, delete."""
import hashlib
import os

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

s3 = boto3.client("s3", endpoint_url=os.environ["KURA_ENDPOINT"],
                  config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}))
bucket = "boto3-" + os.urandom(4).hex()
s3.create_bucket(Bucket=bucket)
data = os.urandom(1_500_000)
put = s3.put_object(Bucket=bucket, Key="a/b.bin", Body=data, ChecksumAlgorithm="SHA256",
                    Metadata={"origin": "boto3"}, ContentType="application/x-test")
assert put["ETag"] == '"%s"' % hashlib.md5(data).hexdigest(), put
s3.put_object(Bucket=bucket, Key="a/c.txt", Body=b"hello")
keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]]
assert keys == ["a/b.bin", "a/c.txt"], keys
listing = s3.list_objects_v2(Bucket=bucket, Delimiter="/")
assert [p["Prefix"] for p in listing["CommonPrefixes"]] == ["a/"], listing
got = s3.get_object(Bucket=bucket, Key="a/b.bin", ChecksumMode="ENABLED")
body = got["Body"].read()
assert hashlib.sha256(body).digest() == hashlib.sha256(data).digest()
assert got["Metadata"] == {"origin": "boto3"}, got["Metadata"]
assert got["ContentType"] == "application/x-test"
part = s3.get_object(Bucket=bucket, Key="a/b.bin", Range="bytes=10-19")["Body"].read()
assert part == data[10:20]
try:
    s3.get_object(Bucket=bucket, Key="missing")
    raise AssertionError("expected NoSuchKey")
except ClientError as e:
    assert e.response["Error"]["Code"] == "NoSuchKey", e.response
try:
    s3.put_object(Bucket=bucket, Key="once", Body=b"1", ContentMD5="AAAAAAAAAAAAAAAAAAAAAA==")
    raise AssertionError("expected BadDigest")
except ClientError as e:
    assert e.response["Error"]["Code"] == "BadDigest", e.response
deleted = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "a/b.bin"}, {"Key": "a/c.txt"}]})
assert len(deleted["Deleted"]) == 2, deleted
assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 0
s3.delete_bucket(Bucket=bucket)
print("boto3 ok")
