# What the benchmarks in bench/ share; sourced by each of them from the repository's root, never run.

# Loop devices, mounts and dropped caches all need root.
bench_require_root() {
  [ "$(id -u)" -eq 0 ] || { echo "bench: run as root" >&2; exit 1; }
}

# Installs the packages of the given groups of scripts/install-dependencies and prints the subvol to time:
# SUBVOL_BIN when it is set, else this tree freshly built, since an executable left by an earlier build
# would time older code than the sources say.
bench_subvol() {
  scripts/install-dependencies "$@" >&2
  if [ -n "${SUBVOL_BIN:-}" ]; then
    echo "$SUBVOL_BIN"
  else
    ./build >/dev/null
    echo "$PWD/artifacts/bin/subvol"
  fi
}

# The same bytes wherever they are written: GIB GiB in DIRECTORY, as 64 MiB files f00000, f00001, ...
# of an AES-CTR keystream with one IV per file, which no compression shrinks.
bench_write_data() {
  local directory=$1 size=$2 index
  for index in $(seq 0 $(( size * 16 - 1 ))); do
    head -c 64M /dev/zero | openssl enc -aes-128-ctr -K 5375627661c2a0626568636800000000 -iv "$(printf '%032x' "$index")" \
      > "$directory/f$(printf '%05d' "$index")"
  done
  sync
}

# Rewrites, in place, blocks FROM..TO of one fixed random order of all 64 KiB blocks of the FILES files
# that bench_write_data made in DIRECTORY, each with bytes that depend only on its place in that order,
# so that every tool is given the same change, and a larger change contains a smaller one.
bench_rewrite_blocks() {
  python3 - "$@" <<'PYTHON'
import os, random, sys
directory, files, start, end = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
order = list(range(files * 1024))
random.Random(14).shuffle(order)
handles = {}
for position in range(start, end):
    block = order[position]
    name = os.path.join(directory, "f%05d" % (block // 1024))
    if name not in handles:
        handles[name] = os.open(name, os.O_WRONLY)
    os.pwrite(handles[name], random.Random(1_000_000_007 * 14 + position).randbytes(65536), (block % 1024) * 65536)
for handle in handles.values():
    os.close(handle)
PYTHON
  sync
}

# The machine a table was measured on: processor, cores, memory and kernel.
bench_machine() {
  local cpu memory
  cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
  memory=$(awk '/^MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)
  echo "$cpu, $(nproc) cores, $memory RAM, Linux $(uname -r)"
}
