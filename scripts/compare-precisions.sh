#!/usr/bin/env bash
# bf16 inference against FP32 on a CNN run's own test part: exports the test part, predicts every
# image in both precisions (the model's raw probabilities, no test-time augmentation) and prints the
# arg-max agreement, the largest probability difference and each precision's prediction time.
# Needs a CPU with native bf16 (`leukemia predict --precision bf16` refuses otherwise).
# Usage: scripts/compare-precisions.sh RUN [WORK_DIR]   (after scripts/setup.sh)
# LEUKEMIA names the executable (default .build/release/leukemia).
set -euo pipefail
cd "$(dirname "$0")/.."
run=$1
work=${2:-$(mktemp -d)}
leukemia=${LEUKEMIA:-.build/release/leukemia}
mkdir -p "$work"
[ -d "$work/test" ] || "$leukemia" dataset export "$run" --part test --out "$work/test" > /dev/null
for precision in fp32 bf16; do
    start=$(date +%s.%N)
    "$leukemia" predict "$run" "$work/test" --format csv --raw --allow-ood --precision "$precision" > "$work/$precision.csv"
    end=$(date +%s.%N)
    echo "$precision: $(($(wc -l < "$work/$precision.csv") - 1)) images predicted in $(echo "$end - $start" | bc) s (whole command)"
done
# The file and the p_ columns (one per class) of each precision's rows, which are in the same order
# (the same folder, listed the same way); later columns may hold quoted text with commas.
for precision in fp32 bf16; do
    awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i ~ /^p_/) columns[++k] = i; next }
             { line = $1; for (j = 1; j <= k; j++) line = line "," $(columns[j]); print line }' \
        "$work/$precision.csv" > "$work/$precision.probabilities"
done
paste -d, "$work/fp32.probabilities" "$work/bf16.probabilities" | awk -F, '
    {
        half = NF / 2
        if ($1 != $(half + 1)) { print "rows differ: " $1 " and " $(half + 1) > "/dev/stderr"; exit 1 }
        best32 = best16 = 2
        for (c = 2; c <= half; c++) {
            if ($c > $best32) best32 = c
            if ($(c + half) > $(best16 + half)) best16 = c
            d = $c - $(c + half); if (d < 0) d = -d
            if (d > largest) { largest = d; where = $1 }
        }
        images++; if (best32 == best16) agree++
    }
    END { printf "arg-max agreement: %d of %d (%.2f %%); largest probability difference %.2e (%s)\n",
                 agree, images, 100 * agree / images, largest, where }'
