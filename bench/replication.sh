#!/usr/bin/env bash
# Incremental replication after rewriting about 1% of SIZE of incompressible data in random 64 KiB
# writes: `subvol send | subvol receive` against `btrfs send -p | btrfs receive` and
# `rsync --inplace --no-whole-file` of the image, with the full send for scale, and a full send to
# /dev/null against `cat IMAGE > /dev/null`. Caches are dropped before every step; the incremental
# transfers of subvol and btrfs run three times and report the median. Prints wall time,
# bytes read from the source device, stream bytes and peak RSS, with ratios to Subvol. A benchmark,
# not a test: it asserts nothing about speed. Needs root.
# Usage: bench/replication.sh [--size SIZE]   (SIZE in GiB, e.g. 4G, the default, or 16G)
set -euo pipefail
cd "$(dirname "$0")/.."

size_gib=4
while [ $# -gt 0 ]; do
  case "$1" in
    --size) size_gib=${2%[Gg]}; shift 2 ;;
    --size=*) size_gib=${1#--size=}; size_gib=${size_gib%[Gg]}; shift ;;
    *) echo "bench: unknown argument '$1'; usage: bench/replication.sh [--size SIZE_GIB]" >&2; exit 2 ;;
  esac
done
[[ "$size_gib" =~ ^[1-9][0-9]*$ ]] || { echo "bench: --size takes whole GiB, e.g. 4G" >&2; exit 2; }
[ "$(id -u)" -eq 0 ] || { echo "bench: run as root" >&2; exit 1; }

scripts/install-dependencies build integration bench
# Always build: an executable left by an earlier build would time older code than the sources say.
./build >/dev/null
subvol=$PWD/artifacts/bin/subvol

work=$(mktemp -d /var/tmp/subvol-bench.XXXXXX)
export SUBVOL_CONFIG_DIR="$work/config"
source_pool=$work/source
destination_pool=$work/destination
cleanup() {
  set +e
  umount "$source_pool/mounts/data" 2>/dev/null
  "$subvol" pool export "$source_pool" >/dev/null 2>&1
  "$subvol" pool export "$destination_pool" >/dev/null 2>&1
  umount "$work/btrfs-source" "$work/btrfs-destination" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

now() { date +%s%N; }
drop_caches() { sync; echo 3 > /proc/sys/vm/drop_caches; }
# Sectors read by a block device, from /sys/block/DEV/stat (field 3), in bytes.
device_read_bytes() { awk '{ printf "%.0f\n", $3 * 512 }' "/sys/block/$(basename "$1")/stat"; }
device_of() { findmnt -n -o SOURCE --target "$1"; }
mib() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1048576 }'; }
seconds() { awk -v ns="$1" 'BEGIN { printf "%.2f", ns / 1e9 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) print "-"; else printf "%.2fx", a / b }'; }

# Runs a pipeline "SENDER | counter | RECEIVER" and records its wall time, the bytes read from the
# source device, the stream's bytes and the larger peak RSS of the two ends (KiB, from time(1)).
# Usage: measure NAME SOURCE_DEVICE SEND_COMMAND RECEIVE_COMMAND
declare -A wall read_bytes stream_bytes peak_rss
measure() {
  local name=$1 device=$2 send=$3 receive=$4 before start
  drop_caches
  before=$(device_read_bytes "$device")
  start=$(now)
  /usr/bin/time -f %M -o "$work/send.rss" bash -c "$send" \
    | tee >(wc -c > "$work/stream.bytes") \
    | /usr/bin/time -f %M -o "$work/receive.rss" bash -c "$receive"
  wall[$name]=$(( $(now) - start ))
  read_bytes[$name]=$(( $(device_read_bytes "$device") - before ))
  sleep 0.2 # wc writes its count when tee closes the pipe
  stream_bytes[$name]=$(cat "$work/stream.bytes")
  peak_rss[$name]=$(sort -n "$work/send.rss" "$work/receive.rss" | tail -n 1)
}

echo "setting up: ${size_gib} GiB of incompressible data in an XFS pool pair and a btrfs pair" >&2
image_gib=$(( size_gib + 2 ))
for pool in "$source_pool" "$destination_pool"; do
  "$subvol" pool create "$pool" --image "$pool.img" --size "$(( image_gib * 3 + 8 ))G" --sparse >/dev/null
done
"$subvol" create data --size "${image_gib}G" --provisioning thin --pool "$source_pool" >/dev/null
"$subvol" mount data --pool "$source_pool" >/dev/null
subvol_data=$source_pool/mounts/data

for side in source destination; do
  truncate -s "$(( image_gib * 3 ))G" "$work/btrfs-$side.img"
  mkfs.btrfs -q "$work/btrfs-$side.img" >/dev/null 2>&1
  mkdir -p "$work/btrfs-$side"
  mount -o loop "$work/btrfs-$side.img" "$work/btrfs-$side"
done
btrfs subvolume create "$work/btrfs-source/data" >/dev/null
btrfs_data=$work/btrfs-source/data

# The same bytes on both sides, in 64 MiB files.
files=$(( size_gib * 16 ))
for index in $(seq 0 $(( files - 1 ))); do
  head -c 64M /dev/urandom | tee "$subvol_data/f$index" > "$btrfs_data/f$index"
done
sync
"$subvol" snapshot data@base --pool "$source_pool" >/dev/null
btrfs subvolume snapshot -r "$btrfs_data" "$work/btrfs-source/base" >/dev/null
sync

source_device=$(device_of "$source_pool")
btrfs_device=$(device_of "$work/btrfs-source")
base_image=$source_pool/snapshots/data/base.img

echo "full transfers" >&2
measure "subvol full" "$source_device" \
  "'$subvol' send data@base --pool '$source_pool'" \
  "'$subvol' receive data --pool '$destination_pool' >/dev/null"
measure "btrfs full" "$btrfs_device" \
  "btrfs send -q '$work/btrfs-source/base'" \
  "btrfs receive -q '$work/btrfs-destination'"
measure "subvol full to /dev/null" "$source_device" \
  "'$subvol' send data@base --pool '$source_pool'" \
  "cat > /dev/null"
measure "cat image" "$source_device" \
  "cat '$base_image'" \
  "cat > /dev/null"

# rsync's destination holds the base image, as a backup of the previous night would.
mkdir -p "$work/rsync"
cp --sparse=always "$base_image" "$work/rsync/data.img"

# About 1% of the data, rewritten in random 64 KiB writes, the same ones on both sides.
writes=$(( size_gib * 1024 * 1024 / 64 / 100 ))
echo "rewriting $writes blocks of 64 KiB" >&2
RANDOM=1
for _ in $(seq "$writes"); do
  file=f$(( RANDOM % files ))
  block=$(( RANDOM % 1024 ))
  head -c 64K /dev/urandom > "$work/block"
  dd if="$work/block" of="$subvol_data/$file" bs=64K seek="$block" conv=notrunc status=none
  dd if="$work/block" of="$btrfs_data/$file" bs=64K seek="$block" conv=notrunc status=none
done
sync
"$subvol" snapshot data@changed --pool "$source_pool" >/dev/null
btrfs subvolume snapshot -r "$btrfs_data" "$work/btrfs-source/changed" >/dev/null
changed_image=$source_pool/snapshots/data/changed.img

echo "incremental transfers" >&2
# An incremental transfer is short, and one run says little on a noisy machine: subvol and btrfs
# run three times each, alternating, and the median counts. The receivers drop what they
# received in between.
declare -A runs
for run in 1 2 3; do
  if [ "$run" -gt 1 ]; then
    "$subvol" destroy data@changed --pool "$destination_pool" >/dev/null
    btrfs subvolume delete "$work/btrfs-destination/changed" >/dev/null
  fi
  measure "subvol incremental" "$source_device" \
    "'$subvol' send data@changed --from base --pool '$source_pool'" \
    "'$subvol' receive data --pool '$destination_pool' >/dev/null"
  runs[subvol incremental]+="${wall[subvol incremental]} "
  measure "btrfs incremental" "$btrfs_device" \
    "btrfs send -q -p '$work/btrfs-source/base' '$work/btrfs-source/changed'" \
    "btrfs receive -q '$work/btrfs-destination'"
  runs[btrfs incremental]+="${wall[btrfs incremental]} "
done
median() { tr ' ' '\n' <<< "$1" | grep . | sort -n | sed -n 2p; }
for name in "subvol incremental" "btrfs incremental"; do
  wall[$name]=$(median "${runs[$name]}")
done
measure "rsync incremental" "$source_device" \
  "rsync --inplace --no-whole-file '$changed_image' '$work/rsync/data.img'" \
  "cat"

# Each receiver must hold exactly what was sent, or the times mean nothing.
cmp "$changed_image" "$destination_pool/snapshots/data/changed.img"
cmp "$changed_image" "$work/rsync/data.img"
diff -r "$btrfs_data" "$work/btrfs-destination/changed" >/dev/null

echo
printf '%-26s %10s %14s %12s %10s %12s\n' "transfer" "wall s" "source read" "stream" "peak RSS" "vs subvol"
row() {
  local name=$1 reference=$2
  printf '%-26s %10s %11s MiB %8s MiB %6s MiB %12s\n' "$name" "$(seconds "${wall[$name]}")" \
    "$(mib "${read_bytes[$name]}")" "$(mib "${stream_bytes[$name]}")" "$(( ${peak_rss[$name]} / 1024 ))" \
    "$([ -n "$reference" ] && ratio "${wall[$name]}" "${wall[$reference]}" || echo "")"
}
row "subvol incremental" ""
row "btrfs incremental" "subvol incremental"
row "rsync incremental" "subvol incremental"
row "subvol full" ""
row "btrfs full" "subvol full"
row "subvol full to /dev/null" ""
row "cat image" "subvol full to /dev/null"
echo
echo "rsync reads both images and writes the changes itself, so it has no stream"
for name in "subvol incremental" "btrfs incremental"; do
  echo "$name runs: $(for ns in ${runs[$name]}; do printf '%s s ' "$(seconds "$ns")"; done)(median above)"
done
throughput() { awk -v bytes="$2" -v ns="${wall[$1]}" 'BEGIN { printf "%.0f", bytes / 1048576 / (ns / 1e9) }'; }
image_bytes=$(stat -c %s "$base_image")
# Both move the whole image, so image bytes per second compare like with like; the stream's bytes
# per second count only the data, since subvol sends holes as records and cat reads them as zeros.
subvol_image_rate=$(throughput "subvol full to /dev/null" "$image_bytes")
cat_image_rate=$(throughput "cat image" "$image_bytes")
echo "full send moves the $(mib "$image_bytes") MiB image at $subvol_image_rate MiB/s, cat reads it at $cat_image_rate MiB/s:" \
  "$(awk -v s="$subvol_image_rate" -v c="$cat_image_rate" 'BEGIN { printf "%.2f", s / c }') of cat's throughput"
echo "counting the stream's bytes instead: $(throughput "subvol full to /dev/null" "${stream_bytes[subvol full to /dev/null]}") MiB/s against cat's" \
  "$(throughput "cat image" "${stream_bytes[cat image]}") MiB/s"
echo "targets: incremental <= 1.0x btrfs send/receive and >= 10x faster than rsync; full send >= 0.9 of cat's throughput; peak RSS <= 100 MiB"
