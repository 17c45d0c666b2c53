"""The study's hybrid network in PyTorch, for the model benchmark (model_pytorch.py): a reference
written from the Swift doc comments (Sources/ModelZoo/HybridNetwork*.swift, PurpleMask.swift), with
the Swift state-dict keys, so that the benchmark's logit check compares two independent
implementations and its timings compare like with like.

    build_hybrid("hybrid-light/efficientnet-lite0", classes=1000)

NCHW input, normalized as the backbone expects it. Like the Swift inference network, the decoder
stages after the flattened one (the study's conv6, conv7) have weights but are not computed: they
feed no logit.
"""
import torch
import torch.nn.functional as F
from torch import nn

# U-Net widths, flattened stage, average-pooling window (None: flatten as it is), per variant.
VARIANTS = {"study": ([32, 64, 128, 256], 5, None), "light": ([16, 32, 64, 128], 5, 8)}
# input = pixel * scale + offset per channel, pixel on 0...255.
IMAGENET = ([1 / (255 * s) for s in (0.229, 0.224, 0.225)], [-m / s for m, s in zip((0.485, 0.456, 0.406), (0.229, 0.224, 0.225))])
SYMMETRIC = ([1 / 127.5] * 3, [-1.0] * 3)


class PurpleMask(nn.Module):
    """mask * pixel / 255 of the de-normalized input; the mask is the HSV box H 0.7...0.8, S >= 0.5,
    V >= 0.4 of the 8-bit pixel (clamped, rounded half away from zero)."""

    def __init__(self, normalization):
        super().__init__()
        scale, offset = normalization
        self.register_buffer("scale", torch.tensor(scale, dtype=torch.float32).view(1, 3, 1, 1))
        self.register_buffer("offset", torch.tensor(offset, dtype=torch.float32).view(1, 3, 1, 1))
        self.register_buffer("factor", (1 / (255 * torch.tensor(scale, dtype=torch.float32))).view(1, 3, 1, 1))

    def forward(self, x):
        pixel = (x - self.offset) / self.scale
        eight = torch.floor(pixel.clamp(0, 255) + 0.5) / 255
        r, g, b = eight[:, 0], eight[:, 1], eight[:, 2]
        maximum = torch.maximum(torch.maximum(r, g), b)
        minimum = torch.minimum(torch.minimum(r, g), b)
        chroma = maximum - minimum
        safe_chroma = torch.where(chroma > 0, chroma, torch.ones_like(chroma))
        saturation = torch.where(maximum > 0, chroma / torch.where(maximum > 0, maximum, torch.ones_like(maximum)),
                                 torch.zeros_like(maximum))
        from_red = (g - b) / safe_chroma
        from_red = torch.where(from_red < 0, from_red + 6, from_red)
        sixths = torch.where(maximum == r, from_red,
                             torch.where(maximum == g, (b - r) / safe_chroma + 2, (r - g) / safe_chroma + 4))
        hue = torch.where(chroma > 0, sixths / 6, torch.zeros_like(sixths))
        mask = (hue >= 0.7) & (hue <= 0.8) & (saturation >= 0.5) & (maximum >= 0.4)
        return (x - self.offset) * self.factor * mask.unsqueeze(1).to(x.dtype)


class UpConvolution(nn.ConvTranspose2d):
    """Keras' Conv2DTranspose(3, strides=2, padding="same"): the full 2n+1 output cropped at the bottom and right."""

    def __init__(self, inputs, outputs):
        super().__init__(inputs, outputs, 3, stride=2)

    def forward(self, x):
        height, width = x.shape[2], x.shape[3]
        return super().forward(x)[:, :, :2 * height, :2 * width]


class UNet(nn.Module):
    def __init__(self, widths, flattened_stage, window):
        super().__init__()
        self.levels, self.flattened_stage, self.window = len(widths), flattened_stage, window
        stages = 2 * len(widths) - 1
        inputs = 3
        for stage in range(1, stages + 1):
            width = widths[stage - 1] if stage <= len(widths) else widths[stages - stage]
            if stage > len(widths):
                setattr(self, f"up{stage}", UpConvolution(inputs, width))
                inputs = 2 * width
            setattr(self, f"conv{stage}", nn.Sequential(nn.Conv2d(inputs, width, 3, padding=1), nn.ReLU(),
                                                        nn.Conv2d(width, width, 3, padding=1), nn.ReLU()))
            inputs = width
        self.stages = stages

    def forward(self, pixels):
        outputs = []
        for stage in range(1, self.flattened_stage + 1):
            if stage == 1:
                x = pixels
            elif stage <= self.levels:
                x = F.max_pool2d(outputs[-1], 2)
            else:
                x = torch.cat([getattr(self, f"up{stage}")(outputs[-1]), outputs[self.stages - stage]], dim=1)
            outputs.append(getattr(self, f"conv{stage}")(x))
        pooled = outputs[-1] if self.window is None else F.avg_pool2d(outputs[-1], self.window)
        return pooled.permute(0, 2, 3, 1).flatten(1)  # Keras' Flatten on channels-last data


class DenseHead(nn.Module):
    """Dense(width, relu) -> BatchNorm(eps 1e-3) -> Dropout per hidden width, then the output layer."""

    def __init__(self, inputs, widths, classes):
        super().__init__()
        self.count = len(widths)
        for index, width in enumerate(widths, start=1):
            setattr(self, f"dense{index}", nn.Linear(inputs, width))
            setattr(self, f"norm{index}", nn.BatchNorm1d(width, eps=1e-3))
            inputs = width
        self.output = nn.Linear(inputs, classes)

    def forward(self, x):
        for index in range(1, self.count + 1):
            x = getattr(self, f"norm{index}")(F.relu(getattr(self, f"dense{index}")(x)))
        return self.output(x)


class Hybrid(nn.Module):
    def __init__(self, backbone, features, normalization, variant, classes, size):
        super().__init__()
        widths, flattened_stage, window = VARIANTS[variant]
        self.backbone, self.features = backbone, features
        self.mask = PurpleMask(normalization)
        self.unet = UNet(widths, flattened_stage, window)
        side = size // (1 << (flattened_stage - 1 if flattened_stage <= len(widths) else 2 * len(widths) - 1 - flattened_stage))
        width = widths[flattened_stage - 1] if flattened_stage <= len(widths) else widths[2 * len(widths) - 1 - flattened_stage]
        unet_features = (side // window) ** 2 * width if window else side * side * width
        self.head = DenseHead(unet_features + features(backbone, torch.zeros(1, 3, size, size)).shape[1], [512, 256, 128], classes)

    def forward(self, x):
        return self.head(torch.cat([self.unet(self.mask(x)), self.features(self.backbone, x)], dim=1))

    def load_state_dict(self, state, strict=True):
        # The mask's constants are not in the Swift state dict.
        own = {key: value for key, value in self.state_dict().items() if key.startswith("mask.")}
        return super().load_state_dict({**state, **own}, strict=strict)


def lite0_features(model, x):
    return model._avg_pooling(model.extract_features(x)).flatten(1)


def densenet_features(model, x):
    return F.adaptive_avg_pool2d(F.relu(model.features(x)), 1).flatten(1)


def build_hybrid(name, classes=1000, size=224):
    """name: hybrid-VARIANT/BACKBONE with BACKBONE efficientnet-lite0 or a torchvision DenseNet."""
    head, _, backbone_name = name.partition("/")
    variant = head.removeprefix("hybrid-") if head != "hybrid" else "study"
    backbone_name = backbone_name or "efficientnet-lite0"
    if backbone_name == "efficientnet-lite0":
        from efficientnet_lite_pytorch import EfficientNet
        backbone, features, normalization = EfficientNet.from_name("efficientnet-lite0"), lite0_features, SYMMETRIC
    elif backbone_name.startswith("densenet"):
        import torchvision
        backbone, features, normalization = getattr(torchvision.models, backbone_name)(weights=None), densenet_features, IMAGENET
    else:
        raise SystemExit(f"{name}: the PyTorch hybrid has efficientnet-lite0 and DenseNet backbones only")
    with torch.no_grad():
        return Hybrid(backbone.eval(), features, normalization, variant, classes, size)
