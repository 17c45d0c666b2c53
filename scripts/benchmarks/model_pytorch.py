"""PyTorch and onnxruntime worker of the Swift model benchmark (Sources/model-benchmark).

Loads one full-size model (torchvision's, efficientnet-lite-pytorch's Lite0, or the hybrid of
hybrid_pytorch.py) with the weights the
Swift benchmark wrote (safetensors, PyTorch keys), in eval mode, and serves timing requests on stdin
so the Swift benchmark can interleave its own runs with this process's:

    stdin "run"   -> stdout: seconds of one forward pass of the batch
    stdin "quit"  -> stdout: JSON {"peak_rss_bytes": ...} and exit

--backend torch runs the model with torch.inference_mode() (NCHW, or --channels-last);
--backend ort exports it with torch.onnx.export and runs it with onnxruntime (all graph
optimizations, intra-op threads = --threads). Before "ready", --check-input (raw float32 NHWC,
[check-batch, size, size, 3]) is run once and the logits written as raw float32 to --check-output.
The first stdout line is "ready" followed by a JSON description of the backend.
"""
import argparse
import json
import os
import sys
import tempfile
import time

import numpy as np
import torch
import torchvision
from safetensors.torch import load_file

from child_report import peak_rss_kb


def build_model(name, size):
    if name.startswith("hybrid"):
        from hybrid_pytorch import build_hybrid
        return build_hybrid(name, classes=1000, size=size)
    if name == "efficientnet_lite0":
        from efficientnet_lite_pytorch import EfficientNet
        return EfficientNet.from_name("efficientnet-lite0")
    return getattr(torchvision.models, name)(weights=None)


def load_weights(model, path):
    state = load_file(path)
    reference = model.state_dict()
    converted = {key: value.to(reference[key].dtype) if key in reference else value for key, value in state.items()}
    model.load_state_dict(converted, strict=True)


class TorchRunner:
    def __init__(self, model, channels_last):
        self.model = model
        self.channels_last = channels_last
        if channels_last:
            self.model = self.model.to(memory_format=torch.channels_last)

    def describe(self):
        return {"backend": "torch", "version": torch.__version__, "threads": torch.get_num_threads(),
                "channels_last": self.channels_last}

    def __call__(self, x):
        tensor = torch.from_numpy(x)
        if self.channels_last:
            tensor = tensor.contiguous(memory_format=torch.channels_last)
        with torch.inference_mode():
            return self.model(tensor).numpy()


class OnnxRunner:
    def __init__(self, model, batch, size, threads):
        import onnxruntime
        path = os.path.join(tempfile.mkdtemp(prefix="model-benchmark-"), "model.onnx")
        example = torch.zeros(batch, 3, size, size)
        with torch.no_grad():
            torch.onnx.export(model, (example,), path, input_names=["input"], output_names=["logits"],
                              dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}}, opset_version=17,
                              dynamo=False)
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
        self.session = onnxruntime.InferenceSession(path, options, providers=["CPUExecutionProvider"])
        self.version = onnxruntime.__version__
        self.threads = threads

    def describe(self):
        return {"backend": "onnxruntime", "version": self.version, "threads": self.threads}

    def __call__(self, x):
        return self.session.run(["logits"], {"input": x})[0]


def nchw_from_raw(path, batch, size):
    pixels = np.fromfile(path, dtype=np.float32)
    expected = batch * size * size * 3
    if pixels.size != expected:
        raise SystemExit(f"{path}: {pixels.size} floats, expected {expected} ([{batch}, {size}, {size}, 3])")
    return np.ascontiguousarray(pixels.reshape(batch, size, size, 3).transpose(0, 3, 1, 2))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", required=True,
                        help="torchvision constructor name, efficientnet_lite0 or hybrid-VARIANT/BACKBONE (hybrid_pytorch.py)")
    parser.add_argument("--backend", choices=["torch", "ort"], required=True)
    parser.add_argument("--weights", required=True, help="safetensors state dict with PyTorch keys")
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--size", type=int, default=224)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--channels-last", action="store_true")
    parser.add_argument("--check-input", help="raw float32 NHWC input of the logits check")
    parser.add_argument("--check-batch", type=int, default=2)
    parser.add_argument("--check-output", help="where to write the logits of --check-input (raw float32)")
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    model = build_model(args.model, args.size)
    load_weights(model, args.weights)
    model.eval()
    runner = TorchRunner(model, args.channels_last) if args.backend == "torch" else \
        OnnxRunner(model, args.batch, args.size, args.threads)
    if args.check_input and args.check_output:
        runner(nchw_from_raw(args.check_input, args.check_batch, args.size)).astype(np.float32).tofile(args.check_output)
    x = np.random.default_rng(0).standard_normal((args.batch, 3, args.size, args.size), dtype=np.float32)
    print("ready " + json.dumps(runner.describe()), flush=True)
    for line in sys.stdin:
        command = line.strip()
        if command == "run":
            start = time.perf_counter()
            runner(x)
            print(f"{time.perf_counter() - start:.6f}", flush=True)
        elif command == "quit":
            peak = peak_rss_kb() * 1024
            print(json.dumps({"peak_rss_bytes": peak}), flush=True)
            return
        else:
            print(f"error: unknown command {command!r}", flush=True)


if __name__ == "__main__":
    main()
