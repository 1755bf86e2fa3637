#!/usr/bin/env bash
# AWS CLI (Debian's awscli) against Kura: make bucket, put, list, get with checksum compare, delete.
set -euxo pipefail
aws() { /usr/bin/aws --endpoint-url "$KURA_ENDPOINT" "$@"; }
B=awscli-$RANDOM$RANDOM
head -c 3000000 /dev/urandom > "$WORK/cli-in.bin"
printf 'small text\n' > "$WORK/cli-small.txt"
aws s3 mb "s3://$B"
aws s3 cp --only-show-errors "$WORK/cli-in.bin" "s3://$B/dir/in.bin"
aws s3 cp "$WORK/cli-small.txt" "s3://$B/small.txt" --content-type text/plain
# (output captured first: grep -q would close the pipe early and pipefail would fail the command)
top=$(aws s3 ls "s3://$B/"); grep -q 'PRE dir/' <<<"$top"
sub=$(aws s3 ls "s3://$B/dir/"); grep -q 'in.bin' <<<"$sub"
all=$(aws s3 ls); grep -q "$B" <<<"$all"
aws s3 cp --only-show-errors "s3://$B/dir/in.bin" "$WORK/cli-out.bin"
cmp "$WORK/cli-in.bin" "$WORK/cli-out.bin"
[ "$(md5sum < "$WORK/cli-in.bin" | cut -d' ' -f1)" = "$(aws s3api head-object --bucket "$B" --key dir/in.bin --query ETag --output text | tr -d '"')" ]
[ "$(aws s3api head-object --bucket "$B" --key small.txt --query ContentType --output text)" = "text/plain" ]
[ "$(aws s3api list-objects-v2 --no-paginate --bucket "$B" --query 'KeyCount' --output text)" = 2 ]
[ "$(aws s3api list-objects --bucket "$B" --query 'length(Contents)' --output text)" = 2 ]
aws s3 rm "s3://$B/dir/in.bin"
aws s3 rm "s3://$B/small.txt"
aws s3 rb "s3://$B"
! aws s3api head-bucket --bucket "$B" 2>/dev/null

# --- multipart sizes, sync, s3api calls
B2=awscli-mp-$RANDOM$RANDOM
aws s3 mb "s3://$B2"
head -c 20000000 /dev/urandom > "$WORK/cli-big.bin"
aws configure set default.s3.multipart_threshold 8MB
aws configure set default.s3.multipart_chunksize 5MB
aws s3 cp --only-show-errors "$WORK/cli-big.bin" "s3://$B2/big.bin"
etag=$(aws s3api head-object --bucket "$B2" --key big.bin --query ETag --output text)
case "$etag" in *-4\"|*-4) ;; *) echo "expected a 4-part multipart ETag, got $etag"; exit 1 ;; esac
aws s3 cp --only-show-errors "s3://$B2/big.bin" "$WORK/cli-big.out"
cmp "$WORK/cli-big.bin" "$WORK/cli-big.out"
mkdir -p "$WORK/sync/sub"
for i in 1 2 3; do head -c $((i * 1000)) /dev/urandom > "$WORK/sync/f$i"; done
head -c 9000000 /dev/urandom > "$WORK/sync/sub/large"
aws s3 sync --only-show-errors "$WORK/sync" "s3://$B2/sync"
aws s3 sync --only-show-errors "s3://$B2/sync" "$WORK/sync-back"
diff -r "$WORK/sync" "$WORK/sync-back"
aws s3api put-object-tagging --bucket "$B2" --key big.bin --tagging 'TagSet=[{Key=team,Value=ml}]'
[ "$(aws s3api get-object-tagging --bucket "$B2" --key big.bin --query 'TagSet[0].Value' --output text)" = ml ]
aws s3api copy-object --bucket "$B2" --key copy.bin --copy-source "$B2/big.bin" > /dev/null
aws s3 cp --only-show-errors "s3://$B2/copy.bin" "$WORK/cli-copy.out"
cmp "$WORK/cli-big.bin" "$WORK/cli-copy.out"
uid=$(aws s3api create-multipart-upload --bucket "$B2" --key aborted --query UploadId --output text)
[ "$(aws s3api list-multipart-uploads --bucket "$B2" --query 'Uploads[0].UploadId' --output text)" = "$uid" ]
aws s3api abort-multipart-upload --bucket "$B2" --key aborted --upload-id "$uid"
aws s3 rm --only-show-errors --recursive "s3://$B2"
aws s3 rb "s3://$B2"
