#!/bin/sh
# The hash cache's scenario: the second --compare-hash=MD5 run over an unchanged 1 GiB tree, with
# the cache (XAttr, HiddenFiles) and without it (a fresh copy of the tree has no cache). The time
# of that run is the time to hash the tree without a cache and to read 16 cache entries with one.
#
#   sh bench/hashcache.sh AZSYNC_BINARY 'CONTAINER_URL?SAS' [--from-to=LocalBlob]
set -eu
bin=$1 url=$2
shift 2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/tree"
i=0
while [ $i -lt 16 ]; do
	head -c 67108864 /dev/urandom >"$work/tree/f$i.bin"
	i=$((i + 1))
done
run() { # label, flags...
	label=$1
	shift
	start=$(date +%s.%N)
	"$bin" sync "$work/tree" "$url" --compare-hash=MD5 --output-level=quiet "$@"
	end=$(date +%s.%N)
	echo "$label: $(echo "$end - $start" | bc) s"
}
run "first run (uploads 1 GiB, records the hashes)" --local-hash-storage-mode=XAttr "$@"
run "second run, XAttr cache" --local-hash-storage-mode=XAttr "$@"
run "first run, HiddenFiles (nothing to upload; hashes and records)" --local-hash-storage-mode=HiddenFiles "$@"
run "second run, HiddenFiles cache" --local-hash-storage-mode=HiddenFiles "$@"
# Without a cache: a copy of the tree (new inodes, no attributes, no hidden files), same mtimes.
cp -a "$work/tree" "$work/plain"
find "$work/plain" -name '.*.azcopysyncmeta' -delete
rm -rf "$work/tree" && mv "$work/plain" "$work/tree"
run "second run, no cache (hashes 1 GiB)" --local-hash-storage-mode=HiddenFiles "$@"
