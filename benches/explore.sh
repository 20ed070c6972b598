#!/usr/bin/env bash
# Wall time and peak resident memory of the acceptance-size exploration:
#   cohesion explore nato-2021 --design sobol --points 256 --replications 20
# (2,560 design points × 20 replications × 5 options = 256,000 model runs, charts and report
# included), at 1 and 2 threads, and a check that sensitivity.csv is the same bytes at both.
# Usage: benches/explore.sh [extra explore arguments]   (needs GNU time: /usr/bin/time)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
bin=target/release/cohesion
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for t in 2 1; do
  /usr/bin/time -v -o "$out/time-$t" "$bin" explore nato-2021 --design sobol --points 256 \
    --replications 20 --seed 2021 --threads "$t" --out "$out/x$t" --force --quiet "$@"
  wall=$(grep "Elapsed (wall clock)" "$out/time-$t" | awk '{print $NF}')
  rss=$(grep "Maximum resident set size" "$out/time-$t" | awk '{print $NF}')
  echo "threads=$t wall=$wall peak_rss_mb=$((rss / 1024))"
done
cmp "$out/x1/sensitivity.csv" "$out/x2/sensitivity.csv" && echo "sensitivity.csv: identical at 1 and 2 threads"
