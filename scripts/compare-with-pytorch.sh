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
#   are 5 apart; each fold's epochs.jsonl shows it), orientations (train --orientations, train's
#   default since 2026-12-06: each training image first in a random one of its 8 orientations),
#   and today's default with one change each (issue #15 item 4, "one thing at a time"): refit
#   (--refit), recompute-bn (--recompute-batch-norm 512), reflect-fill (--fill reflect: augmented
#   images mirrored at the edges instead of the edge pixel repeated), select-accuracy (--selection
#   accuracy: the kept epoch, the plateaus and early stopping follow the validation accuracy instead
#   of its loss), no-class-weights (--no-class-weights: the loss unweighted instead of weighted by
#   n / (k · n_c), which the reference keeps) or cosine (--schedule cosine --epochs 15: the rate
#   annealed from 1e-4 to 0 over 15 epochs instead of reduce-on-plateau; the orientations' grouped
#   folds ran 15 to 28 epochs, kept 10 to 23). Every recipe is compared with
#   the reference's default on the same folds; the one-change recipes also, image by image, with
#   orientations. A refit fold whose OUT_DIR/swift-orientations-GROUPING/fold-K is finished copies
#   it as its selection (the same options, seed and fold: what train --refit would train first)
#   and trains only the refit; its minutes in the table still include the selection's.
#   Default: orientations.
# GROUPINGS chooses and orders the groupings (default "image grouped"), in the runs and the table.
# LEUKEMIA names the executable (default .build/release/leukemia); PYTHON the reference's
# interpreter (default /work/venv-torch/bin/python, a venv outside the repository with torch).
# Hours of both cores: 2 groupings x K folds x (Swift + PyTorch) trainings per recipe.
set -euo pipefail
cd "$(dirname "$0")/.."
data=$1 out=$2 folds=${3:-5}
shift $(( $# < 3 ? $# : 3 ))
recipes=("$@")
[ ${#recipes[@]} -eq 0 ] && recipes=(orientations)
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

for recipe in "${recipes[@]}"; do
    case $recipe in  # the Swift run's options
        default) options=(--no-orientations) ;;
        orientations) options=(--orientations) ;;
        refit) options=(--refit) ;;
        recompute-bn) options=(--recompute-batch-norm 512) ;;
        reflect-fill) options=(--fill reflect) ;;
        select-accuracy) options=(--selection accuracy) ;;
        no-class-weights) options=(--no-class-weights) ;;
        cosine) options=(--schedule cosine --epochs 15) ;;
        *) echo "unknown recipe $recipe" >&2; exit 2 ;;
    esac
    for grouping in ${GROUPINGS:-image grouped}; do
        swift="$out/swift-$recipe-$grouping" torch="$out/torch-default-$grouping"
        extra=(); [ "$grouping" = grouped ] && extra=(--group-runs 25)
        # Fold by fold, Swift then the reference on the same fold (train --fold), so that an
        # interrupted comparison has complete pairs; re-running continues where it stopped.
        for fold in ${ONLY_FOLDS:-$(seq 1 "$folds")}; do
            [ -n "${TABLE_ONLY:-}" ] && continue
            # A refit's selection holds the fold's own split (with its validation part).
            selection="$swift/fold-$fold"
            if [ "$recipe" = refit ]; then
                selection="$swift/fold-$fold/selection" orientations="$out/swift-orientations-$grouping"
                if [ ! -e "$selection" ] && [ -f "$orientations/fold-$fold/config.json" ]; then
                    # The same folds: its splits, and its record with the refit's model name.
                    if [ ! -e "$swift" ]; then
                        mkdir -p "$swift" && cp -r "$orientations/splits" "$swift/"
                        python3 -c 'import json, sys; r = json.load(open(sys.argv[1])); r["model"] += ", refit on train + validation"; json.dump(r, open(sys.argv[2], "w"))' \
                            "$orientations/cross-validation.json" "$swift/cross-validation.json"
                    fi
                    mkdir -p "$swift/fold-$fold" && cp -r "$orientations/fold-$fold" "$selection"
                fi
            fi
            "$leukemia" train --model efficientnet-lite0 --policy full --folds "$folds" --fold "$fold" --data "$data" \
                --out "$swift" "${extra[@]}" "${options[@]}" >> "$swift.log"
            [ -f "$torch/fold-$fold/metrics.json" ] ||
                "$python" scripts/reference/pytorch_finetune.py --data "$data" --split "$selection/split.json" \
                    --classes-from "$selection" --out "$torch/fold-$fold" --threads 2 > "$torch-fold-$fold.log" 2>&1
            if [ -n "${RECORD:-}" ]; then record_fold "$swift/fold-$fold" "$torch/fold-$fold"; fi
        done
    done
done

printf '| recipe | grouping | engine | folds | accuracy (mean ± sd) | total cost (mean ± sd) | macro F1 (mean ± sd) | errors per fold | training min per fold |\n'
printf '| --- | --- | --- | --- | --- | --- | --- | --- | --- |\n'
python3 - "$out" "$folds" "${recipes[@]}" <<'PY'
import json, math, os, statistics, sys, pathlib
out, folds = pathlib.Path(sys.argv[1]), int(sys.argv[2])
recipes = sys.argv[3:]
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
def paired(what, grouping, runs, other_runs, other):
    """Per image over the paired folds: wrong only in `runs`, only in `other_runs`, in both; McNemar's exact p."""
    def wrong(run):
        p = json.load(open(run / "predictions.json"))
        return {os.path.basename(path): label != max(range(len(q)), key=q.__getitem__)
                for path, label, q in zip(p["paths"], p["labels"], p["probabilities"])}
    only_one = only_other = both = images = 0
    for s, t in zip(runs, other_runs):
        a, b = wrong(s), wrong(t)
        if a.keys() != b.keys():
            return f"{what}, {grouping}: {s.name} has other test images than {other}"
        images += len(a)
        only_one += sum(a[f] and not b[f] for f in a)
        only_other += sum(b[f] and not a[f] for f in a)
        both += sum(a[f] and b[f] for f in a)
    n, k = only_one + only_other, min(only_one, only_other)
    p = min(1.0, 2 * sum(math.comb(n, i) for i in range(k + 1)) / 2 ** n) if n else 1.0
    return (f"{what} against {other}, {grouping}, paired over {images} images of folds {' '.join(run.name[5:] for run in runs)}: "
            f"wrong only in {what} {only_one}, only in {other} {only_other}, in both {both}; McNemar's exact p = {p:.2f}")
def finished(directory, k):
    """A Swift fold is finished when its config.json exists, a reference fold when its metrics.json does."""
    return (directory / f"fold-{k}" / "config.json").exists() or (directory / f"fold-{k}" / "metrics.json").exists()
notes = []
for grouping in os.environ.get("GROUPINGS", "image grouped").split():
    torch, baseline = out / f"torch-default-{grouping}", out / f"swift-orientations-{grouping}"
    reference_folds = None  # the folds of the last reference row printed
    for recipe in recipes:
        swift = out / f"swift-{recipe}-{grouping}"
        folds_done = [k for k in range(1, folds + 1) if finished(swift, k) and finished(torch, k)]
        swift_runs, torch_runs = [swift / f"fold-{k}" for k in folds_done], [torch / f"fold-{k}" for k in folds_done]
        row(recipe, grouping, "Swift (this toolkit)", swift_runs)
        if folds_done != reference_folds:  # the reference once per set of folds
            row("default", grouping, "PyTorch reference", torch_runs)
            reference_folds = folds_done
        if folds_done:
            notes.append(paired(f"Swift {recipe}", grouping, swift_runs, torch_runs, "the reference"))
        if recipe not in ("default", "orientations"):  # one change from today's default: against it, image by image
            common = [k for k in folds_done if finished(baseline, k)]
            if common:
                notes.append(paired(f"Swift {recipe}", grouping, [swift / f"fold-{k}" for k in common],
                                    [baseline / f"fold-{k}" for k in common], "Swift orientations"))
print()
for note in notes:
    print(f"- {note}")
PY
