#!/usr/bin/env bash
# s3fs (Debian) FUSE mount of a Kura bucket: write, read back, rename, delete, unmount.
# Skipped (with a note) where the machine has no /dev/fuse.
set -euxo pipefail
if [ ! -e /dev/fuse ]; then echo "s3fs: no /dev/fuse here, skipped"; exit 0; fi
B=s3fs-$RANDOM$RANDOM
MNT="$WORK/s3fs-mnt"
mkdir -p "$MNT"
/usr/bin/aws --endpoint-url "$KURA_ENDPOINT" s3 mb "s3://$B" > /dev/null
echo "$KURA_ACCESS_KEY:$KURA_SECRET_KEY" > "$WORK/s3fs-passwd"
chmod 600 "$WORK/s3fs-passwd"
s3fs "$B" "$MNT" -o url="$KURA_ENDPOINT" -o use_path_request_style -o passwd_file="$WORK/s3fs-passwd" \
  -o endpoint=us-east-1 -o sigv4 -o dbglevel=warn -o nonempty
trap 'fusermount -u "$MNT" 2>/dev/null || umount "$MNT" 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do mountpoint -q "$MNT" && break; sleep 0.1; done
mountpoint -q "$MNT"
head -c 2000000 /dev/urandom > "$WORK/s3fs-in"
cp "$WORK/s3fs-in" "$MNT/file.bin"
mkdir "$MNT/dir"
echo hello > "$MNT/dir/note.txt"
sync
cmp "$WORK/s3fs-in" "$MNT/file.bin"
[ "$(cat "$MNT/dir/note.txt")" = hello ]
mv "$MNT/file.bin" "$MNT/renamed.bin"
[ ! -e "$MNT/file.bin" ]
cmp "$WORK/s3fs-in" "$MNT/renamed.bin"
# what the mount wrote is what S3 clients see
/usr/bin/aws --endpoint-url "$KURA_ENDPOINT" s3 cp --only-show-errors "s3://$B/renamed.bin" "$WORK/s3fs-out"
cmp "$WORK/s3fs-in" "$WORK/s3fs-out"
rm "$MNT/renamed.bin" "$MNT/dir/note.txt"
rmdir "$MNT/dir"
[ -z "$(ls -A "$MNT")" ]
fusermount -u "$MNT" || umount "$MNT"
trap - EXIT
/usr/bin/aws --endpoint-url "$KURA_ENDPOINT" s3 rb "s3://$B" > /dev/null
