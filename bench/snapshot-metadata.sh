#!/usr/bin/env bash
# Changed-block tracking: GetMetadataDelta between two snapshots of a volume of SIZE of incompressible
# data, after rewriting a share of it in random 64 KiB writes, timed with hyperfine from a cold cache
# beside what else answers "what changed" on the same change:
#   Subvol    subvold metadata delta data@base data@changed: the CSI RPC over subvold's socket, from a
#             client process started for each run (its start-up is in the time, and timed alone too)
#   cmp       cmp -l of both snapshot images into a pipe, which compares every byte of both (plain cmp
#             stops at the first difference, and GNU cmp writing to /dev/null acts as cmp -s), and cat
#             of both, the reading alone
#   find-new  btrfs subvolume find-new on the same data and change in a btrfs subvolume
# Every run starts from dropped caches with subvold's executable read back in, so that the time is
# the reading of the maps or the data, not the paging in of a 100 MiB program.
# Prints the ratios and the target (Subvol at most a tenth of cmp) met or not, as markdown. Also
# checks that the ranges cover the change: the bytes they report against the bytes rewritten.
# A benchmark, not a test: it asserts nothing about speed. Needs root.
# Usage: bench/snapshot-metadata.sh [--size GIB] [--changed PERCENT] [--runs N]   (default 16G, 1%, 5 runs)
set -euo pipefail
cd "$(dirname "$0")/.."

usage="usage: bench/snapshot-metadata.sh [--size GIB] [--changed PERCENT] [--runs N]"
size=16 changed=1 runs=5
while [ $# -gt 0 ]; do
  case "$1" in
    --size) [ $# -ge 2 ] || { echo "bench: --size needs a value; $usage" >&2; exit 2; }; size=${2%[Gg]}; shift 2 ;;
    --changed) [ $# -ge 2 ] || { echo "bench: --changed needs a value; $usage" >&2; exit 2; }; changed=${2%\%}; shift 2 ;;
    --runs) [ $# -ge 2 ] || { echo "bench: --runs needs a value; $usage" >&2; exit 2; }; runs=$2; shift 2 ;;
    *) echo "bench: unknown argument '$1'; $usage" >&2; exit 2 ;;
  esac
done
[[ "$size" =~ ^[1-9][0-9]*$ ]] || { echo "bench: --size takes whole GiB, e.g. 16G, not '$size'" >&2; exit 2; }
[[ "$changed" =~ ^[1-9][0-9]?$ && "$changed" -le 50 ]] || { echo "bench: --changed takes a whole percent from 1 to 50, not '$changed'" >&2; exit 2; }
[[ "$runs" =~ ^[1-9][0-9]*$ && "$runs" -ge 2 ]] || { echo "bench: --runs takes a whole number of at least 2, not '$runs'" >&2; exit 2; }
source bench/lib.sh
bench_require_root

# Peak disk space, in MiB: the larger of the two phases, which never live at once. Each holds the data,
# its change, 2 GiB of image beyond the data and 2 GiB for metadata and logs.
needed_mib=$(awk -v size="$size" -v changed="$changed" 'BEGIN { data = size * 1024; printf "%d\n", data + data * changed / 100 + 4096 }')
parent=${TMPDIR:-/var/tmp}
available_mib=$(( $(df --output=avail -B1M "$parent" | tail -n 1) ))
gib() { awk -v mib="$1" 'BEGIN { printf "%.1f GiB", mib / 1024 }'; }
echo "bench: needs at most $(gib "$needed_mib") of disk in $parent at its peak; $(gib "$available_mib") free there" >&2
if [ "$available_mib" -lt "$needed_mib" ]; then
  echo "bench: not enough space in $parent: free $(gib $(( needed_mib - available_mib ))) there, or point TMPDIR at a larger filesystem, or pass a smaller --size" >&2
  exit 1
fi

subvol=$(bench_subvol build integration bench)
subvold=$(dirname "$subvol")/subvold

work=$(mktemp -d "$parent/subvol-bench.XXXXXX")
export SUBVOL_CONFIG_DIR="$work/config"
pool=$work/pool
socket=$work/csi.sock
daemon=
cleanup() {
  set +e
  trap - INT TERM
  [ -n "$daemon" ] && kill "$daemon" 2>/dev/null && wait "$daemon" 2>/dev/null
  umount "$pool/mounts/data" 2>/dev/null
  [ -d "$pool" ] && "$subvol" pool export "$pool" >/dev/null 2>&1
  findmnt -rn -o TARGET | awk -v work="$work/" 'index($0, work) == 1' | sort -r | while read -r target; do
    umount "$target" 2>/dev/null || umount -l "$target"
  done
  losetup -n -l -O NAME,BACK-FILE | awk -v work="$work/" 'index($2, work) == 1 { print $1 }' | while read -r device; do
    losetup -d "$device"
  done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

say() { printf '[%4ds] %s\n' "$SECONDS" "$*" >&2; }
drop_caches="sync; echo 3 > /proc/sys/vm/drop_caches; cat '$subvold' > /dev/null"

# The same bytes in both phases, as bench/replication.sh writes them, then blocks 0..N of them rewritten in place.
write_data() { bench_write_data "$1" "$size"; }
rewrite_blocks() { bench_rewrite_blocks "$1" $(( size * 16 )) 0 $(( size * 16 * 1024 * changed / 100 )); }
rewritten_bytes=$(( size * 16 * 1024 * changed / 100 * 65536 ))

declare -A timing
timed() {
  local key=$1 command=$2 mean deviation minimum maximum
  say "timing $key: $runs runs"
  hyperfine --style none --shell bash --runs "$runs" --prepare "$drop_caches" --export-json "$work/hyperfine.json" "$command"
  timing[$key]=$(jq -r '.results[0] | [.mean, .stddev, .min, .max, .median] | map(. * 1000) | map(tostring) | join(" ")' "$work/hyperfine.json")
  read -r mean deviation minimum maximum _ <<< "${timing[$key]}"
  say "$(printf '%s: %.1f ms ± %.1f (min %.1f, max %.1f)' "$key" "$mean" "$deviation" "$minimum" "$maximum")"
}

say "btrfs, ${size} GiB: writing the data"
truncate -s "$(( size + 4 ))G" "$work/btrfs.img"
device=$(losetup --find --show --direct-io=on --sector-size 4096 "$work/btrfs.img")
mkfs.btrfs -q -f "$device" >/dev/null 2>&1
mkdir -p "$work/btrfs"
mount "$device" "$work/btrfs"
btrfs subvolume create "$work/btrfs/data" >/dev/null
write_data "$work/btrfs/data"
btrfs subvolume snapshot -r "$work/btrfs/data" "$work/btrfs/base" >/dev/null
# find-new lists what changed after a generation: the one the base was taken at.
generation=$(btrfs subvolume find-new "$work/btrfs/base" 9223372036854775807 | awk '/transid marker/ { print $NF }')
rewrite_blocks "$work/btrfs/data"
btrfs subvolume snapshot -r "$work/btrfs/data" "$work/btrfs/changed" >/dev/null
sync
find_new_lines=$(btrfs subvolume find-new "$work/btrfs/changed" "$generation" | wc -l)
timed find-new "btrfs subvolume find-new '$work/btrfs/changed' '$generation' > /dev/null"
umount "$work/btrfs"
losetup -d "$device"
rm -f "$work/btrfs.img"

say "Subvol, ${size} GiB: writing the data"
"$subvol" pool create "$pool" --image "$pool.img" --size "$(( size + 6 ))G" --sparse >/dev/null
"$subvol" create data --size "$(( size + 2 ))G" --provisioning thin --pool "$pool" >/dev/null
"$subvol" mount data --pool "$pool" >/dev/null
write_data "$pool/mounts/data"
"$subvol" snapshot data@base --pool "$pool" >/dev/null
rewrite_blocks "$pool/mounts/data"
"$subvol" snapshot data@changed --pool "$pool" >/dev/null
sync
"$subvold" --endpoint "unix://$socket" --pool "$pool" --node-id bench --mode controller --log-level warning &
daemon=$!
for _ in $(seq 100); do [ -S "$socket" ] && break; sleep 0.1; done
summary=$("$subvold" metadata delta data@base data@changed --endpoint "unix://$socket")
say "GetMetadataDelta: $summary; $rewritten_bytes bytes were rewritten"
timed subvol "'$subvold' metadata delta data@base data@changed --endpoint 'unix://$socket' > /dev/null"
timed start-up "'$subvold' --version > /dev/null"
timed cmp "cmp -l '$pool/snapshots/data/base.img' '$pool/snapshots/data/changed.img' | wc -l > /dev/null"
timed cat "cat '$pool/snapshots/data/base.img' '$pool/snapshots/data/changed.img' > /dev/null"
reported_bytes=$(awk '{ print $3 }' <<< "$summary")

mean() { local values; read -r -a values <<< "${timing[$1]}"; echo "${values[0]}"; }
spread() { local values; read -r -a values <<< "${timing[$1]}"; printf '%.0f ± %.0f ms (%.0f–%.0f)' "${values[0]}" "${values[1]}" "${values[2]}" "${values[3]}"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.4f", a / b }'; }
# The target is judged against the faster of the two ways of reading both images.
reference=$(awk -v a="$(mean cmp)" -v b="$(mean cat)" 'BEGIN { print a < b ? a : b }')
value=$(ratio "$(mean subvol)" "$reference")

echo
echo "What changed between two snapshots of $size GiB with $changed% rewritten in random 64 KiB writes, from a cold cache,"
echo "$runs runs each: mean ± standard deviation (min–max)."
echo
echo "| data | changed | GetMetadataDelta | its client's start-up | cmp -l of both images | cat of both | btrfs find-new | delta/cmp | delta/cat | delta/find-new |"
echo "|---|---|---|---|---|---|---|---|---|---|"
echo "| $size GiB | $changed% ($(( rewritten_bytes / 1048576 )) MiB) | $(spread subvol) | $(spread start-up) | $(spread cmp) | $(spread cat) | $(spread find-new) | $(ratio "$(mean subvol)" "$(mean cmp)") | $(ratio "$(mean subvol)" "$(mean cat)") | $(ratio "$(mean subvol)" "$(mean find-new)") |"
echo
echo "GetMetadataDelta reported $reported_bytes bytes ($(ratio "$reported_bytes" "$rewritten_bytes")× the bytes rewritten); find-new listed $find_new_lines lines."
echo "Target: GetMetadataDelta ≤ 0.1× reading both images (the faster of cmp -l and cat): $value×, $(awk -v v="$value" 'BEGIN { print v <= 0.1 ? "met" : "not met" }')."
host=$(findmnt -n -o FSTYPE,SOURCE --target "$parent" | awk '{ print $1 " on " $2 }')
echo "Machine: $(bench_machine); images on $host; caches dropped before every run."
