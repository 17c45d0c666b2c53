#!/usr/bin/env bash
# Cross-validates the baseline models on one data folder, default and grouped split, and prints a
# table row per model and grouping: mean ± sample sd over the folds and the pooled out-of-fold
# scores. Every image is tested once, by the fold model that did not see it.
# Usage: scripts/measure-cross-validation.sh DATA_DIR OUT_DIR [FOLDS] [MODEL ...]   (after scripts/setup.sh)
#   MODEL: svm, xgboost, lite0-frozen (default: all three); the grouped split keeps runs of 25 file numbers together.
# LEUKEMIA names the executable (default .build/release/leukemia).
set -euo pipefail
cd "$(dirname "$0")/.."
data=$1 out=$2 folds=${3:-5}
shift $(( $# < 3 ? $# : 3 ))
models=("$@")
[ ${#models[@]} -eq 0 ] && models=(svm xgboost lite0-frozen)
leukemia=${LEUKEMIA:-.build/release/leukemia}
mkdir -p "$out"

printf '| model | split | accuracy (mean ± sd) | macro F1 (mean ± sd) | total cost per fold (mean ± sd) | pooled accuracy | pooled total cost | time |\n'
printf '| --- | --- | --- | --- | --- | --- | --- | --- |\n'
for model in "${models[@]}"; do
    case $model in
        svm|xgboost) options=(--model "$model") ;;
        lite0-frozen) options=(--model efficientnet-lite0 --policy frozen) ;;
        *) echo "unknown model $model" >&2; exit 2 ;;
    esac
    for split in default grouped; do
        run="$out/$model-$split"
        extra=(); [ "$split" = grouped ] && extra=(--group-runs 25)
        start=$(date +%s)
        "$leukemia" train "${options[@]}" --folds "$folds" --data "$data" --out "$run" "${extra[@]}" > "$run.log"
        python3 - "$run/metrics.json" "$model" "$split" "$(( $(date +%s) - start ))" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
mean, sd, pooled = m["mean"], m["standard_deviation"], m["pooled"]
print(f"| {sys.argv[2]} | {sys.argv[3]} | {mean['accuracy']:.4f} ± {sd['accuracy']:.4f} | {mean['macro_f1']:.4f} ± {sd['macro_f1']:.4f} | "
      f"{mean['total_cost']:.0f} ± {sd['total_cost']:.0f} | {pooled['accuracy']:.4f} | {pooled['total_cost']:.0f} | {int(sys.argv[4]) / 60:.1f} min |")
PY
    done
done
