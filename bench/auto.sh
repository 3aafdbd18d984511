#!/usr/bin/env bash
# What `subvol auto` costs when nothing is due, against `subvol list -t all` of the same pool: 50
# subvolumes with 100 automatic snapshots each (5,000; or --subvolumes N --snapshots M), every one
# already replicated to a backup pool. A run with nothing due must decide so from the pool's own
# records: the backup pool is exported before the timed runs, so a run that tried to reach it would
# fail. Target: auto at most 2x list. A benchmark, not a test: it asserts nothing about speed.
# Needs root and about 1.5 GiB of disk under /var/tmp (two sparse pool images), all removed at the end.
# Taking 5,000 snapshots through the command line takes a few minutes.
# Usage: bench/auto.sh [--subvolumes N] [--snapshots M] [--runs N]
set -euo pipefail
cd "$(dirname "$0")/.."

subvolumes=50
snapshots=100
runs=10
while [ $# -gt 0 ]; do
  case "$1" in
    --subvolumes) subvolumes=$2; shift 2 ;;
    --snapshots) snapshots=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    *) echo "usage: bench/auto.sh [--subvolumes N] [--snapshots M] [--runs N]" >&2; exit 2 ;;
  esac
done
source bench/lib.sh
bench_require_root
echo "needs about 1.5 GiB of disk under /var/tmp (two sparse pool images), all removed at the end"

subvol=$(bench_subvol build integration bench)

work=$(mktemp -d /var/tmp/subvol-bench-auto.XXXXXX)
export SUBVOL_CONFIG_DIR="$work/config"
source_pool="$work/source"
backup_pool="$work/backup"
cleanup() {
  set +e
  trap - INT TERM
  for pool in "$source_pool" "$backup_pool"; do
    [ -d "$pool" ] || continue
    "$subvol" pool export "$pool" >/dev/null 2>&1 || umount "$pool" 2>/dev/null
  done
  for image in "$work"/*.img; do
    [ -f "$image" ] || continue
    losetup -j "$image" -O NAME -n 2>/dev/null | xargs -r -n1 losetup -d 2>/dev/null
  done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

"$subvol" pool create "$source_pool" --image "$work/source.img" --size 1G --sparse >/dev/null 2>&1
"$subvol" pool create "$backup_pool" --image "$work/backup.img" --size 1G --sparse >/dev/null 2>&1

# Hourly automatic snapshots, one series per subvolume, taken at the times their names say.
first=$(date -u -d '2027-01-01T00:00:00Z' +%s)
echo "making $subvolumes subvolumes with $snapshots automatic snapshots each"
start=$SECONDS
for s in $(seq "$subvolumes"); do
  SUBVOL_POOL=$source_pool "$subvol" create "data$s" --size 16M --fs ext4 --provisioning thin >/dev/null
  for i in $(seq 0 $(( snapshots - 1 ))); do
    at=$(( first + i * 3600 ))
    SUBVOL_POOL=$source_pool SUBVOL_NOW=$(date -u -d "@$at" +%Y-%m-%dT%H:%M:%SZ) \
      "$subvol" snapshot "data$s@auto-$(date -u -d "@$at" +%Y-%m-%dT%H%MZ)-hourly" >/dev/null
  done
  if [ $(( s % 10 )) -eq 0 ]; then echo "  $s subvolumes in $(( SECONDS - start )) s" >&2; fi
done

policy="$work/policy.conf"
cat > "$policy" <<POLICY
[data*]
hourly = $(( snapshots * 2 ))
target = $backup_pool
target_keep = 1h
POLICY

# Ten minutes after the last snapshot: nothing is due, and the first run brings every newest snapshot to the backup.
export SUBVOL_NOW
SUBVOL_NOW=$(date -u -d "@$(( first + (snapshots - 1) * 3600 + 600 ))" +%Y-%m-%dT%H:%M:%SZ)
SUBVOL_POOL=$source_pool "$subvol" auto --config "$policy" >/dev/null
"$subvol" pool export "$backup_pool" >/dev/null

sleep 2
SUBVOL_POOL=$source_pool "$subvol" list -t all >/dev/null
csv="$work/hyperfine.csv"
SUBVOL_POOL=$source_pool hyperfine -N --warmup 3 --runs "$runs" --export-csv "$csv" \
  "$subvol auto --config $policy" "$subvol list -t all" >/dev/null
# Columns: command,mean,stddev,median,user,system,min,max (seconds); auto is the first row, list the second.
read -r auto_median auto_min < <(awk -F, 'NR == 2 { print $4 * 1000, $7 * 1000 }' "$csv")
read -r list_median list_min < <(awk -F, 'NR == 3 { print $4 * 1000, $7 * 1000 }' "$csv")
ratio=$(awk -v a="$auto_median" -v b="$list_median" 'BEGIN { printf "%.2f", a / b }')

printf '\n%-40s %12s %12s\n' "command ($subvolumes subvolumes, $(( subvolumes * snapshots )) snapshots)" "median" "min"
printf '%-40s %9.1f ms %9.1f ms\n' "subvol auto (nothing due)" "$auto_median" "$auto_min"
printf '%-40s %9.1f ms %9.1f ms\n' "subvol list -t all" "$list_median" "$list_min"
echo
echo "hyperfine, $runs runs after 3 warm-up runs each, warm cache; the backup pool was exported, so auto reached no target"
echo "ratio auto / list: ${ratio}x (target: at most 2x) — $(awk -v r="$ratio" 'BEGIN { print (r <= 2 ? "met" : "not met") }')"
