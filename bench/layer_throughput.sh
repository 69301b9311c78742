#!/usr/bin/env bash
# Benchmark (issue 2): build an image from a ~500 MB tree of real files and
# compare throughput with `tar -c | gzip -6` of the same tree, measured in the
# same run. Reports medians of N runs (default 3), MB/s, the ratio to the
# baseline, and peak RSS. Not a test: it asserts nothing, it measures.
# Usage: bench/layer_throughput.sh [DISTILL_BINARY] [RUNS]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
distill=${1:-$here/../build/release/distill}
runs=${2:-3}
work=${BENCH_DIR:-/tmp/distill-bench}
tree=$work/tree
mkdir -p "$work"

# The tree: real files (shared libraries, binaries, data, text) copied from
# /usr until about 500 MB, so compressibility is what images really hold.
if [ ! -f "$work/tree.done" ]; then
  rm -rf "$tree"; mkdir -p "$tree"
  budget=$((500 * 1000 * 1000)); total=0
  while IFS= read -r -d '' f; do
    s=$(stat -c %s "$f")
    dst="$tree${f}"
    mkdir -p "$(dirname "$dst")"
    cp -P "$f" "$dst" 2>/dev/null || continue
    total=$((total + s))
    [ $total -ge $budget ] && break
  done < <(find /usr/lib /usr/share /usr/bin -type f -size +0 -print0 2>/dev/null | sort -z)
  touch "$work/tree.done"
fi
bytes=$(du -sb "$tree" | cut -f1)
mb=$(python3 -c "print($bytes/1e6)")
printf 'files: [{src: usr, dst: /usr}]\n' > "$tree/distill.yaml"

# time_run NAME CMD...: appends "seconds peak_kb" of one run to $work/NAME.
time_run() {
  local name=$1; shift
  sync; echo 3 > /proc/sys/vm/drop_caches 2>/dev/null || true
  /usr/bin/time -f '%e %M' -o "$work/.t" "$@" >/dev/null
  cat "$work/.t" >> "$work/$name"
}
rm -f "$work"/{baseline,gzip,zstd}
for i in $(seq "$runs"); do
  time_run baseline bash -c "tar -cf - -C '$tree' usr | gzip -6 > '$work/out.tar.gz'"
  rm -rf "$work/o"; time_run gzip "$distill" build --progress=none -f "$tree/distill.yaml" --cache "$work/cache" --compression gzip -o "oci:$work/o"
  rm -rf "$work/o"; time_run zstd "$distill" build --progress=none -f "$tree/distill.yaml" --cache "$work/cache" --compression zstd -o "oci:$work/o"
done
python3 - "$work" "$mb" <<'PY'
import statistics, sys
work, mb = sys.argv[1], float(sys.argv[2])
def load(n):
    rows = [l.split() for l in open(f"{work}/{n}") if l.strip()]
    return statistics.median(float(r[0]) for r in rows), max(int(r[1]) for r in rows)
base_t, base_m = load("baseline")
print(f"tree: {mb:.0f} MB; medians of {sum(1 for _ in open(work + '/baseline'))} runs")
print(f"{'':24}{'seconds':>9}{'MB/s':>9}{'vs tar|gzip -6':>16}{'peak RSS':>12}")
for name, label in (("baseline", "tar -c | gzip -6"), ("gzip", "distill (gzip)"), ("zstd", "distill (zstd)")):
    t, m = load(name)
    print(f"{label:24}{t:9.2f}{mb / t:9.1f}{base_t / t:15.2f}x{m / 1024:10.1f} MB")
PY
