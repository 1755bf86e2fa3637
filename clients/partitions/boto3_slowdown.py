"""boto3 in the standard retry mode against a server whose partitions admit few writes
(`--partition-write-rate 20 --split-after 2`): a burst of PUTs to one hot prefix is throttled
(503 SlowDown), botocore retries, and every PUT succeeds in the end; the listing holds each key once."""
import os
import threading

import boto3
from botocore.config import Config

s3 = boto3.client("s3", endpoint_url=os.environ["KURA_ENDPOINT"],
                  config=Config(s3={"addressing_style": "path"}, retries={"mode": "standard", "max_attempts": 10},
                                max_pool_connections=16))
bucket = "slowdown-" + os.urandom(4).hex()
s3.create_bucket(Bucket=bucket)
retries = []
errors = []
keys = []
lock = threading.Lock()


def writer(n):
    for i in range(25):
        key = "2026-12-07/%08d" % int.from_bytes(os.urandom(4), "big")
        try:
            r = s3.put_object(Bucket=bucket, Key=key, Body=key.encode())
            with lock:
                retries.append(r["ResponseMetadata"]["RetryAttempts"])
                keys.append(key)
        except Exception as e:  # noqa: BLE001 - any failure fails the test
            with lock:
                errors.append(repr(e))


threads = [threading.Thread(target=writer, args=(t,)) for t in range(8)]
for t in threads:
    t.start()
for t in threads:
    t.join()
assert not errors, errors[:3]
assert len(keys) == 200, len(keys)
assert sum(retries) > 0, "the burst was never throttled: is the server running with --partition-write-rate 20?"
listed = []
for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
    listed += [o["Key"] for o in page.get("Contents", [])]
assert listed == sorted(keys), (len(listed), len(keys))
print("boto3 slowdown ok: 200 PUTs, %d retried after SlowDown" % sum(retries))
