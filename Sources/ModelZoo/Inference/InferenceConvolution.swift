import NeuralNetworks
import Tensors

/// A convolution frozen for inference: an optional following batch norm folded into its weights
/// and bias (`w · γ/√(σ² + ε)`, `(b − μ) · γ/√(σ² + ε) + β`), an optional ReLU/ReLU6/GELU fused into the
/// oneDNN call, and a fixed `WeightsVersion` so oneDNN's reordered weights are made once.
struct InferenceConvolution {
    let weight: Tensor
    let bias: Tensor?
    let stride: Int
    let padding: Padding2D
    let dilation: Int
    let groups: Int
    let activation: Activation?
    let version = WeightsVersion(owner: WeightsVersion.makeOwner(), version: 0)

    /// `convolution`, then `norm` (evaluation mode) if given, then `activation`.
    init(_ convolution: Conv2d, foldingIn norm: BatchNorm2d? = nil, activation: Activation? = nil) {
        stride = convolution.stride
        padding = convolution.padding
        dilation = convolution.dilation
        groups = convolution.groups
        self.activation = activation
        guard let norm else {
            weight = convolution.weight.value.detached()
            bias = convolution.bias?.value.detached()
            return
        }
        let affine = FoldedBatchNorm(norm)
        let original = convolution.weight.value
        let outputChannels = original.shape[0], perOutput = original.scalarCount / outputChannels
        weight = Tensor(shape: original.shape) { folded in
            original.withUnsafeBufferPointer { source in
                for channel in 0..<outputChannels {
                    let factor = affine.scale[channel]
                    for index in channel * perOutput..<(channel + 1) * perOutput { folded[index] = source[index] * factor }
                }
            }
        }
        let originalBias = convolution.bias?.value.scalars ?? [Float](repeating: 0, count: outputChannels)
        bias = Tensor((0..<outputChannels).map { originalBias[$0] * affine.scale[$0] + affine.shift[$0] })
    }

    /// `linear` applied to every pixel of an NHWC map, as a 1x1 convolution, each output multiplied
    /// by `outputScale[o]` when given (see `InferenceLinear`), then `activation`.
    init(pointwise linear: Linear, outputScale: Tensor? = nil, activation: Activation? = nil) {
        let frozen = InferenceLinear(linear, outputScale: outputScale)
        weight = frozen.weight.reshaped(to: frozen.weight.shape + [1, 1])
        bias = frozen.bias
        stride = 1
        padding = .zero
        dilation = 1
        groups = 1
        self.activation = activation
    }

    /// `x [batch, height, width, inChannels]` -> `[batch, outHeight, outWidth, outChannels]`, plus
    /// `residual` (of the output's shape, added before the activation) when given.
    func callAsFunction(_ x: Tensor, adding residual: Tensor? = nil) -> Tensor {
        conv2d(x, weight: weight, bias: bias, stride: stride, padding: padding, dilation: dilation, groups: groups,
               weightsVersion: version, adding: residual, activation: activation)
    }

    /// The same on activations in any format, written in `outputFormat` (as is `residual`).
    func callAsFunction(_ x: FormattedActivations, adding residual: FormattedActivations? = nil,
                        outputFormat: ActivationFormat) -> FormattedActivations {
        conv2d(x, weight: weight, bias: bias, stride: stride, padding: padding, dilation: dilation, groups: groups,
               weightsVersion: version, adding: residual, activation: activation, outputFormat: outputFormat)
    }
}
