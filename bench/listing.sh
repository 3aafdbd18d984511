#!/usr/bin/env bash
# How `subvol list -t all` scales with the number of snapshots: times it on a pool of 10 snapshots
# and on one of 5,000 (or --snapshots N) with hyperfine, warm cache (a listing reads metadata the
# page cache already holds), and prints the ratio against the target of at most 3x. Also times
# `list -t snapshot`, `list -t all -p`, `list -t all --json` and `df` on both. A benchmark, not a
# test: it asserts nothing about speed. Needs root and about 300 MiB of disk under /var/tmp (two
# sparse pool images; each snapshot of the tiny unmounted ext4 subvolume holds a few KiB).
# Taking 5,000 snapshots through the command line takes a few minutes (about 15 ms each here).
# Usage: bench/listing.sh [--snapshots N] [--runs N]
set -euo pipefail
cd "$(dirname "$0")/.."

many=5000
runs=10
while [ $# -gt 0 ]; do
  case "$1" in
    --snapshots) many=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    *) echo "usage: bench/listing.sh [--snapshots N] [--runs N]" >&2; exit 2 ;;
  esac
done
few=10
source bench/lib.sh
bench_require_root
echo "needs about 300 MiB of disk under /var/tmp (two sparse pool images), all removed at the end"

subvol=$(bench_subvol build integration bench)

work=$(mktemp -d /var/tmp/subvol-bench-listing.XXXXXX)
export SUBVOL_CONFIG_DIR="$work/config"
cleanup() {
  set +e
  trap - INT TERM
  for pool in "$work"/pool-*; do
    [ -d "$pool" ] || continue
    # Export unmounts what is mounted and detaches the pool's loop device.
    "$subvol" pool export "$pool" >/dev/null 2>&1 || umount "$pool" 2>/dev/null
  done
  for image in "$work"/pool-*.img; do
    [ -f "$image" ] || continue
    losetup -j "$image" -O NAME -n 2>/dev/null | xargs -r -n1 losetup -d 2>/dev/null
  done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A pool holding one tiny thin ext4 subvolume, never mounted, and COUNT snapshots of it.
make_pool() {
  local count=$1 pool="$work/pool-$1"
  "$subvol" pool create "$pool" --image "$work/pool-$count.img" --size 1G --sparse >/dev/null 2>&1
  SUBVOL_POOL=$pool "$subvol" create data --size 16M --fs ext4 --provisioning thin >/dev/null
  local start=$SECONDS
  for i in $(seq "$count"); do
    SUBVOL_POOL=$pool "$subvol" snapshot "data@s$i" >/dev/null
    if [ $(( i % 1000 )) -eq 0 ]; then echo "  $i snapshots in $(( SECONDS - start )) s" >&2; fi
  done
}

echo "making a pool of $few snapshots and one of $many"
make_pool "$few"
make_pool "$many"

# The first listing after any change reads every extent map and stores the figures; the pool keeps
# none read within a second of a change, so wait that second, then time that first listing once.
sleep 2
for count in "$few" "$many"; do
  start=$(date +%s%N)
  SUBVOL_POOL="$work/pool-$count" "$subvol" list -t all >/dev/null
  echo "first list -t all after the last snapshot, $count snapshots (reads every extent map): $(( ($(date +%s%N) - start) / 1000000 )) ms"
done

declare -A medians mins
measure() {
  local label=$1 count=$2; shift 2
  local csv="$work/hyperfine.csv"
  SUBVOL_POOL="$work/pool-$count" hyperfine -N --warmup 3 --runs "$runs" --export-csv "$csv" "$subvol $*" >/dev/null
  # Columns: command,mean,stddev,median,user,system,min,max (seconds).
  medians[$label,$count]=$(awk -F, 'NR == 2 { print $4 * 1000 }' "$csv")
  mins[$label,$count]=$(awk -F, 'NR == 2 { print $7 * 1000 }' "$csv")
}

printf '\n%-22s %14s %14s %14s %14s %8s\n' "command" "$few: median" "$few: min" "$many: median" "$many: min" "ratio"
for spec in "list -t all" "list -t snapshot" "list -t all -p" "list -t all --json" "df"; do
  measure "$spec" "$few" $spec
  measure "$spec" "$many" $spec
  printf '%-22s %11.1f ms %11.1f ms %11.1f ms %11.1f ms %7.2fx\n' "$spec" \
    "${medians[$spec,$few]}" "${mins[$spec,$few]}" "${medians[$spec,$many]}" "${mins[$spec,$many]}" \
    "$(awk -v a="${medians[$spec,$many]}" -v b="${medians[$spec,$few]}" 'BEGIN { print a / b }')"
done
echo
echo "hyperfine, $runs runs after 3 warm-up runs each, warm cache, with the figures of the first listing stored; ratio = median at $many / median at $few"
echo "target: subvol list -t all at $many snapshots within 3x of the same at $few"
