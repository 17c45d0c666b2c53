#!/usr/bin/env bash
# Trains the baseline models on one data folder (default split, seed 42) and prints a table row
# per model: test accuracy, macro F1, kappa, total cost, training time and peak memory. The test
# part is never used for training or model selection.
# Usage: scripts/measure-dataset.sh DATA_DIR OUT_DIR [MODEL ...]   (after scripts/setup.sh)
#   MODEL: svm, xgboost, lite0-frozen, lite0-full (default: all four)
# LEUKEMIA names the executable (default .build/release/leukemia).
set -euo pipefail
cd "$(dirname "$0")/.."
data=$1 out=$2
shift 2
models=("$@")
[ ${#models[@]} -eq 0 ] && models=(svm xgboost lite0-frozen lite0-full)
leukemia=${LEUKEMIA:-.build/release/leukemia}
mkdir -p "$out"

printf '| model | test accuracy | macro F1 | kappa | total cost | train time | peak memory (MiB) |\n'
printf '| --- | --- | --- | --- | --- | --- | --- |\n'
for model in "${models[@]}"; do
    run="$out/$model"
    case $model in
        svm|xgboost) options=(--model "$model") ;;
        lite0-frozen) options=(--model efficientnet-lite0 --policy frozen) ;;
        lite0-full) options=(--model efficientnet-lite0 --policy full) ;;
        *) echo "unknown model $model" >&2; exit 2 ;;
    esac
    /usr/bin/time -f '%e %M' -o "$run.time" "$leukemia" train "${options[@]}" --data "$data" --out "$run" > "$run.log"
    read -r seconds kilobytes < "$run.time"
    python3 - "$run/metrics.json" "$model" "$seconds" "$kilobytes" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
seconds = float(sys.argv[3])
print(f"| {sys.argv[2]} | {m['accuracy']:.4f} | {m['macro_f1']:.4f} | {m['cohen_kappa']:.4f} | {m['total_cost']:.0f} | "
      f"{seconds / 60:.1f} min | {int(sys.argv[4]) / 1024:.0f} |")
PY
done
