#!/usr/bin/env bash
# Median latency of `subvol snapshot` against a bare fsfreeze + cp --reflink=always of the same
# image, and against `btrfs subvolume snapshot` of the same data, at 1, 4 and 16 GiB written.
# Prints times and ratios; also `subvol list` start-up time. A benchmark, not a test: it asserts
# nothing about speed. Needs root. Usage: bench/snapshot.sh [SIZES_GIB...] (default: 1 4 16)
set -euo pipefail
cd "$(dirname "$0")/.."

sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1 4 16)
runs=${RUNS:-9}
[ "$(id -u)" -eq 0 ] || { echo "bench: run as root" >&2; exit 1; }

scripts/install-dependencies build integration bench
# Always build: an executable left by an earlier build would time older code than the sources say.
./build >/dev/null
subvol() { "$PWD/artifacts/bin/subvol" "$@"; }

largest=0
for size in "${sizes[@]}"; do [ "$size" -gt "$largest" ] && largest=$size; done
# The largest size's data twice, in the pool and on btrfs (the snapshots share it), and their metadata.
echo "bench: needs about $(( largest * 2 + 2 )) GiB of disk in /var/tmp at its peak; $(df --output=avail -BG /var/tmp | tail -n 1 | tr -d ' ') free there" >&2
work=$(mktemp -d /var/tmp/subvol-bench.XXXXXX)
export SUBVOL_CONFIG_DIR="$work/config" SUBVOL_POOL="$work/pool"
btrfs_mount="$work/btrfs"
cleanup() {
  set +e
  fsfreeze -u "$work/pool/mounts/bench" 2>/dev/null
  umount "$work/pool/mounts/bench" 2>/dev/null
  subvol pool export "$work/pool" >/dev/null 2>&1
  umount "$btrfs_mount" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

now() { date +%s%N; }
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
ms() { awk -v ns="$1" 'BEGIN { printf "%.1f", ns / 1e6 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

pool_size=$(( largest * 3 + 8 ))G
subvol pool create "$work/pool" --image "$work/pool.img" --size "$pool_size" --sparse >/dev/null
subvol create bench --size "$(( largest + 2 ))G" >/dev/null
subvol mount bench >/dev/null
mnt="$work/pool/mounts/bench"
image="$work/pool/subvolumes/bench.img"

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
  extents=$(filefrag "$image" | awk '{ print $2 }')

  subvol_times=(); cp_times=(); btrfs_times=()
  for run in $(seq "$runs"); do
    start=$(now); subvol snapshot "bench@run$run" >/dev/null; subvol_times+=($(( $(now) - start )))
    subvol destroy "bench@run$run" >/dev/null

    # The bare equivalent: the clone must land on the pool's filesystem, and the thaw must always run.
    copy="$work/pool/bench-copy.img"
    start=$(now)
    fsfreeze -f "$mnt"; cloned=0; cp --reflink=always "$image" "$copy" || cloned=$?; fsfreeze -u "$mnt"
    cp_times+=($(( $(now) - start )))
    rm -f "$copy"
    [ "$cloned" -eq 0 ] || { echo "bench: cp --reflink failed" >&2; exit 1; }

    start=$(now); btrfs subvolume snapshot -r "$btrfs_mount/data" "$btrfs_mount/snap$run" >/dev/null; btrfs_times+=($(( $(now) - start )))
    btrfs subvolume delete "$btrfs_mount/snap$run" >/dev/null
  done
  s=$(printf '%s\n' "${subvol_times[@]}" | median)
  c=$(printf '%s\n' "${cp_times[@]}" | median)
  b=$(printf '%s\n' "${btrfs_times[@]}" | median)
  printf '%-8s %-8s %12s %12s %12s %10s %10s\n' "${size}GiB" "$extents" "$(ms "$s")" "$(ms "$c")" "$(ms "$b")" "$(ratio "$s" "$c")x" "$(ratio "$s" "$b")x"
done

echo
list_times=()
for run in $(seq 21); do start=$(now); subvol list >/dev/null; list_times+=($(( $(now) - start ))); done
echo "subvol list start-up: median $(ms "$(printf '%s\n' "${list_times[@]}" | median)") ms over 21 runs"
echo "target: subvol within 1.2x of freeze+cp, and flat in data size at equal extent counts"
