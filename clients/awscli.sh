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
