"""boto3 (Debian's python3-boto3): multipart upload_file, copy, tagging, conditional put, virtual-host-free path style."""
import hashlib
import os

import boto3
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import ClientError

s3 = boto3.client("s3", endpoint_url=os.environ["KURA_ENDPOINT"],
                  config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}))
bucket = "boto3-mp-" + os.urandom(4).hex()
s3.create_bucket(Bucket=bucket)
work = os.environ["WORK"]

# multipart through the transfer manager
src = os.path.join(work, "boto-big.bin")
data = os.urandom(13 * 1024 * 1024)
with open(src, "wb") as f:
    f.write(data)
cfg = TransferConfig(multipart_threshold=5 * 1024 * 1024, multipart_chunksize=5 * 1024 * 1024, max_concurrency=4)
s3.upload_file(src, bucket, "big.bin", Config=cfg)
head = s3.head_object(Bucket=bucket, Key="big.bin")
assert head["ETag"].endswith('-3"'), head["ETag"]
dst = os.path.join(work, "boto-big.out")
s3.download_file(bucket, "big.bin", dst, Config=cfg)
with open(dst, "rb") as f:
    assert hashlib.md5(f.read()).digest() == hashlib.md5(data).digest()

# copy, keeping and replacing metadata
s3.put_object(Bucket=bucket, Key="orig", Body=b"original", Metadata={"m": "1"}, Tagging="a=b")
s3.copy_object(Bucket=bucket, Key="copy", CopySource={"Bucket": bucket, "Key": "orig"})
assert s3.get_object(Bucket=bucket, Key="copy")["Body"].read() == b"original"
assert s3.head_object(Bucket=bucket, Key="copy")["Metadata"] == {"m": "1"}
s3.copy_object(Bucket=bucket, Key="copy2", CopySource={"Bucket": bucket, "Key": "orig"},
               MetadataDirective="REPLACE", Metadata={"n": "2"})
assert s3.head_object(Bucket=bucket, Key="copy2")["Metadata"] == {"n": "2"}
s3.copy(CopySource={"Bucket": bucket, "Key": "big.bin"}, Bucket=bucket, Key="big-copy", Config=cfg)  # multipart copy
assert s3.head_object(Bucket=bucket, Key="big-copy")["ContentLength"] == len(data)

# tagging
s3.put_object_tagging(Bucket=bucket, Key="orig", Tagging={"TagSet": [{"Key": "k", "Value": "v"}]})
assert s3.get_object_tagging(Bucket=bucket, Key="orig")["TagSet"] == [{"Key": "k", "Value": "v"}]
s3.delete_object_tagging(Bucket=bucket, Key="orig")
assert s3.get_object_tagging(Bucket=bucket, Key="orig")["TagSet"] == []


# conditional put: Debian's botocore predates the IfNoneMatch parameter, so add the header by hand
def if_none_match(request, **kwargs):
    request.headers["If-None-Match"] = "*"


s3.meta.events.register("before-sign.s3.PutObject", if_none_match)
s3.put_object(Bucket=bucket, Key="once", Body=b"first")
try:
    s3.put_object(Bucket=bucket, Key="once", Body=b"second")
    raise AssertionError("expected 412")
except ClientError as e:
    assert e.response["ResponseMetadata"]["HTTPStatusCode"] == 412, e.response
s3.meta.events.unregister("before-sign.s3.PutObject", if_none_match)
assert s3.get_object(Bucket=bucket, Key="once")["Body"].read() == b"first"

# clean up through the paginated versions listing, as many tools do
keys = [o["Key"] for page in s3.get_paginator("list_object_versions").paginate(Bucket=bucket)
        for o in page.get("Versions", [])]
s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": k} for k in keys]})
s3.delete_bucket(Bucket=bucket)
print("boto3 breadth ok")
