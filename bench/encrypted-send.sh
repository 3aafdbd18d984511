#!/usr/bin/env bash
# A full send of SIZE GiB of incompressible data encrypted with age (send --encrypt-to) against the
# same send in plain, both to /dev/null from a cold cache, and, for reference, the age tool
# encrypting the plain stream from a file (age -r < STREAM > /dev/null). Prints every time, the
# ratios to the plain send, the peak RSS of the encrypted send and the target (encrypted send ≤ 1.2×
# plain), and a markdown table with the machine. A benchmark, not a test: it asserts nothing. Needs root.
# Usage: bench/encrypted-send.sh [--size GIB] [--runs N]   (default: 4 GiB, 5 runs)
set -euo pipefail
cd "$(dirname "$0")/.."

usage="usage: bench/encrypted-send.sh [--size GIB] [--runs N]"
size=4 runs=5
while [ $# -gt 0 ]; do
  case "$1" in
    --size) [ $# -ge 2 ] || { echo "bench: --size needs a value; $usage" >&2; exit 2; }; size=${2%[Gg]}; shift 2 ;;
    --runs) [ $# -ge 2 ] || { echo "bench: --runs needs a value; $usage" >&2; exit 2; }; runs=$2; shift 2 ;;
    *) echo "bench: unknown argument '$1'; $usage" >&2; exit 2 ;;
  esac
done
[[ "$size" =~ ^[1-9][0-9]*$ ]] || { echo "bench: --size takes whole GiB, e.g. 4G, not '$size'" >&2; exit 2; }
[[ "$runs" =~ ^[1-9][0-9]*$ && "$runs" -ge 2 ]] || { echo "bench: --runs takes a whole number of at least 2, not '$runs'" >&2; exit 2; }
source bench/lib.sh
bench_require_root

# Peak disk space: the pool image, allocated (the data, 1 GiB of subvolume beyond it and 2 GiB of
# pool beyond that), and the plain stream that age -r reads (the data and its records).
needed_mib=$(( (size + 3) * 1024 + size * 1024 + 256 ))
parent=${TMPDIR:-/var/tmp}
available_mib=$(( $(df --output=avail -B1M "$parent" | tail -n 1) ))
gib() { awk -v mib="$1" 'BEGIN { printf "%.1f GiB", mib / 1024 }'; }
echo "bench: needs $(gib "$needed_mib") of disk in $parent; $(gib "$available_mib") free there" >&2
if [ "$available_mib" -lt "$needed_mib" ]; then
  echo "bench: not enough space in $parent: free $(gib $(( needed_mib - available_mib ))) there, or point TMPDIR at a larger filesystem, or pass a smaller --size" >&2
  exit 1
fi

subvol=$(bench_subvol build integration bench)

work=$(mktemp -d "$parent/subvol-bench.XXXXXX")
export SUBVOL_CONFIG_DIR="$work/config"
pool=$work/pool
cleanup() {
  set +e
  trap - INT TERM
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
drop_caches='sync; echo 3 > /proc/sys/vm/drop_caches'

say "making a pool and a subvolume of $size GiB of AES-CTR keystream"
"$subvol" pool create "$pool" --image "$work/pool.img" --size "$(( size + 3 ))G" >/dev/null
# Thin, so that the snapshot reserves no copy-on-write headroom in a pool sized for the data alone.
"$subvol" create data --size "$(( size + 1 ))G" --provisioning thin --pool "$pool" >/dev/null
"$subvol" mount data --pool "$pool" >/dev/null
bench_write_data "$pool/mounts/data" "$size"
"$subvol" umount data --pool "$pool" >/dev/null
"$subvol" snapshot data@base --pool "$pool" >/dev/null
age-keygen -o "$work/identity" 2>/dev/null
recipient=$(age-keygen -y "$work/identity")
"$subvol" send data@base --pool "$pool" -o "$work/plain.stream" 2>/dev/null
stream_bytes=$(stat -c %s "$work/plain.stream")

declare -A timing
timed() {
  local key=$1 command=$2 mean deviation minimum maximum
  say "timing $key: $runs runs"
  hyperfine --style none --shell bash --runs "$runs" --prepare "$drop_caches" \
    --export-json "$work/hyperfine.json" "set -o pipefail; $command"
  timing[$key]=$(jq -r '.results[0] | [.mean, .stddev, .min, .max] | map(. * 1000) | map(tostring) | join(" ")' "$work/hyperfine.json")
  read -r mean deviation minimum maximum <<< "${timing[$key]}"
  say "$(printf '%s: %.1f ms ± %.1f (min %.1f, max %.1f)' "$key" "$mean" "$deviation" "$minimum" "$maximum")"
}
timed plain "'$subvol' send data@base --pool '$pool' > /dev/null"
timed encrypted "'$subvol' send data@base --encrypt-to $recipient --pool '$pool' > /dev/null"
timed age "age -r $recipient < '$work/plain.stream' > /dev/null"

say "the encrypted send once more, for its peak RSS, and the size of what it writes"
sync; echo 3 > /proc/sys/vm/drop_caches
/usr/bin/time -f %M -o "$work/rss" "$subvol" send data@base --encrypt-to "$recipient" --pool "$pool" 2>/dev/null | wc -c > "$work/encrypted-bytes"
rss_mib=$(( $(cat "$work/rss") / 1024 ))
encrypted_bytes=$(cat "$work/encrypted-bytes")

field() { local values; read -r -a values <<< "${timing[$1]}"; echo "${values[$2]}"; }
mean() { field "$1" 0; }
minimum() { field "$1" 2; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
spread() { printf '%.0f ± %.0f ms (%.0f–%.0f)' "$(field "$1" 0)" "$(field "$1" 1)" "$(field "$1" 2)" "$(field "$1" 3)"; }
rate() { awk -v b="$stream_bytes" -v ms="$(mean "$1")" 'BEGIN { printf "%.0f MiB/s", b / 1048576 / (ms / 1000) }'; }
mib_of() { awk -v b="$1" 'BEGIN { printf "%.1f MiB", b / 1048576 }'; }
met() { awk -v a="$1" -v b="$2" 'BEGIN { print a <= b ? "yes" : "no" }'; }

echo
echo "Full send of $size GiB to /dev/null from a cold cache, $runs runs each: mean ± standard deviation (min–max),"
echo "throughput over the plain stream's $(mib_of "$stream_bytes"); the encrypted stream is $(mib_of "$encrypted_bytes")."
echo
echo "| what | time | throughput | ÷ plain send (means / mins) |"
echo "|---|---|---|---|"
echo "| subvol send | $(spread plain) | $(rate plain) | 1.00 / 1.00 |"
echo "| subvol send --encrypt-to | $(spread encrypted) | $(rate encrypted) | $(ratio "$(mean encrypted)" "$(mean plain)") / $(ratio "$(minimum encrypted)" "$(minimum plain)") |"
echo "| age -r < plain stream | $(spread age) | $(rate age) | $(ratio "$(mean age)" "$(mean plain)") / $(ratio "$(minimum age)" "$(minimum plain)") |"
echo
value=$(ratio "$(mean encrypted)" "$(mean plain)")
echo "Targets, judged on the means (a machine busy with other work spreads the runs; compare the mins too):"
echo
echo "| target | measured | met |"
echo "|---|---|---|"
echo "| send --encrypt-to ≤ 1.2× plain send | $value× (mins: $(ratio "$(minimum encrypted)" "$(minimum plain)")×) | $(met "$value" 1.2) |"
echo "| peak RSS of send --encrypt-to ≤ 100 MiB | $rss_mib MiB | $(met "$rss_mib" 100) |"
echo
host=$(findmnt -n -o FSTYPE,SOURCE --target "$parent" | awk '{ print $1 " on " $2 }')
echo "Machine: $(bench_machine); pool image on $host; caches dropped before every run."
