#!/usr/bin/env bash
# Issue #15's side-by-side: the default CNN recipe (EfficientNet-Lite0, full fine-tuning) in the
# toolkit and in the PyTorch reference (scripts/reference/pytorch_finetune.py), on the same K folds,
# image-level and grouped (runs of 25 file numbers), fold by fold: the reference trains on exactly
# the images of each Swift fold run's split.json and scores the same test images. Prints one table
# row per recipe and grouping (mean ± sample sd over folds, and the mean training minutes per fold),
# over the folds both engines finished, then for each recipe and grouping the images wrong in one
# engine only and in both, with McNemar's exact p. TABLE_ONLY=1 prints the table without training.
# ONLY_FOLDS="4 5" trains just those folds (the others are left as they are). RECORD=DIR copies each
# finished fold's small files (scores, predictions, epochs, configuration; no weights) into DIR with
# OUT_DIR's structure, so that a comparison spread over machines that do not keep OUT_DIR can be
# tabled from DIR (TABLE_ONLY=1 scripts/compare-with-pytorch.sh DATA DIR ...).
# Usage: scripts/compare-with-pytorch.sh DATA_DIR OUT_DIR [FOLDS] [RECIPE ...]   (after scripts/setup.sh)
#   RECIPE: default (the study's protocol, which the reference implements: train --no-orientations,
#   the README's main command before --orientations became train's default, without its
#   --early-stopping-patience 4, which keeps the same epoch and weights whenever no two best epochs
#   are 5 apart; each fold's epochs.jsonl shows it), refit (train --no-orientations --refit, against
#   the reference's refit), or recompute-bn (train --no-orientations --recompute-batch-norm 512,
#   against the reference's default: the same folds), or reflect-fill (train --no-orientations --fill
#   reflect: augmented images mirrored at the edges instead of the edge pixel repeated, against the
#   reference's default), or orientations (train --orientations, train's default since 2026-12-06:
#   each training image first in a random one of its 8 orientations, against the reference's
#   default); default: default and refit.
# GROUPINGS chooses and orders the groupings (default "image grouped"), in the runs and the table.
# LEUKEMIA names the executable (default .build/release/leukemia); PYTHON the reference's
# interpreter (default /work/venv-torch/bin/python, a venv outside the repository with torch).
# Hours of both cores: 2 groupings x K folds x (Swift + PyTorch) trainings per recipe.
set -euo pipefail
cd "$(dirname "$0")/.."
data=$1 out=$2 folds=${3:-5}
shift $(( $# < 3 ? $# : 3 ))
recipes=("$@")
[ ${#recipes[@]} -eq 0 ] && recipes=(default refit)
leukemia=${LEUKEMIA:-.build/release/leukemia}
python=${PYTHON:-/work/venv-torch/bin/python}
mkdir -p "$out"

# Copies the small files of the finished fold runs given (and of a refit's selection) under $RECORD.
record_fold() {
    local run target
    for run in "$@"; do
        target="$RECORD/${run#"$out"/}"
        for part in "" /selection; do
            [ -d "$run$part" ] || continue
            mkdir -p "$target$part"
            for file in config.json training-options.json metrics.json epochs.jsonl predictions.json report.md; do
                if [ -f "$run$part/$file" ]; then cp "$run$part/$file" "$target$part/"; fi
            done
        done
    done
}

pairs=()  # recipe=peer, for the table
for recipe in "${recipes[@]}"; do
    # options: the Swift run's; peer: the reference recipe it is compared with (the same folds).
    case $recipe in
        default) options=(--no-orientations) peer=default ;;
        refit) options=(--no-orientations --refit) peer=refit ;;
        recompute-bn) options=(--no-orientations --recompute-batch-norm 512) peer=default ;;
        reflect-fill) options=(--no-orientations --fill reflect) peer=default ;;
        orientations) options=(--orientations) peer=default ;;
        *) echo "unknown recipe $recipe" >&2; exit 2 ;;
    esac
    pairs+=("$recipe=$peer")
    torch_options=(); [ "$peer" = refit ] && torch_options=(--refit)
    for grouping in ${GROUPINGS:-image grouped}; do
        swift="$out/swift-$recipe-$grouping" torch="$out/torch-$peer-$grouping"
        extra=(); [ "$grouping" = grouped ] && extra=(--group-runs 25)
        # Fold by fold, Swift then the reference on the same fold (train --fold), so that an
        # interrupted comparison has complete pairs; re-running continues where it stopped.
        for fold in ${ONLY_FOLDS:-$(seq 1 "$folds")}; do
            [ -n "${TABLE_ONLY:-}" ] && continue
            "$leukemia" train --model efficientnet-lite0 --policy full --folds "$folds" --fold "$fold" --data "$data" \
                --out "$swift" "${extra[@]}" "${options[@]}" >> "$swift.log"
            # A refit's selection holds the fold's own split (with its validation part).
            selection="$swift/fold-$fold"; [ "$recipe" = refit ] && selection="$swift/fold-$fold/selection"
            [ -f "$torch/fold-$fold/metrics.json" ] ||
                "$python" scripts/reference/pytorch_finetune.py --data "$data" --split "$selection/split.json" \
                    --classes-from "$selection" --out "$torch/fold-$fold" --threads 2 "${torch_options[@]}" > "$torch-fold-$fold.log" 2>&1
            if [ -n "${RECORD:-}" ]; then record_fold "$swift/fold-$fold" "$torch/fold-$fold"; fi
        done
    done
done

printf '| recipe | grouping | engine | folds | accuracy (mean ± sd) | total cost (mean ± sd) | macro F1 (mean ± sd) | errors per fold | training min per fold |\n'
printf '| --- | --- | --- | --- | --- | --- | --- | --- | --- |\n'
python3 - "$out" "$folds" "${pairs[@]}" <<'PY'
import json, math, os, statistics, sys, pathlib
out, folds = pathlib.Path(sys.argv[1]), int(sys.argv[2])
peers = dict(pair.split("=") for pair in sys.argv[3:])  # recipe -> its reference recipe, in the given order
recipes = list(peers)
def row(recipe, grouping, engine, runs):
    if not runs:
        return
    metrics = [json.load(open(run / "metrics.json")) for run in runs]
    def ms(key, digits):
        values = [m[key] for m in metrics]
        sd = statistics.stdev(values) if len(values) > 1 else float("nan")
        return f"{statistics.mean(values):.{digits}f} ± {sd:.{digits}f}"
    errors = [m["sample_count"] - round(m["accuracy"] * m["sample_count"]) if "sample_count" in m else None for m in metrics]
    def seconds(run):
        """A run's training seconds (Swift: config.json, PyTorch: metrics.json), its refit selection's included."""
        own = json.load(open(run / "config.json" if (run / "config.json").exists() else run / "metrics.json"))["training_seconds"]
        return own + (seconds(run / "selection") if (run / "selection").exists() else 0)
    minutes = statistics.mean(seconds(run) for run in runs) / 60
    print(f"| {recipe} | {grouping} | {engine} | {' '.join(run.name[5:] for run in runs)} | {ms('accuracy', 4)} | {ms('total_cost', 1)} | {ms('macro_f1', 4)} | "
          f"{' '.join(str(e) for e in errors)} | {minutes:.1f} |")
def paired(recipe, grouping, swift_runs, torch_runs):
    """Per image over the paired folds: wrong in Swift only, in the reference only, in both; McNemar's exact p."""
    def wrong(run):
        p = json.load(open(run / "predictions.json"))
        return {os.path.basename(path): label != max(range(len(q)), key=q.__getitem__)
                for path, label, q in zip(p["paths"], p["labels"], p["probabilities"])}
    only_swift = only_torch = both = images = 0
    for s, t in zip(swift_runs, torch_runs):
        a, b = wrong(s), wrong(t)
        if a.keys() != b.keys():
            return f"{recipe}, {grouping}: {s.name} has other test images in the two engines"
        images += len(a)
        only_swift += sum(a[f] and not b[f] for f in a)
        only_torch += sum(b[f] and not a[f] for f in a)
        both += sum(a[f] and b[f] for f in a)
    n, k = only_swift + only_torch, min(only_swift, only_torch)
    p = min(1.0, 2 * sum(math.comb(n, i) for i in range(k + 1)) / 2 ** n) if n else 1.0
    return (f"{recipe}, {grouping}, paired over {images} images: wrong only in Swift {only_swift}, "
            f"only in the reference {only_torch}, in both {both}; McNemar's exact p = {p:.2f}")
notes = []
for recipe in recipes:
    for grouping in os.environ.get("GROUPINGS", "image grouped").split():
        swift, torch = (out / f"swift-{recipe}-{grouping}", out / f"torch-{peers[recipe]}-{grouping}")
        # The folds both engines finished (a Swift fold is finished when its config.json exists).
        folds_done = [k for k in range(1, folds + 1)
                  if (swift / f"fold-{k}" / "config.json").exists() and (torch / f"fold-{k}" / "metrics.json").exists()]
        swift_runs, torch_runs = [swift / f"fold-{k}" for k in folds_done], [torch / f"fold-{k}" for k in folds_done]
        row(recipe, grouping, "Swift (this toolkit)", swift_runs)
        if peers[recipe] == recipe or peers[recipe] not in recipes:  # each reference row once
            row(peers[recipe], grouping, "PyTorch reference", torch_runs)
        if folds_done:
            notes.append(paired(recipe, grouping, swift_runs, torch_runs))
print()
for note in notes:
    print(f"- {note}")
PY
