"""boto3 against Kura: a versioned bucket end to end — versions, delete markers, reads and deletes by
version id, ListObjectVersions with its paginator, suspension and the null version."""
import os

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

s3 = boto3.client("s3", endpoint_url=os.environ["KURA_ENDPOINT"],
                  config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}))
bucket = "boto3-ver-" + os.urandom(4).hex()
s3.create_bucket(Bucket=bucket)
assert "Status" not in s3.get_bucket_versioning(Bucket=bucket)

s3.put_object(Bucket=bucket, Key="doc", Body=b"before versioning")
s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
v1 = s3.put_object(Bucket=bucket, Key="doc", Body=b"one")["VersionId"]
v2 = s3.put_object(Bucket=bucket, Key="doc", Body=b"two")["VersionId"]
assert v1 != v2 and "null" not in (v1, v2), (v1, v2)
assert s3.get_object(Bucket=bucket, Key="doc")["Body"].read() == b"two"
assert s3.get_object(Bucket=bucket, Key="doc", VersionId=v1)["Body"].read() == b"one"
assert s3.get_object(Bucket=bucket, Key="doc", VersionId="null")["Body"].read() == b"before versioning"

# a delete writes a marker: the key disappears from listings, every version stays readable by id
marker = s3.delete_object(Bucket=bucket, Key="doc")
assert marker["DeleteMarker"] is True and marker["VersionId"], marker
try:
    s3.get_object(Bucket=bucket, Key="doc")
    raise AssertionError("expected NoSuchKey")
except ClientError as e:
    assert e.response["Error"]["Code"] == "NoSuchKey", e.response
    assert e.response["ResponseMetadata"]["HTTPHeaders"].get("x-amz-delete-marker") == "true", e.response
assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 0
listing = s3.list_object_versions(Bucket=bucket)
assert [v["VersionId"] for v in listing["Versions"]] == [v2, v1, "null"], listing["Versions"]
assert [m["IsLatest"] for m in listing["DeleteMarkers"]] == [True], listing["DeleteMarkers"]

# removing the marker brings the object back; removing a version removes it for good
s3.delete_object(Bucket=bucket, Key="doc", VersionId=marker["VersionId"])
assert s3.get_object(Bucket=bucket, Key="doc")["Body"].read() == b"two"
s3.delete_object(Bucket=bucket, Key="doc", VersionId=v2)
assert s3.get_object(Bucket=bucket, Key="doc")["Body"].read() == b"one"
try:
    s3.get_object(Bucket=bucket, Key="doc", VersionId=v2)
    raise AssertionError("expected NoSuchVersion")
except ClientError as e:
    assert e.response["Error"]["Code"] == "NoSuchVersion", e.response

# many versions, paged by the SDK's paginator
for i in range(7):
    s3.put_object(Bucket=bucket, Key="many/%d" % (i % 3), Body=b"x" * i)
pages = s3.get_paginator("list_object_versions").paginate(Bucket=bucket, Prefix="many/", PaginationConfig={"PageSize": 2})
seen = [(v["Key"], v["VersionId"]) for p in pages for v in p.get("Versions", [])]
assert len(seen) == 7 and len(set(seen)) == 7, seen

# suspended: writes replace the null version only
s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Suspended"})
s3.put_object(Bucket=bucket, Key="doc", Body=b"suspended")
versions = s3.list_object_versions(Bucket=bucket, Prefix="doc")["Versions"]
assert [v["VersionId"] for v in versions] == ["null", v1], versions

# clean up every version, then the bucket
for p in s3.get_paginator("list_object_versions").paginate(Bucket=bucket):
    objects = [{"Key": v["Key"], "VersionId": v["VersionId"]} for v in p.get("Versions", []) + p.get("DeleteMarkers", [])]
    if objects:
        assert not s3.delete_objects(Bucket=bucket, Delete={"Objects": objects}).get("Errors")
s3.delete_bucket(Bucket=bucket)
print("boto3 versioning: ok")
