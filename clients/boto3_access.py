"""boto3 against Kura: who may do what. A second user made with `kura admin user add`, bucket ACLs
and object ACLs (canned and grants), a bucket policy with a condition, Block Public Access, Object
Ownership and anonymous access with an unsigned client. Every denial must be S3's error and leave
nothing behind."""
import json
import os
import subprocess
import urllib.error
import urllib.request

import boto3
from botocore import UNSIGNED
from botocore.config import Config
from botocore.exceptions import ClientError

ENDPOINT = os.environ["KURA_ENDPOINT"]
CONFIG = Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1})
root = boto3.client("s3", endpoint_url=ENDPOINT, config=CONFIG)
anonymous = boto3.client("s3", endpoint_url=ENDPOINT,
                         config=CONFIG.merge(Config(signature_version=UNSIGNED)))


def error_code(call, **kwargs):
    try:
        call(**kwargs)
    except ClientError as e:
        return e.response["Error"]["Code"]
    raise AssertionError("expected an error from %s %s" % (call, kwargs))


def admin(*args):
    kura = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "kura")
    out = subprocess.run([kura, "admin", "--endpoint", os.environ["KURA_ADMIN_ENDPOINT"], *args],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out) if "--json" in args else out


name = "boto3-" + os.urandom(3).hex()
carol = admin("user", "add", name, "--json")
user = boto3.client("s3", endpoint_url=ENDPOINT, config=CONFIG, aws_access_key_id=carol["accessKey"],
                    aws_secret_access_key=carol["secretKey"])
assert name in admin("user", "list")
assert carol["secretKey"] not in admin("user", "list")

# ---- each user sees its own buckets; a private bucket refuses everyone else, with no side effect
bucket = "boto3-acl-" + os.urandom(4).hex()
root.create_bucket(Bucket=bucket)
root.put_object(Bucket=bucket, Key="private.txt", Body=b"root only")
assert bucket not in [b["Name"] for b in user.list_buckets()["Buckets"]]
assert error_code(user.get_object, Bucket=bucket, Key="private.txt") == "AccessDenied"
assert error_code(user.put_object, Bucket=bucket, Key="planted", Body=b"x") == "AccessDenied"
assert error_code(anonymous.get_object, Bucket=bucket, Key="private.txt") == "AccessDenied"
assert error_code(anonymous.list_objects_v2, Bucket=bucket) == "AccessDenied"
assert [o["Key"] for o in root.list_objects_v2(Bucket=bucket)["Contents"]] == ["private.txt"]

# ---- ACLs: a public-read object, a grant to the user by canonical id
root.put_object(Bucket=bucket, Key="public.txt", Body=b"everyone", ACL="public-read")
assert anonymous.get_object(Bucket=bucket, Key="public.txt")["Body"].read() == b"everyone"
with urllib.request.urlopen("%s/%s/public.txt" % (ENDPOINT, bucket)) as r:  # a plain browser-style GET
    assert r.read() == b"everyone"
try:
    urllib.request.urlopen("%s/%s/private.txt" % (ENDPOINT, bucket))
    raise AssertionError("a private object was served without a signature")
except urllib.error.HTTPError as e:
    assert e.code == 403, e.code
acl = root.get_object_acl(Bucket=bucket, Key="public.txt")
assert {"Grantee": {"Type": "Group", "URI": "http://acs.amazonaws.com/groups/global/AllUsers"},
        "Permission": "READ"} in acl["Grants"], acl["Grants"]
owner_id = root.get_bucket_acl(Bucket=bucket)["Owner"]["ID"]
root.put_bucket_acl(Bucket=bucket, GrantWrite='id="%s"' % carol["canonicalId"],
                    GrantFullControl='id="%s"' % owner_id)
user.put_object(Bucket=bucket, Key="from-carol", Body=b"mine")
assert user.get_object_acl(Bucket=bucket, Key="from-carol")["Owner"]["ID"] == carol["canonicalId"]
assert error_code(root.get_object, Bucket=bucket, Key="from-carol") == "AccessDenied"
user.put_object_acl(Bucket=bucket, Key="from-carol", ACL="bucket-owner-full-control")
assert root.get_object(Bucket=bucket, Key="from-carol")["Body"].read() == b"mine"
assert error_code(root.put_bucket_acl, Bucket=bucket, GrantRead='emailAddress="x@example.com"') \
    == "UnresolvableGrantByEmailAddress"

# ---- a bucket policy: the user may read one prefix; an explicit deny holds even for the owner
policy = {"Version": "2012-10-17", "Statement": [
    {"Sid": "CarolReadsShared", "Effect": "Allow", "Principal": {"AWS": carol["canonicalId"]},
     "Action": "s3:GetObject", "Resource": "arn:aws:s3:::%s/shared/*" % bucket},
    {"Sid": "KeepPrivateTxt", "Effect": "Deny", "Principal": "*", "Action": "s3:DeleteObject",
     "Resource": "arn:aws:s3:::%s/private.txt" % bucket}]}
root.put_object(Bucket=bucket, Key="shared/doc", Body=b"shared")
root.put_bucket_policy(Bucket=bucket, Policy=json.dumps(policy))
assert json.loads(root.get_bucket_policy(Bucket=bucket)["Policy"]) == policy
assert user.get_object(Bucket=bucket, Key="shared/doc")["Body"].read() == b"shared"
assert error_code(user.get_object, Bucket=bucket, Key="private.txt") == "AccessDenied"
assert error_code(root.delete_object, Bucket=bucket, Key="private.txt") == "AccessDenied"
assert error_code(root.put_bucket_policy, Bucket=bucket, Policy="{") == "MalformedPolicy"
assert root.get_bucket_policy_status(Bucket=bucket)["PolicyStatus"]["IsPublic"] is False
root.delete_bucket_policy(Bucket=bucket)
assert error_code(root.get_bucket_policy, Bucket=bucket) == "NoSuchBucketPolicy"

# ---- Block Public Access: public grants ignored and refused
root.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration={
    "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True})
assert error_code(anonymous.get_object, Bucket=bucket, Key="public.txt") == "AccessDenied"
assert error_code(root.put_object_acl, Bucket=bucket, Key="private.txt", ACL="public-read") == "AccessDenied"
root.delete_public_access_block(Bucket=bucket)
assert anonymous.get_object(Bucket=bucket, Key="public.txt")["Body"].read() == b"everyone"

# ---- Object Ownership: BucketOwnerEnforced disables ACLs
enforced = "boto3-own-" + os.urandom(4).hex()
root.create_bucket(Bucket=enforced, ObjectOwnership="BucketOwnerEnforced")
assert root.get_bucket_ownership_controls(Bucket=enforced)["OwnershipControls"]["Rules"] == [
    {"ObjectOwnership": "BucketOwnerEnforced"}]
assert error_code(root.put_object, Bucket=enforced, Key="k", Body=b"x", ACL="public-read") \
    == "AccessControlListNotSupported"
root.put_object(Bucket=enforced, Key="k", Body=b"x", ACL="bucket-owner-full-control")

# ---- rotation and removal end the old keys
rotated = admin("user", "rotate", name, "--json")
assert error_code(user.list_buckets) == "InvalidAccessKeyId"
fresh = boto3.client("s3", endpoint_url=ENDPOINT, config=CONFIG, aws_access_key_id=rotated["accessKey"],
                     aws_secret_access_key=rotated["secretKey"])
fresh.list_buckets()
admin("user", "remove", name)
assert error_code(fresh.list_buckets) == "InvalidAccessKeyId"

# clean up (the bucket owner may delete what the user wrote; the deny went with the policy)
for b in (bucket, enforced):
    for o in root.list_objects_v2(Bucket=b).get("Contents", []):
        root.delete_object(Bucket=b, Key=o["Key"])
    root.delete_bucket(Bucket=b)
print("boto3 access control: ok")
