#!/usr/bin/env bash
# s3cmd (Debian) against Kura: put, get, ls, del, with and without multipart. s3cmd sends no
# Expect: 100-continue and lists with ListObjects V1.
set -euxo pipefail
host=${KURA_ENDPOINT#http://}
cat > "$WORK/s3cfg" <<CFG
[default]
access_key = $KURA_ACCESS_KEY
secret_key = $KURA_SECRET_KEY
host_base = $host
host_bucket = $host
use_https = False
signature_v2 = False
bucket_location = us-east-1
check_ssl_certificate = False
CFG
s3c() { s3cmd -c "$WORK/s3cfg" "$@"; }
B=s3cmd-$RANDOM$RANDOM
head -c 300000 /dev/urandom > "$WORK/s3cmd-small"
head -c 12000000 /dev/urandom > "$WORK/s3cmd-large"
s3c mb "s3://$B"
s3c put --disable-multipart "$WORK/s3cmd-small" "s3://$B/small"
s3c put --multipart-chunk-size-mb=5 "$WORK/s3cmd-large" "s3://$B/dir/large"
s3c put --disable-multipart "$WORK/s3cmd-large" "s3://$B/dir/large-single"
listing=$(s3c ls "s3://$B/")
grep -q 'DIR.*dir/' <<<"$listing"
grep -q 'small' <<<"$listing"
s3c get --force "s3://$B/small" "$WORK/s3cmd-small.out"
s3c get --force "s3://$B/dir/large" "$WORK/s3cmd-large.out"
s3c get --force "s3://$B/dir/large-single" "$WORK/s3cmd-large-single.out"
cmp "$WORK/s3cmd-small" "$WORK/s3cmd-small.out"
cmp "$WORK/s3cmd-large" "$WORK/s3cmd-large.out"
cmp "$WORK/s3cmd-large" "$WORK/s3cmd-large-single.out"
s3c info "s3://$B/dir/large" > /dev/null
s3c del "s3://$B/small"
s3c del --recursive --force "s3://$B/dir"
s3c rb "s3://$B"
