#!/usr/bin/env bash
# Median latency of `subvol snapshot` of a mounted subvolume against a bare
# `fsfreeze -f; cp --reflink=always; fsfreeze -u` of the same image.
#
# By default it measures by the image's extent count, which is what a clone's cost grows with: a
# handful of extents, then about 1,000 and about 5,000 (made by rewriting 4 KiB blocks of a 1 GiB
# file after a reflink copy, so that each rewrite splits a shared extent), and prints the ratio at
# each. At a handful of extents it also shows where subvol's remaining milliseconds go: process
# start (`subvol --version`), pool open and a listing (`subvol list`), and, from snapshots traced
# with strace, the freeze, the clone, the thaw, the metadata syncs and the start of the thaw
# watchdog, with the rest; then the system calls one snapshot makes (strace -f -c). With --sizes it
# measures by data written instead (1, 4 and 16 GiB by default), against `btrfs subvolume snapshot`.
#
# A benchmark, not a test: it asserts nothing about speed. Needs root. Everything it makes lives in
# one directory under /var/tmp and is removed on exit, failure or Ctrl-C (mounts, loop devices, images).
# Usage: bench/snapshot.sh [--extents N...] | --sizes [SIZES_GIB...]
# Environment: RUNS (default 15), SUBVOL_BIN to time a given executable instead of building this tree.
set -euo pipefail
cd "$(dirname "$0")/.."

mode=extents
targets=(1000 5000)
sizes=()
case "${1:-}" in
  --sizes) mode=sizes; shift; sizes=("$@"); [ ${#sizes[@]} -gt 0 ] || sizes=(1 4 16) ;;
  --extents) shift; targets=("$@"); [ ${#targets[@]} -gt 0 ] || { echo "bench: --extents needs counts, e.g. --extents 1000 5000" >&2; exit 2; } ;;
  "") ;;
  *) echo "bench: unknown argument '$1'; usage: bench/snapshot.sh [--extents N...] | --sizes [SIZES_GIB...]" >&2; exit 2 ;;
esac
for value in "${targets[@]}" "${sizes[@]}"; do
  [[ "$value" =~ ^[1-9][0-9]*$ ]] || { echo "bench: '$value' is not a whole number" >&2; exit 2; }
done
runs=${RUNS:-15}
source bench/lib.sh
bench_require_root

subvol_bin=$(bench_subvol build integration bench)
# The pool is sparse, to keep the disk it needs small, so every verb warns: the warnings are kept aside, and shown on failure.
subvol() { "$subvol_bin" "$@" 2>>"$work/stderr" || { local status=$?; cat "$work/stderr" >&2; return "$status"; }; }

largest=1
for size in "${sizes[@]}"; do [ "$size" -gt "$largest" ] && largest=$size; done
if [ "$mode" = extents ]; then
  echo "bench: needs about 2 GiB free under /var/tmp (a sparse pool image holding a 1 GiB file and its clones)"
else
  echo "bench: needs about $(( largest * 2 + 2 )) GiB free under /var/tmp (the data written twice: in the pool and in btrfs)"
fi

work=$(mktemp -d /var/tmp/subvol-bench.XXXXXX)
export SUBVOL_CONFIG_DIR="$work/config" SUBVOL_POOL="$work/pool"
btrfs_mount="$work/btrfs"
mnt="$work/pool/mounts/bench"
cleanup() {
  set +e
  fsfreeze -u "$mnt" 2>/dev/null
  umount "$mnt" 2>/dev/null
  subvol pool export "$work/pool" >/dev/null 2>&1
  # Should the export fail, the pool's mount and loop device still go.
  umount "$work/pool" 2>/dev/null
  for device in $(losetup -j "$work/pool.img" -O NAME -n 2>/dev/null); do losetup -d "$device"; done
  umount "$btrfs_mount" 2>/dev/null
  for device in $(losetup -j "$work/btrfs.img" -O NAME -n 2>/dev/null); do losetup -d "$device"; done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

now() { date +%s%N; }
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
minimum() { sort -n | head -1; }
ms() { awk -v ns="$1" 'BEGIN { printf "%.1f", ns / 1e6 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

pool_size=$(( largest * 3 + 8 ))G
subvol pool create "$work/pool" --image "$work/pool.img" --size "$pool_size" --sparse >/dev/null
subvol create bench --size "$(( largest + 2 ))G" >/dev/null
subvol mount bench >/dev/null
image="$work/pool/subvolumes/bench.img"
copy="$work/pool/bench-copy.img"
extents() { sync; filefrag "$image" | awk '{ print $2 }'; }

# The bare equivalent: the clone must land on the pool's filesystem, and the thaw must always run.
freeze_and_copy() {
  fsfreeze -f "$mnt"; local cloned=0; cp --reflink=always "$image" "$copy" || cloned=$?; fsfreeze -u "$mnt"
  [ "$cloned" -eq 0 ] || { echo "bench: cp --reflink failed" >&2; exit 1; }
}

# Removes the bare copy as `subvol destroy` removes a snapshot: XFS frees an unlinked file's extents in the background,
# and destroy waits for that (XFS_IOC_FREE_EOFBLOCKS with SYNC, as `xfs_spaceman prealloc -s` asks it), so the next
# run of either arm starts on a filesystem with no frees still running.
remove_copy() {
  rm -f "$copy"
  xfs_spaceman -c "prealloc -s -m 8e" "$work/pool"
}

# Sets s and c to the median subvol and freeze+cp times (ns) over $runs alternating runs, and s_min, c_min to the minimums.
measure() {
  local subvol_times=() cp_times=() run start
  for run in $(seq "$runs"); do
    start=$(now); subvol snapshot "bench@run$run" >/dev/null; subvol_times+=($(( $(now) - start )))
    subvol destroy "bench@run$run" >/dev/null
    start=$(now); freeze_and_copy; cp_times+=($(( $(now) - start )))
    remove_copy
  done
  s=$(printf '%s\n' "${subvol_times[@]}" | median); s_min=$(printf '%s\n' "${subvol_times[@]}" | minimum)
  c=$(printf '%s\n' "${cp_times[@]}" | median); c_min=$(printf '%s\n' "${cp_times[@]}" | minimum)
}

# Median of one command's wall time over $runs runs.
time_command() {
  local times=() run start
  for run in $(seq "$runs"); do start=$(now); "$@" >/dev/null 2>&1; times+=($(( $(now) - start ))); done
  printf '%s\n' "${times[@]}" | median
}

# Rewrites enough 4 KiB blocks of the data file, each in an extent a reflink copy shares, to bring the image to about $1 extents.
fragment_to() {
  local target=$1 round=0
  while [ "$(extents)" -lt "$target" ]; do
    local have writes stride offset commands=()
    have=$(extents)
    # Each rewrite of a shared block splits its extent in three, so it adds about two extents.
    writes=$(( (target - have) / 2 + 1 ))
    stride=$(( (1024 * 1024 * 1024 / writes) / 4096 * 4096 ))
    [ "$stride" -ge 8192 ] || { echo "bench: cannot reach $target extents in a 1 GiB file" >&2; exit 1; }
    freeze_and_copy
    for (( i = 0; i < writes; i++ )); do
      offset=$(( i * stride + (round * 12288 + 4096) % stride ))
      commands+=(-c "pwrite -q -S 0x5a $offset 4096")
    done
    xfs_io "${commands[@]}" -c fsync "$mnt/data"
    sync
    remove_copy
    round=$(( round + 1 ))
  done
}

if [ "$mode" = extents ]; then
  head -c 1G /dev/urandom > "$mnt/data"
  sync

  printf '%-8s %12s %14s %8s %14s %14s\n' "extents" "subvol ms" "freeze+cp ms" "ratio" "subvol min ms" "freeze+cp min"
  report() { printf '%-8s %12s %14s %8s %14s %14s\n' "$(extents)" "$(ms "$s")" "$(ms "$c")" "$(ratio "$s" "$c")x" "$(ms "$s_min")" "$(ms "$c_min")"; }

  measure
  report
  few_s=$s; few_c=$c
  version=$(time_command "$subvol_bin" --version)
  list=$(time_command "$subvol_bin" list)
  traced=()
  if command -v strace >/dev/null; then
    # Each traced thread writes a file of its own (-ff), so no call is split; only the calls named stop the process.
    traced_runs=$(( (runs + 2) / 3 ))
    for run in $(seq "$traced_runs"); do
      rm -rf "$work/trace"; mkdir "$work/trace"
      start=$(now)
      strace -ff --seccomp-bpf -T -e trace=ioctl,fdatasync,fsync,vfork -o "$work/trace/call" "$subvol_bin" snapshot "bench@traced$run" >/dev/null 2>>"$work/stderr"
      total=$(( $(now) - start ))
      subvol destroy "bench@traced$run" >/dev/null
      traced+=("$total $(awk '
        { took = 0 }
        match($0, /<[0-9.]+>$/) { took = substr($0, RSTART + 1, RLENGTH - 2) * 1e9 }
        /^ioctl\(.*FIFREEZE/ { freeze += took }
        /^ioctl\(.*FICLONE/ { clone += took }
        /^ioctl\(.*FITHAW/ { thaw += took }
        /^(fdatasync|fsync)\(/ { sync += took; syncs++ }
        /^vfork\(/ { spawn += took }
        END { printf "%d %d %d %d %d %d", freeze, clone, thaw, sync, syncs, spawn }' "$work"/trace/call.*)")
    done
    # The median of column $1 of the traced runs.
    traced_median() { printf '%s\n' "${traced[@]}" | awk -v column="$1" '{ print $column }' | median; }
  fi

  for target in "${targets[@]}"; do
    fragment_to "$target"
    measure
    report
  done

  echo
  echo "At a handful of extents, where subvol's time goes (medians over $runs runs):"
  printf '  %-52s %8s ms\n' "a snapshot (the table's first row)" "$(ms "$few_s")"
  printf '  %-52s %8s ms\n' "the bare freeze + cp --reflink + thaw" "$(ms "$few_c")"
  printf '  %-52s %8s ms\n' "process start (subvol --version)" "$(ms "$version")"
  printf '  %-52s %8s ms\n' "pool open and a listing (subvol list - start)" "$(ms $(( list - version )))"
  if [ ${#traced[@]} -gt 0 ]; then
    echo
    echo "One snapshot at a handful of extents under strace, by the calls that wait (medians over $traced_runs runs; tracing adds a little):"
    waited=0
    for column in 2 3 4 5 7; do waited=$(( waited + $(traced_median "$column") )); done
    printf '  %-52s %8s ms\n' "freeze (FIFREEZE: flush, then quiesce the log)" "$(ms "$(traced_median 2)")"
    printf '  %-52s %8s ms\n' "clone (FICLONE)" "$(ms "$(traced_median 3)")"
    printf '  %-52s %8s ms\n' "thaw (FITHAW)" "$(ms "$(traced_median 4)")"
    printf '  %-52s %8s ms\n' "metadata made durable ($(traced_median 6) fdatasync and fsync)" "$(ms "$(traced_median 5)")"
    printf '  %-52s %8s ms\n' "starting the thaw watchdog (vfork until exec)" "$(ms "$(traced_median 7)")"
    printf '  %-52s %8s ms\n' "everything else (start, pool open, lookups, exit)" "$(ms $(( $(traced_median 1) - waited )))"
    printf '  %-52s %8s ms\n' "the traced snapshot in all" "$(ms "$(traced_median 1)")"
  fi
  if command -v strace >/dev/null; then
    echo
    echo "System calls of one snapshot at $(extents) extents (strace -f -c, the ten most frequent):"
    strace -f -c -S calls -o "$work/strace.txt" "$subvol_bin" snapshot bench@traced >/dev/null 2>&1
    subvol destroy bench@traced >/dev/null
    sed -n '3,12p' "$work/strace.txt"
    tail -1 "$work/strace.txt"
  fi
  echo
  echo "target: subvol within 1.2x of freeze+cp at 1,000 and 5,000 extents"
  exit 0
fi

mkdir -p "$btrfs_mount"
truncate -s "$(( largest + 4 ))G" "$work/btrfs.img"
mkfs.btrfs -q "$work/btrfs.img"
mount -o loop "$work/btrfs.img" "$btrfs_mount"
btrfs subvolume create -q "$btrfs_mount/data" 2>/dev/null || btrfs subvolume create "$btrfs_mount/data" >/dev/null

printf '%-8s %-8s %12s %12s %12s %10s %10s\n' "data" "extents" "subvol ms" "freeze+cp ms" "btrfs ms" "vs cp" "vs btrfs"
written=0
for size in "${sizes[@]}"; do
  # Grow the data to SIZE GiB, in both places, in 64 MiB files so the extent count stays modest.
  while [ "$written" -lt $(( size * 1024 )) ]; do
    name=$(printf 'f%06d' $(( written / 64 )))
    head -c 64M /dev/urandom | tee "$mnt/$name" > "$btrfs_mount/data/$name"
    written=$(( written + 64 ))
  done
  sync

  measure
  btrfs_times=()
  for run in $(seq "$runs"); do
    start=$(now); btrfs subvolume snapshot -r "$btrfs_mount/data" "$btrfs_mount/snap$run" >/dev/null; btrfs_times+=($(( $(now) - start )))
    btrfs subvolume delete "$btrfs_mount/snap$run" >/dev/null
  done
  b=$(printf '%s\n' "${btrfs_times[@]}" | median)
  printf '%-8s %-8s %12s %12s %12s %10s %10s\n' "${size}GiB" "$(extents)" "$(ms "$s")" "$(ms "$c")" "$(ms "$b")" "$(ratio "$s" "$c")x" "$(ratio "$s" "$b")x"
done

echo
echo "subvol list start-up: median $(ms "$(time_command "$subvol_bin" list)") ms over $runs runs"
echo "target: subvol within 1.2x of freeze+cp, and flat in data size at equal extent counts"
