#!/usr/bin/env bash
# predict's throughput on a folder against model-benchmark's inference speed for the same
# architecture, in the same session, alternating, medians over rounds.
#
# Usage: scripts/benchmarks/predict-throughput.sh RUN FOLDER [ROUNDS]   (after scripts/setup.sh and
#        `swift build -c release --product model-benchmark`)
# predict's images/s is the whole command's: start, opening the run, decoding and resizing every
# image, the network, printing; model-benchmark's is batch 16 of random 224x224 inputs, network only.
set -euo pipefail
cd "$(dirname "$0")/../.."
run=$1 folder=$2 rounds=${3:-3}
architecture=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["model"])' "$run/config.json")
images=$(find "$folder" -type f \( -iname '*.jpg' -o -iname '*.jpeg' -o -iname '*.png' \) | wc -l)
echo "CPU: $(lscpu | sed -n 's/^Model name: *//p'); $images images in $folder; model $architecture; load average $(cut -d' ' -f1-3 /proc/loadavg)"
predict_rates=() model_rates=()
for round in $(seq "$rounds"); do
    start=$(date +%s.%N)
    OMP_NUM_THREADS=2 .build/release/leukemia predict "$run" "$folder" --format csv > /dev/null
    end=$(date +%s.%N)
    predict_rates+=("$(python3 -c "print($images / ($end - $start))")")
    rate=$(OMP_NUM_THREADS=2 .build/release/model-benchmark --models "$architecture" --no-python --runs 7 \
        | awk -F'|' '/^\| '"$architecture"' /{split($3, a, " "); print a[1]}')
    model_rates+=("$rate")
    echo "round $round: predict ${predict_rates[-1]} images/s, model-benchmark $rate images/s"
done
python3 - "${predict_rates[*]}" "${model_rates[*]}" <<'PY'
import statistics, sys
p = statistics.median(map(float, sys.argv[1].split())); m = statistics.median(map(float, sys.argv[2].split()))
print(f"median: predict {p:.1f} images/s, model-benchmark {m:.1f} images/s, ratio {p / m:.2f}")
PY
