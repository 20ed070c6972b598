#!/usr/bin/env bash
# CPU time of a resumed run against a full one: `nato-2021`, 20,000 trials (79 blocks of 256),
# 2 threads, charts included. The run is killed (SIGKILL, then separately SIGTERM) once its
# checkpoint holds half of the blocks (its progress.json says so), then finished with
# --resume; prints user+system CPU seconds of the full run and of each resume, the share, and
# the blocks reused (from the manifest), and checks the bytes against the full run.
# Usage: benches/resume.sh [trials]   (needs GNU time: /usr/bin/time)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
bin=$(pwd)/target/release/cohesion
n=${1:-20000}
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
cd "$d"
args=(run nato-2021 --trials "$n" --seed 3 --threads 2 --quiet)
cpu() { awk '{print $1 + $2}' "$1"; }
/usr/bin/time -f "%U %S" -o full.time "$bin" "${args[@]}" --out full
blocks=$(( (n + 255) / 256 ))
echo "full run: $(cpu full.time) s CPU"
for sig in KILL TERM; do
  out=res-$sig
  "$bin" "${args[@]}" --out "$out" &
  pid=$!
  while [ "$(grep -o "\"blocks_done\": [0-9]*" ".$out.checkpoint/progress.json" 2>/dev/null | grep -o "[0-9]*$" || echo 0)" -lt $((blocks / 2)) ]; do
    sleep 0.02
  done
  kill -"$sig" "$pid"
  wait "$pid" 2>/dev/null || true
  /usr/bin/time -f "%U %S" -o "$out.time" "$bin" "${args[@]}" --out "$out" --resume
  for f in trials.csv summary.csv timeseries.csv comparison.csv; do
    cmp -s "full/$f" "$out/$f" || { echo "$f differs after SIG$sig"; exit 1; }
  done
  reused=$(grep -o '"blocks_reused": [0-9]*' "$out/manifest.json" | grep -o '[0-9]*$')
  echo "resume after SIG$sig: $(cpu "$out.time") s CPU ($(echo "scale=0; 100 * $(cpu "$out.time") / $(cpu full.time)" | bc)% of the full run), $reused blocks reused, bytes identical"
done
