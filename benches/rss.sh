#!/usr/bin/env bash
# Peak resident memory of `cohesion run` at 100,000 and 1,000,000 trials of a reference
# scenario (benches/scenarios/hk-small.toml), and wall time at 1 and 2 threads.
# Usage: benches/rss.sh [trials...]   (needs GNU time: /usr/bin/time)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
bin=target/release/cohesion
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for n in "${@:-100000 1000000}"; do
  for t in 1 2; do
    /usr/bin/time -f "%e %M" -o "$out/time" "$bin" run benches/scenarios/hk-small.toml \
      --trials "$n" --seed 1 --threads "$t" --out "$out/run" --force --quiet
    read -r wall rss < "$out/time"
    echo "trials=$n threads=$t wall_s=$wall peak_rss_mb=$((rss / 1024)) trials_per_s=$(echo "$n / $wall" | bc)"
  done
done
