#!/usr/bin/env bash
# Incremental replication after rewriting a share of SIZE of incompressible data in random 64 KiB
# writes, timed with hyperfine from a cold cache, one tool after another on the same bytes:
#   Subvol  subvol send data@changed --from base | subvol receive data
#   btrfs   btrfs send -p base changed | btrfs receive
#   floor   bench/floor.c: FIEMAP of both snapshot images, every changed range read ahead at once,
#           pread + pwrite into a reflink copy of the destination's base, one fsync
#   rsync   rsync --inplace --no-whole-file of the changed image onto a reflink copy of the base
# and, per size, a full send to /dev/null against `cat IMAGE > /dev/null` and the peak RSS of
# subvol send and receive. Prints every ratio, the performance targets met or not, and a markdown
# table with the machine. A benchmark, not a test: it asserts nothing about speed. Needs root.
# Usage: bench/replication.sh [--size 4G|16G]... [--changed 1|10]... [--runs N]
#   (default: every size 4G and 16G with 1% and 10% changed, 10 runs each)
set -euo pipefail
cd "$(dirname "$0")/.."

usage="usage: bench/replication.sh [--size GIB]... [--changed PERCENT]... [--runs N]"
sizes=() changes=() runs=10
while [ $# -gt 0 ]; do
  case "$1" in
    --size) [ $# -ge 2 ] || { echo "bench: --size needs a value; $usage" >&2; exit 2; }; sizes+=("${2%[Gg]}"); shift 2 ;;
    --changed) [ $# -ge 2 ] || { echo "bench: --changed needs a value; $usage" >&2; exit 2; }; changes+=("${2%\%}"); shift 2 ;;
    --runs) [ $# -ge 2 ] || { echo "bench: --runs needs a value; $usage" >&2; exit 2; }; runs=$2; shift 2 ;;
    *) echo "bench: unknown argument '$1'; $usage" >&2; exit 2 ;;
  esac
done
[ ${#sizes[@]} -gt 0 ] || sizes=(4 16)
[ ${#changes[@]} -gt 0 ] || changes=(1 10)
for size in "${sizes[@]}"; do
  [[ "$size" =~ ^[1-9][0-9]*$ ]] || { echo "bench: --size takes whole GiB, e.g. 4G, not '$size'" >&2; exit 2; }
done
for changed in "${changes[@]}"; do
  [[ "$changed" =~ ^[1-9][0-9]?$ && "$changed" -le 50 ]] || { echo "bench: --changed takes a whole percent from 1 to 50, not '$changed'" >&2; exit 2; }
done
[[ "$runs" =~ ^[1-9][0-9]*$ && "$runs" -ge 2 ]] || { echo "bench: --runs takes a whole number of at least 2, not '$runs'" >&2; exit 2; }
# Ascending changes let one source serve them all: each rewrites the first blocks of one fixed
# random order, so a larger change contains the smaller one, and both are measured from base.
mapfile -t sizes < <(printf '%s\n' "${sizes[@]}" | sort -nu)
mapfile -t changes < <(printf '%s\n' "${changes[@]}" | sort -nu)
largest_change=${changes[-1]}
source bench/lib.sh
bench_require_root

# Peak disk space, in MiB, of one size: the larger of the two phases, since the btrfs pair is torn
# down before the Subvol pair is built. btrfs: the data and its changes on each side. Subvol: the
# same on the source; on the destination the base, the changes NAME keeps from the previous receive
# and the received ones, and rsync's copy, counted whole since rsync --inplace was seen to rewrite
# most of an image's blocks (12 GiB of 18 at 16 GiB and 1%); plus 2 GiB of image beyond the data
# and 3 GiB for metadata and logs.
peak_mib() {
  awk -v size="$1" -v changed="$largest_change" 'BEGIN {
    data = size * 1024; delta = data * changed / 100
    btrfs = 2 * (data + delta) + 2048; subvol = (data + delta) + data + 2 * delta + (data + 2048) + 3072
    printf "%d\n", (btrfs > subvol ? btrfs : subvol) }'
}
needed_mib=0
for size in "${sizes[@]}"; do
  mib=$(peak_mib "$size"); [ "$mib" -gt "$needed_mib" ] && needed_mib=$mib
done
parent=${TMPDIR:-/var/tmp}
available_mib=$(( $(df --output=avail -B1M "$parent" | tail -n 1) ))
gib() { awk -v mib="$1" 'BEGIN { printf "%.1f GiB", mib / 1024 }'; }
echo "bench: needs at most $(gib "$needed_mib") of disk in $parent at its peak; $(gib "$available_mib") free there" >&2
if [ "$available_mib" -lt "$needed_mib" ]; then
  echo "bench: not enough space in $parent: free $(gib $(( needed_mib - available_mib ))) there, or point TMPDIR at a larger filesystem, or pass a smaller --size or --changed" >&2
  exit 1
fi

subvol=$(bench_subvol build integration bench)

work=$(mktemp -d "$parent/subvol-bench.XXXXXX")
export SUBVOL_CONFIG_DIR="$work/config"
source_pool=$work/source
destination_pool=$work/destination
cleanup() {
  set +e
  trap - INT TERM
  umount "$source_pool/mounts/data" 2>/dev/null
  for pool in "$source_pool" "$destination_pool"; do
    [ -d "$pool" ] && "$subvol" pool export "$pool" >/dev/null 2>&1
  done
  # Whatever step was interrupted: every mount beneath the bench's directory, deepest first, then
  # every loop device whose image lies there.
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

gcc -O2 -Wall -Wextra -o "$work/floor" bench/floor.c
floor=$work/floor

say() { printf '[%4ds] %s\n' "$SECONDS" "$*" >&2; }
drop_caches='sync; echo 3 > /proc/sys/vm/drop_caches'
peak_disk=0
# Bytes the bench's files hold on the host's filesystem now; -x stays off the pools' mounts.
note_disk() {
  local used; used=$(du -sx -B1M "$work" | cut -f1)
  [ "$used" -gt "$peak_disk" ] && peak_disk=$used
  return 0
}

blocks_for() { echo $(( $1 * 16 * 1024 * $2 / 100 )); }

# Times COMMAND with hyperfine, PREPARE (then a dropped cache) before every run, and keeps mean,
# standard deviation, min, max and median in ms under KEY in `timing`.
declare -A timing bytes rss
timed() {
  local key=$1 prepare=$2 command=$3 mean deviation minimum maximum
  say "timing $key: $runs runs"
  hyperfine --style none --shell bash --runs "$runs" --prepare "set -e; $prepare; $drop_caches" \
    --export-json "$work/hyperfine.json" "set -o pipefail; $command"
  timing[$key]=$(jq -r '.results[0] | [.mean, .stddev, .min, .max, .median] | map(. * 1000) | map(tostring) | join(" ")' "$work/hyperfine.json")
  read -r mean deviation minimum maximum _ <<< "${timing[$key]}"
  say "$(printf '%s: %.1f ms ± %.1f (min %.1f, max %.1f)' "$key" "$mean" "$deviation" "$minimum" "$maximum")"
  note_disk
}
# Waits for the count a `tee >(wc -c > FILE)` writes once the pipeline has closed.
count_of() { local tries=0; while [ ! -s "$1" ] && [ $tries -lt 100 ]; do sleep 0.05; tries=$(( tries + 1 )); done; cat "$1"; }
rss_max() { local key=$1 kib; kib=$(cat "$2"); [ "${rss[$key]:-0}" -ge "$kib" ] || rss[$key]=$kib; }

# One phase of btrfs, at one size: both pairs never live at once.
btrfs_phase() {
  local size=$1 side device changed name
  say "btrfs, ${size} GiB: writing the data"
  for side in source destination; do
    truncate -s "$(( (size + 2) * 3 ))G" "$work/btrfs-$side.img"
    # The loop devices Subvol attaches: direct I/O and 4096-byte sectors (src/Subvol.Linux/LoopDevice.cs).
    device=$(losetup --find --show --direct-io=on --sector-size 4096 "$work/btrfs-$side.img")
    mkfs.btrfs -q -f "$device" >/dev/null
    mkdir -p "$work/btrfs-$side"
    mount "$device" "$work/btrfs-$side"
  done
  local source=$work/btrfs-source destination=$work/btrfs-destination
  btrfs subvolume create "$source/data" >/dev/null
  bench_write_data "$source/data" "$size"
  btrfs subvolume snapshot -r "$source/data" "$source/base" >/dev/null
  btrfs send -q "$source/base" | btrfs receive -q "$destination"
  local done_blocks=0
  for changed in "${changes[@]}"; do
    bench_rewrite_blocks "$source/data" $(( size * 16 )) "$done_blocks" "$(blocks_for "$size" "$changed")"
    done_blocks=$(blocks_for "$size" "$changed")
    name=changed$changed
    btrfs subvolume snapshot -r "$source/data" "$source/$name" >/dev/null
    sync
    # A first run outside the timing leaves what the prepare of every timed run removes.
    btrfs send -q -p "$source/base" "$source/$name" | tee >(wc -c > "$work/stream.bytes") | btrfs receive -q "$destination"
    bytes[$size/$changed/btrfs stream]=$(count_of "$work/stream.bytes"); rm -f "$work/stream.bytes"
    note_disk
    # The deleted subvolume is cleaned up in the background; waiting for it and trimming keeps
    # that work out of the next run and the host file from growing run after run.
    timed "$size/$changed/btrfs" \
      "btrfs subvolume delete -c '$destination/$name' >/dev/null; btrfs subvolume sync '$destination' >/dev/null; fstrim '$destination'" \
      "btrfs send -q -p '$source/base' '$source/$name' | btrfs receive -q '$destination'"
    say "checking that btrfs received $name exactly"
    diff -r "$source/$name" "$destination/$name" >/dev/null
    btrfs subvolume delete -c "$destination/$name" >/dev/null
  done
  for side in source destination; do
    device=$(findmnt -n -o SOURCE "$work/btrfs-$side")
    umount "$work/btrfs-$side"
    losetup -d "$device"
    rm -f "$work/btrfs-$side.img"
  done
}

# One phase of Subvol, the floor and rsync, at one size. The floor's output and rsync's copy are
# reflink copies of the received base on the destination pool, as a receive's would be.
subvol_phase() {
  local size=$1 pool changed name
  say "Subvol, ${size} GiB: writing the data"
  for pool in "$source_pool" "$destination_pool"; do
    "$subvol" pool create "$pool" --image "$pool.img" --size "$(( (size + 2) * 3 + 8 ))G" --sparse >/dev/null
  done
  "$subvol" create data --size "$(( size + 2 ))G" --provisioning thin --pool "$source_pool" >/dev/null
  "$subvol" mount data --pool "$source_pool" >/dev/null
  bench_write_data "$source_pool/mounts/data" "$size"
  "$subvol" snapshot data@base --pool "$source_pool" >/dev/null
  local base_image=$source_pool/snapshots/data/base.img destination_base=$destination_pool/snapshots/data/base.img
  local scratch=$destination_pool/bench
  mkdir -p "$scratch"

  say "Subvol, ${size} GiB: full send | receive, once, for peak RSS and the stream's size"
  /usr/bin/time -f %M -o "$work/send.rss" "$subvol" send data@base --pool "$source_pool" \
    | tee >(wc -c > "$work/stream.bytes") \
    | /usr/bin/time -f %M -o "$work/receive.rss" "$subvol" receive data --pool "$destination_pool" >/dev/null
  bytes[$size/full stream]=$(count_of "$work/stream.bytes"); rm -f "$work/stream.bytes"
  rss_max "$size/send" "$work/send.rss"; rss_max "$size/receive" "$work/receive.rss"
  cmp "$base_image" "$destination_base"
  note_disk
  timed "$size/full send" "true" "'$subvol' send data@base --pool '$source_pool' > /dev/null"
  timed "$size/cat" "true" "cat '$base_image' > /dev/null"

  local done_blocks=0
  for changed in "${changes[@]}"; do
    bench_rewrite_blocks "$source_pool/mounts/data" $(( size * 16 )) "$done_blocks" "$(blocks_for "$size" "$changed")"
    done_blocks=$(blocks_for "$size" "$changed")
    name=changed$changed
    "$subvol" snapshot "data@$name" --pool "$source_pool" >/dev/null
    sync
    local changed_image=$source_pool/snapshots/data/$name.img

    # A first run outside the timing, for peak RSS and the stream's size; each timed run's prepare
    # destroys what the run before it received.
    /usr/bin/time -f %M -o "$work/send.rss" "$subvol" send "data@$name" --from base --pool "$source_pool" \
      | tee >(wc -c > "$work/stream.bytes") \
      | /usr/bin/time -f %M -o "$work/receive.rss" "$subvol" receive data --pool "$destination_pool" >/dev/null
    bytes[$size/$changed/subvol stream]=$(count_of "$work/stream.bytes"); rm -f "$work/stream.bytes"
    rss_max "$size/send" "$work/send.rss"; rss_max "$size/receive" "$work/receive.rss"
    note_disk
    timed "$size/$changed/subvol" \
      "'$subvol' destroy 'data@$name' --pool '$destination_pool' >/dev/null; fstrim '$destination_pool'" \
      "'$subvol' send 'data@$name' --from base --pool '$source_pool' | '$subvol' receive data --pool '$destination_pool' >/dev/null"
    say "checking that Subvol received $name exactly"
    cmp "$changed_image" "$destination_pool/snapshots/data/$name.img"
    "$subvol" destroy "data@$name" --pool "$destination_pool" >/dev/null

    local output=$scratch/floor.img
    read -r _ _ floor_bytes _ <<< "$("$floor" "$base_image" "$changed_image" "$destination_base" "$output" | tr ',' ' ')"
    bytes[$size/$changed/floor]=$floor_bytes
    timed "$size/$changed/floor" "rm -f '$output'; fstrim '$destination_pool'" \
      "'$floor' '$base_image' '$changed_image' '$destination_base' '$output' >/dev/null"
    say "checking that the floor wrote $name exactly"
    cmp "$changed_image" "$output"
    rm -f "$output"

    output=$scratch/rsync.img
    timed "$size/$changed/rsync" "rm -f '$output'; fstrim '$destination_pool'; cp --reflink=always '$destination_base' '$output'" \
      "rsync --inplace --no-whole-file '$changed_image' '$output'"
    say "checking that rsync wrote $name exactly"
    cmp "$changed_image" "$output"
    rm -f "$output"
    fstrim "$destination_pool"
  done
  umount "$source_pool/mounts/data"
  "$subvol" pool export "$source_pool" >/dev/null
  "$subvol" pool export "$destination_pool" >/dev/null
  rm -rf "$source_pool" "$destination_pool" "$source_pool.img" "$destination_pool.img"
}

for size in "${sizes[@]}"; do
  btrfs_phase "$size"
  subvol_phase "$size"
done

# The report: every ratio, the performance targets, and the machine, as markdown.
field() { local values; read -r -a values <<< "${timing[$1]}"; echo "${values[$2]}"; }
mean() { field "$1" 0; }
minimum() { field "$1" 2; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
spread() { printf '%.0f ± %.0f ms (%.0f–%.0f)' "$(field "$1" 0)" "$(field "$1" 1)" "$(field "$1" 2)" "$(field "$1" 3)"; }
both() { echo "$(ratio "$(mean "$1")" "$(mean "$2")") / $(ratio "$(minimum "$1")" "$(minimum "$2")")"; }
mib_of() { awk -v b="$1" 'BEGIN { printf "%.1f MiB", b / 1048576 }'; }
rate() { awk -v b="$1" -v ms="$(mean "$2")" 'BEGIN { printf "%.0f MiB/s", b / 1048576 / (ms / 1000) }'; }
met() { awk -v a="$1" -v op="$2" -v b="$3" 'BEGIN { ok = op == "<=" ? a <= b : a >= b; print ok ? "yes" : "no" }'; }

echo
echo "Incremental send | receive from a cold cache, $runs runs each: mean ± standard deviation (min–max);"
echo "ratios of the means / of the mins. Changed: the bytes the floor copies. Streams: Subvol's and btrfs's bytes."
echo
echo "| data | changed | streams | Subvol | btrfs | floor | rsync | Subvol/floor | Subvol/btrfs | floor/btrfs | rsync/Subvol |"
echo "|---|---|---|---|---|---|---|---|---|---|---|"
for size in "${sizes[@]}"; do
  for changed in "${changes[@]}"; do
    key=$size/$changed
    echo "| $size GiB | $changed% ($(mib_of "${bytes[$key/floor]}")) | $(mib_of "${bytes[$key/subvol stream]}"), $(mib_of "${bytes[$key/btrfs stream]}") |" \
      "$(spread "$key/subvol") | $(spread "$key/btrfs") | $(spread "$key/floor") | $(spread "$key/rsync") |" \
      "$(both "$key/subvol" "$key/floor") | $(both "$key/subvol" "$key/btrfs") | $(both "$key/floor" "$key/btrfs") | $(both "$key/rsync" "$key/subvol") |"
  done
done
echo
echo "Full send to /dev/null against \`cat IMAGE > /dev/null\` (throughput over the bytes the stream carries), and peak RSS."
echo
echo "| data | stream | full send | cat | send/cat throughput | peak RSS send | peak RSS receive |"
echo "|---|---|---|---|---|---|---|"
for size in "${sizes[@]}"; do
  stream=${bytes[$size/full stream]}
  echo "| $size GiB | $(mib_of "$stream") | $(spread "$size/full send"), $(rate "$stream" "$size/full send") | $(spread "$size/cat"), $(rate "$stream" "$size/cat") |" \
    "$(ratio "$(mean "$size/cat")" "$(mean "$size/full send")") | $(( rss[$size/send] / 1024 )) MiB | $(( rss[$size/receive] / 1024 )) MiB |"
done
echo
echo "Targets, judged on the means:"
echo
echo "| target | data | changed | measured | met |"
echo "|---|---|---|---|---|"
for size in "${sizes[@]}"; do
  for changed in "${changes[@]}"; do
    key=$size/$changed
    value=$(ratio "$(mean "$key/subvol")" "$(mean "$key/floor")")
    echo "| Subvol ≤ 1.2× floor | $size GiB | $changed% | $value× | $(met "$value" "<=" 1.2) |"
    floor_share=$(ratio "$(mean "$key/floor")" "$(mean "$key/btrfs")")
    value=$(ratio "$(mean "$key/subvol")" "$(mean "$key/btrfs")")
    if [ "$(met "$floor_share" "<=" 0.5)" = yes ]; then
      echo "| Subvol ≤ 0.6× btrfs where floor ≤ 0.5× btrfs | $size GiB | $changed% | $value× (floor $floor_share×) | $(met "$value" "<=" 0.6) |"
    else
      echo "| Subvol ≤ 0.6× btrfs where floor ≤ 0.5× btrfs | $size GiB | $changed% | $value× (floor $floor_share×: does not apply) | - |"
    fi
  done
  value=$(ratio "$(mean "$size/cat")" "$(mean "$size/full send")")
  echo "| full send ≥ 0.9× cat's throughput | $size GiB | - | $value× | $(met "$value" ">=" 0.9) |"
  for side in send receive; do
    echo "| peak RSS of $side ≤ 100 MiB | $size GiB | all | $(( rss[$size/$side] / 1024 )) MiB | $(met "${rss[$size/$side]}" "<=" 102400) |"
  done
done
echo
host=$(findmnt -n -o FSTYPE,SOURCE --target "$parent" | awk '{ print $1 " on " $2 }')
echo "Machine: $(bench_machine); images on $host, on loop devices with"
echo "direct I/O and 4096-byte sectors; caches dropped before every run. Peak disk used: $(gib "$peak_disk") (estimated $(gib "$needed_mib"))."
