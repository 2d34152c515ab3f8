#!/usr/bin/env bash
# scripts/capture-snapshot run as any user on a /proc and /sys made of the
# committed capture (CMASIM_PROC, CMASIM_SYS): what it writes imports into
# the same free lists and pageblocks as the committed capture does.
# Arguments: the cmasim binary, the source root.
set -euo pipefail
cmasim=$1
root=$2
fixture=$root/tests/fixtures/capture-vm/before
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

mkdir -p "$tmp/proc/sys/vm" "$tmp/sys"
for f in zoneinfo buddyinfo pagetypeinfo iomem meminfo vmstat; do
	cp "$fixture/$f" "$tmp/proc/$f"
done
gzip -dc "$fixture/kpageflags.gz" >"$tmp/proc/kpageflags"
for f in min_free_kbytes watermark_scale_factor; do
	sed -n "s/^$f //p" "$fixture/capture.txt" >"$tmp/proc/sys/vm/$f"
done
CMASIM_PROC=$tmp/proc CMASIM_SYS=$tmp/sys sh "$root/scripts/capture-snapshot" "$tmp/capture" 2>/dev/null

for f in zoneinfo buddyinfo pagetypeinfo iomem; do
	cmp "$fixture/$f" "$tmp/capture/$f"
done
grep -q '^kpageflags_bytes 52428800$' "$tmp/capture/capture.txt"
grep -q '^min_free_kbytes 67584$' "$tmp/capture/capture.txt"

# the host's uname and page size go into capture.txt: compare the /proc dumps only
dumps() {
	"$cmasim" import snapshot "$1" -o "$tmp/$2" >/dev/null
	"$cmasim" info "$tmp/$2" --pagetypeinfo | sed -n '/^\/proc\/buddyinfo:/,$p'
}
if ! diff <(dumps "$fixture" a) <(dumps "$tmp/capture" b); then
	echo "test_capture: the script's capture imports differently" >&2
	exit 1
fi
echo "test_capture: ok"
