#!/usr/bin/env bash
# rclone (Debian) against Kura: copy, check, purge. AWS_CA_BUNDLE (set on this machine) breaks
# rclone over plain HTTP, so it is unset for rclone.
set -euxo pipefail
unset AWS_CA_BUNDLE
export RCLONE_CONFIG_KURA_TYPE=s3 RCLONE_CONFIG_KURA_PROVIDER=Other RCLONE_CONFIG_KURA_ENDPOINT="$KURA_ENDPOINT"
export RCLONE_CONFIG_KURA_ACCESS_KEY_ID="$KURA_ACCESS_KEY" RCLONE_CONFIG_KURA_SECRET_ACCESS_KEY="$KURA_SECRET_KEY"
export RCLONE_CONFIG_KURA_REGION=us-east-1 RCLONE_CONFIG_KURA_FORCE_PATH_STYLE=true
B=rclone-$RANDOM$RANDOM
SRC="$WORK/rclone-src"
mkdir -p "$SRC/a/b"
for i in 1 2 3 4; do head -c $((i * 70000)) /dev/urandom > "$SRC/f$i"; done
head -c 12000000 /dev/urandom > "$SRC/a/b/large"   # above rclone's multipart cutoff at --s3-upload-cutoff
printf 'hello' > "$SRC/a/small"
rclone mkdir "kura:$B"
rclone copy --s3-upload-cutoff 5M --s3-chunk-size 5M "$SRC" "kura:$B/data"
rclone check "$SRC" "kura:$B/data"
rclone copy "kura:$B/data" "$WORK/rclone-back"
diff -r "$SRC" "$WORK/rclone-back"
[ "$(rclone lsf -R "kura:$B/data" | wc -l)" -ge 7 ]
rclone purge "kura:$B"
! rclone lsd "kura:$B" 2>/dev/null
