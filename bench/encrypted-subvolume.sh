#!/usr/bin/env bash
# Writing and reading one large file inside an encrypted ext4 subvolume (fscrypt, AES-256-XTS) against
# the same inside an unencrypted ext4 subvolume of the same pool, as ratios (target: at most 1.3x).
#
# Each write is `dd` of zeros (the same bytes for both, and cheap to make, so the time is the
# filesystem's) followed by fsync (conv=fsync); each read is `dd` to /dev/null after the caches were
# dropped. The file is written anew each run. A benchmark, not a test: it asserts nothing about
# speed. Needs root. Everything lives in one directory under /var/tmp and is removed on exit.
# Usage: bench/encrypted-subvolume.sh [--size GIB]
# Environment: RUNS (default 3), SUBVOL_BIN to time a given executable instead of building this tree.
set -euo pipefail
cd "$(dirname "$0")/.."

size_gib=4
case "${1:-}" in
  --size) size_gib=${2:-}; [[ "$size_gib" =~ ^[1-9][0-9]*$ ]] || { echo "bench: --size takes a whole number of GiB" >&2; exit 2; } ;;
  "") ;;
  *) echo "bench: unknown argument '$1'; usage: bench/encrypted-subvolume.sh [--size GIB]" >&2; exit 2 ;;
esac
runs=${RUNS:-3}
source bench/lib.sh
bench_require_root

# The file once in each subvolume, and a little for the filesystems and the pool.
needed_gib=$(( size_gib * 2 + 2 ))
echo "bench: needs about $needed_gib GiB free under /var/tmp (a ${size_gib} GiB file in an encrypted and in an unencrypted subvolume of a sparse pool)"
free_gib=$(( $(df --output=avail -k /var/tmp | tail -1) / 1024 / 1024 ))
[ "$free_gib" -ge "$needed_gib" ] || { echo "bench: /var/tmp has $free_gib GiB free; it needs $needed_gib" >&2; exit 1; }

subvol_bin=$(bench_subvol build integration)
subvol() { "$subvol_bin" "$@" 2>>"$work/stderr" || { local status=$?; cat "$work/stderr" >&2; return "$status"; }; }

work=$(mktemp -d /var/tmp/subvol-bench.XXXXXX)
export SUBVOL_CONFIG_DIR="$work/config" SUBVOL_POOL="$work/pool"
cleanup() {
  set +e
  for name in encrypted plain; do subvol umount "$name" >/dev/null 2>&1; done
  subvol pool export "$work/pool" >/dev/null 2>&1
  umount "$work/pool" 2>/dev/null
  for device in $(losetup -j "$work/pool.img" -O NAME -n 2>/dev/null); do losetup -d "$device"; done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

now() { date +%s%N; }
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
seconds() { awk -v ns="$1" 'BEGIN { printf "%.2f", ns / 1e9 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
rate() { awk -v ns="$1" -v gib="$size_gib" 'BEGIN { printf "%.0f", gib * 1024 / (ns / 1e9) }'; }

key="$work/key"
head -c 32 /dev/urandom > "$key"
chmod 600 "$key"
subvol pool create "$work/pool" --image "$work/pool.img" --size "$(( size_gib * 2 + 4 ))G" --sparse >/dev/null
subvol create encrypted --size "$(( size_gib + 1 ))G" --fs ext4 --provisioning thin --encrypt --key-file "$key" >/dev/null
subvol create plain --size "$(( size_gib + 1 ))G" --fs ext4 --provisioning thin >/dev/null
subvol mount encrypted --key-file "$key" >/dev/null
subvol mount plain >/dev/null

declare -A writes reads
for run in $(seq "$runs"); do
  for name in plain encrypted; do
    file="$work/pool/mounts/$name/data"
    rm -f "$file"; sync; echo 3 > /proc/sys/vm/drop_caches
    start=$(now); dd if=/dev/zero of="$file" bs=4M count=$(( size_gib * 256 )) conv=fsync status=none; end=$(now)
    writes[$name]+="$(( end - start )) "
    sync; echo 3 > /proc/sys/vm/drop_caches
    start=$(now); dd if="$file" of=/dev/null bs=4M status=none; end=$(now)
    reads[$name]+="$(( end - start )) "
  done
done

lsattr -d "$work/pool/mounts/encrypted" | grep -q '^[^ ]*E' || { echo "bench: the encrypted subvolume's mount point lacks the encryption flag" >&2; exit 1; }
median_of() { tr ' ' '\n' <<<"$1" | grep . | median; }
write_plain=$(median_of "${writes[plain]}"); write_encrypted=$(median_of "${writes[encrypted]}")
read_plain=$(median_of "${reads[plain]}"); read_encrypted=$(median_of "${reads[encrypted]}")
echo
echo "| ${size_gib} GiB file, median of $runs | unencrypted ext4 | encrypted ext4 (fscrypt) | encrypted / unencrypted | target |"
echo "|---|---|---|---|---|"
echo "| write + fsync | $(seconds "$write_plain") s ($(rate "$write_plain") MiB/s) | $(seconds "$write_encrypted") s ($(rate "$write_encrypted") MiB/s) | $(ratio "$write_encrypted" "$write_plain")x | <= 1.3x |"
echo "| read, cold cache | $(seconds "$read_plain") s ($(rate "$read_plain") MiB/s) | $(seconds "$read_encrypted") s ($(rate "$read_encrypted") MiB/s) | $(ratio "$read_encrypted" "$read_plain")x | <= 1.3x |"
echo
echo "Machine: $(bench_machine); AES instructions: $(grep -q -m1 -w aes /proc/cpuinfo && echo yes || echo no)"
