"""PyTorch counterpart of the Swift engine benchmark (Sources/engine-benchmark/main.swift).

Reads the layer shapes as JSON from --shapes (a list of {name, batch, size, input, output, kernel,
stride, padding, groups}), times convolution forward, backward-data and backward-weights with
channels-last tensors and 2 threads, and prints JSON: {"torch": version, "threads": n,
"peak_rss_kb": this process's peak resident memory, "layers": [{"name", "forward",
"backward_data", "backward_weights"}]} with the median seconds of --runs runs after one warm-up.
The engine benchmark runs it once per layer and round, alternating with its own measurements.
"""
import argparse
import json

import torch

from child_report import median_seconds, peak_rss_kb


def measure(shape, runs):
    n, size, cin, cout = shape["batch"], shape["size"], shape["input"], shape["output"]
    k, stride, padding, groups = shape["kernel"], shape["stride"], shape["padding"], shape["groups"]
    x = torch.randn(n, cin, size, size).contiguous(memory_format=torch.channels_last)
    w = torch.randn(cout, cin // groups, k, k).contiguous(memory_format=torch.channels_last)
    b = torch.randn(cout)
    with torch.no_grad():
        y = torch.nn.functional.conv2d(x, w, b, stride, padding, 1, groups)
    g = torch.randn_like(y).contiguous(memory_format=torch.channels_last)

    def backward(mask):
        torch.ops.aten.convolution_backward(g, x, w, [cout], [stride, stride], [padding, padding], [1, 1], False,
                                            [0, 0], groups, mask)

    with torch.no_grad():
        forward = median_seconds(runs, lambda: torch.nn.functional.conv2d(x, w, b, stride, padding, 1, groups))
        data = median_seconds(runs, lambda: backward([True, False, False]))
        weights = median_seconds(runs, lambda: backward([False, True, True]))
    return {"name": shape["name"], "forward": forward, "backward_data": data, "backward_weights": weights}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--shapes", required=True, help="JSON list of layer shapes")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    layers = [measure(shape, args.runs) for shape in json.loads(args.shapes)]
    print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads(), "peak_rss_kb": peak_rss_kb(),
                      "layers": layers}))


if __name__ == "__main__":
    main()
