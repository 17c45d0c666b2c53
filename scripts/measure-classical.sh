#!/usr/bin/env bash
# Measures the classical baselines on the real data: SVM and XGBoost, default and grouped split,
# plus a score on a separate folder made of the test part. Prints one table row per run.
# Usage: scripts/measure-classical.sh [DATA_DIR] [OUT_DIR]   (after scripts/setup.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
data=${1:-../shared/data/ALL}
out=${2:-runs/classical-$(date +%Y%m%d-%H%M%S)}
leukemia=${LEUKEMIA:-.build/release/leukemia}
mkdir -p "$out"

printf '| model | split | test accuracy | total cost | macro F1 | kappa | train time (s) | peak memory (MiB) |\n'
printf '| --- | --- | --- | --- | --- | --- | --- | --- |\n'
for model in svm xgboost; do
    for split in default grouped; do
        run="$out/$model-$split"
        extra=(); [ "$split" = grouped ] && extra=(--group-runs 25)
        /usr/bin/time -f '%e %M' -o "$run.time" "$leukemia" train --model "$model" --data "$data" --out "$run" "${extra[@]}" > "$run.log"
        read -r seconds kilobytes < "$run.time"
        python3 - "$run/metrics.json" "$model" "$split" "$seconds" "$kilobytes" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
print(f"| {sys.argv[2]} | {sys.argv[3]} | {m['accuracy']:.4f} | {m['total_cost']:.0f} | {m['macro_f1']:.4f} | "
      f"{m['cohen_kappa']:.4f} | {float(sys.argv[4]):.1f} | {int(sys.argv[5]) / 1024:.0f} |")
PY
    done
done

# A separate folder of images the models never saw: the test part of the default split, copied out.
"$leukemia" dataset export "$out/xgboost-default" --part test --out "$out/unseen-test" > /dev/null
for model in svm xgboost; do
    printf '%s on %s: ' "$model" "$out/unseen-test"
    "$leukemia" evaluate "$out/$model-default" --data "$out/unseen-test" | head -1
done
