"""boto3 (Debian's python3-boto3) against Kura: bucket CORS, a preflight and Origin headers, and a
browser-style upload through boto3's generate_presigned_post (SigV4 POST policy) sent with requests."""
import os

import boto3
import requests
from botocore.config import Config
from botocore.exceptions import ClientError

endpoint = os.environ["KURA_ENDPOINT"]
s3 = boto3.client("s3", endpoint_url=endpoint,
                  config=Config(s3={"addressing_style": "path"}, signature_version="s3v4", retries={"max_attempts": 1}))
bucket = "boto3-cors-" + os.urandom(4).hex()
s3.create_bucket(Bucket=bucket)

# --- CORS configuration ---
try:
    s3.get_bucket_cors(Bucket=bucket)
    raise AssertionError("expected NoSuchCORSConfiguration")
except ClientError as e:
    assert e.response["Error"]["Code"] == "NoSuchCORSConfiguration", e.response
rules = [{"ID": "web", "AllowedOrigins": ["http://app.example"], "AllowedMethods": ["GET", "POST"],
          "AllowedHeaders": ["*"], "ExposeHeaders": ["ETag"], "MaxAgeSeconds": 120}]
s3.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": rules})
got = s3.get_bucket_cors(Bucket=bucket)["CORSRules"]
assert got == rules, got
try:
    s3.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": [
        {"AllowedOrigins": ["*"], "AllowedMethods": ["PATCH"]}]})
    raise AssertionError("expected InvalidRequest")
except ClientError as e:
    assert e.response["Error"]["Code"] == "InvalidRequest", e.response

# --- preflight ---
r = requests.options(f"{endpoint}/{bucket}", headers={
    "Origin": "http://app.example", "Access-Control-Request-Method": "POST",
    "Access-Control-Request-Headers": "content-type"})
assert r.status_code == 200, r.text
assert r.headers["Access-Control-Allow-Origin"] == "http://app.example", r.headers
assert r.headers["Access-Control-Allow-Methods"] == "GET, POST", r.headers
assert r.headers["Access-Control-Max-Age"] == "120", r.headers
r = requests.options(f"{endpoint}/{bucket}", headers={
    "Origin": "http://evil.example", "Access-Control-Request-Method": "POST"})
assert r.status_code == 403 and "AccessForbidden" in r.text, (r.status_code, r.text)

# --- presigned POST (SigV4 policy) ---
post = s3.generate_presigned_post(
    Bucket=bucket, Key="uploads/${filename}",
    Fields={"Content-Type": "text/plain", "x-amz-meta-who": "boto3"},
    Conditions=[["starts-with", "$key", "uploads/"], {"Content-Type": "text/plain"}, {"x-amz-meta-who": "boto3"},
                ["content-length-range", 1, 1024]],
    ExpiresIn=300)
assert "x-amz-signature" in post["fields"], post
data = b"posted by boto3\n"
r = requests.post(post["url"], data=post["fields"], files={"file": ("note.txt", data)},
                  headers={"Origin": "http://app.example"})
assert r.status_code == 204, (r.status_code, r.text)
assert r.headers["Access-Control-Allow-Origin"] == "http://app.example", r.headers
assert r.headers["Access-Control-Expose-Headers"] == "ETag", r.headers
obj = s3.get_object(Bucket=bucket, Key="uploads/note.txt")
assert obj["Body"].read() == data
assert obj["ContentType"] == "text/plain" and obj["Metadata"] == {"who": "boto3"}, obj

# The same policy refuses a file over its length range, and a changed field; nothing is stored.
r = requests.post(post["url"], data=post["fields"], files={"file": ("big.txt", b"x" * 2000)})
assert r.status_code == 400 and "EntityTooLarge" in r.text, (r.status_code, r.text)
fields = dict(post["fields"], **{"x-amz-meta-who": "someone else"})
r = requests.post(post["url"], data=fields, files={"file": ("other.txt", data)})
assert r.status_code == 403 and "Invalid according to Policy" in r.text, (r.status_code, r.text)
keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", [])]
assert keys == ["uploads/note.txt"], keys

# An expired policy is refused.
expired = s3.generate_presigned_post(Bucket=bucket, Key="late.txt", ExpiresIn=-10)
r = requests.post(expired["url"], data=expired["fields"], files={"file": ("late.txt", b"late")})
assert r.status_code == 403 and "Policy expired" in r.text, (r.status_code, r.text)

# A GET with an Origin (as fetch() sends it) carries the rule's headers.
url = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "uploads/note.txt"}, ExpiresIn=300)
r = requests.get(url, headers={"Origin": "http://app.example"})
assert r.status_code == 200 and r.content == data
assert r.headers["Access-Control-Allow-Origin"] == "http://app.example", r.headers

s3.delete_bucket_cors(Bucket=bucket)
s3.delete_object(Bucket=bucket, Key="uploads/note.txt")
s3.delete_bucket(Bucket=bucket)
print("boto3 cors/post ok")
