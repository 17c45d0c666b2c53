"""PyTorch counterpart of Sources/block-benchmark: forward + backward (training mode) of torchvision's
DenseNet-201 dense block 1 or a ConvNeXt-Tiny stage-1 block, batch 16, default (NCHW) layout.
Prints JSON {"median_seconds", "peak_rss_kb"} (child_report.py) for --iterations timed steps after one warm-up.
"""
import argparse

import torch
from torchvision.models import convnext_tiny, densenet201

from child_report import measure_and_report


def make_block(name):
    if name == "densenet201.denseblock1":
        return densenet201().features.denseblock1, (16, 64, 56, 56)
    if name == "convnext_tiny.stage1.block":
        return convnext_tiny().features[1][0], (16, 96, 56, 56)
    raise SystemExit(f"unknown block {name}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--block", required=True)
    parser.add_argument("--iterations", type=int, default=5)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    block, shape = make_block(args.block)
    block.train()
    x = torch.randn(shape, requires_grad=True)

    def step():
        block(x).sum().backward()
        block.zero_grad(set_to_none=False)
        x.grad = None

    measure_and_report(step, args.iterations)


if __name__ == "__main__":
    main()
