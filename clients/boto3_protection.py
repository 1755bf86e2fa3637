"""boto3 against Kura: Object Lock (governance and compliance retention, legal hold) and a lifecycle rule
that expires current and noncurrent versions. The server runs with --lifecycle-interval 2s
--lifecycle-testing (a lifecycle "day" lasts one 2-second pass)."""
import base64
import datetime
import hashlib
import os
import time

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

s3 = boto3.client("s3", endpoint_url=os.environ["KURA_ENDPOINT"],
                  config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}))


def error_code(call, **kwargs):
    try:
        call(**kwargs)
    except ClientError as e:
        return e.response["Error"]["Code"]
    raise AssertionError("expected an error from %s" % call)


# ---- Object Lock
locked = "boto3-lock-" + os.urandom(4).hex()
s3.create_bucket(Bucket=locked, ObjectLockEnabledForBucket=True)
assert s3.get_bucket_versioning(Bucket=locked)["Status"] == "Enabled"
until = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=1)
# a PUT with a retention must prove its body (Content-MD5 or a checksum), as S3 requires
md5 = base64.b64encode(hashlib.md5(b"governed").digest()).decode()
gov = s3.put_object(Bucket=locked, Key="gov", Body=b"governed", ContentMD5=md5,
                    ObjectLockMode="GOVERNANCE", ObjectLockRetainUntilDate=until)["VersionId"]
head = s3.head_object(Bucket=locked, Key="gov")
assert head["ObjectLockMode"] == "GOVERNANCE", head
assert error_code(s3.delete_object, Bucket=locked, Key="gov", VersionId=gov) == "AccessDenied"
s3.delete_object(Bucket=locked, Key="gov", VersionId=gov, BypassGovernanceRetention=True)

comp = s3.put_object(Bucket=locked, Key="comp", Body=b"kept")["VersionId"]
s3.put_object_retention(Bucket=locked, Key="comp", VersionId=comp,
                        Retention={"Mode": "COMPLIANCE", "RetainUntilDate": until})
assert error_code(s3.put_object_retention, Bucket=locked, Key="comp", VersionId=comp, BypassGovernanceRetention=True,
                  Retention={"Mode": "COMPLIANCE", "RetainUntilDate": until - datetime.timedelta(hours=1)}) == "AccessDenied"
assert error_code(s3.delete_object, Bucket=locked, Key="comp", VersionId=comp,
                  BypassGovernanceRetention=True) == "AccessDenied"
marker = s3.delete_object(Bucket=locked, Key="comp")  # a delete marker is always allowed
assert marker["DeleteMarker"] is True
assert s3.get_object(Bucket=locked, Key="comp", VersionId=comp)["Body"].read() == b"kept"

held = s3.put_object(Bucket=locked, Key="held", Body=b"evidence")["VersionId"]
s3.put_object_legal_hold(Bucket=locked, Key="held", LegalHold={"Status": "ON"})
assert s3.get_object_legal_hold(Bucket=locked, Key="held")["LegalHold"]["Status"] == "ON"
assert error_code(s3.delete_object, Bucket=locked, Key="held", VersionId=held) == "AccessDenied"
s3.put_object_legal_hold(Bucket=locked, Key="held", LegalHold={"Status": "OFF"})
s3.delete_object(Bucket=locked, Key="held", VersionId=held)
assert error_code(s3.put_bucket_versioning, Bucket=locked,
                  VersioningConfiguration={"Status": "Suspended"}) == "InvalidBucketState"

# ---- lifecycle: current versions expire after one "day", noncurrent ones one "day" after they stop being current
aging = "boto3-lc-" + os.urandom(4).hex()
s3.create_bucket(Bucket=aging)
s3.put_bucket_versioning(Bucket=aging, VersioningConfiguration={"Status": "Enabled"})
s3.put_bucket_lifecycle_configuration(Bucket=aging, LifecycleConfiguration={"Rules": [
    {"ID": "tmp", "Status": "Enabled", "Filter": {"Prefix": "tmp/"}, "Expiration": {"Days": 1},
     "NoncurrentVersionExpiration": {"NoncurrentDays": 1}}]})
rules = s3.get_bucket_lifecycle_configuration(Bucket=aging)["Rules"]
assert [r["ID"] for r in rules] == ["tmp"], rules
put = s3.put_object(Bucket=aging, Key="tmp/scratch", Body=b"x")
assert 'rule-id="tmp"' in put["Expiration"], put
s3.put_object(Bucket=aging, Key="keep/report", Body=b"y")
deadline = time.time() + 30
while time.time() < deadline:
    versions = s3.list_object_versions(Bucket=aging, Prefix="tmp/")
    if not versions.get("Versions") and not s3.list_objects_v2(Bucket=aging, Prefix="tmp/").get("Contents"):
        break
    time.sleep(1)
else:
    raise AssertionError("tmp/scratch was not expired: %s" % s3.list_object_versions(Bucket=aging))
assert [o["Key"] for o in s3.list_objects_v2(Bucket=aging)["Contents"]] == ["keep/report"]
print("boto3 protection: ok")
