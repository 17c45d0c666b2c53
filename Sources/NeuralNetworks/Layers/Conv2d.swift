import Randomness
import Tensors

/// 2-D convolution, PyTorch's `nn.Conv2d`: parameters `weight [out, in / groups, k, k]` and
/// `bias [out]`, on NHWC activations.
public final class Conv2d: Layer {
    /// `[outChannels, inChannels / groups, kernelSize, kernelSize]`.
    public let weight: Parameter
    /// `[outChannels]`, or nil for `bias: false`.
    public let bias: Parameter?
    public let stride: Int
    public let padding: Padding2D
    public let dilation: Int
    public let groups: Int
    public var isTraining = true

    /// A convolution with PyTorch's default initialization drawn from `generator` (weight, then bias).
    /// `padding` may differ per side (TensorFlow-style "same" padding).
    /// - Throws: `LayerError.invalidConfiguration` for non-positive sizes or channels not divisible by `groups`.
    public init(inChannels: Int, outChannels: Int, kernelSize: Int, stride: Int = 1, padding: Padding2D,
                dilation: Int = 1, groups: Int = 1, bias: Bool = true, generator: inout SeededGenerator) throws {
        let name = "Conv2d(\(inChannels), \(outChannels), kernelSize: \(kernelSize))"
        try LayerError.check(inChannels > 0 && outChannels > 0 && kernelSize > 0 && stride > 0 && dilation > 0 && groups > 0,
                             name, "channels, kernel size, stride, dilation and groups must be positive")
        try LayerError.check(inChannels % groups == 0 && outChannels % groups == 0, name,
                             "channels must be divisible by groups \(groups)")
        try LayerError.check(min(padding.top, padding.bottom, padding.left, padding.right) >= 0, name,
                             "padding must be non-negative")
        let fanIn = inChannels / groups * kernelSize * kernelSize
        (weight, self.bias) = DefaultInitialization.weightAndBias(
            weightShape: [outChannels, inChannels / groups, kernelSize, kernelSize], biasCount: outChannels,
            hasBias: bias, fanIn: fanIn, generator: &generator)
        self.stride = stride
        self.padding = padding
        self.dilation = dilation
        self.groups = groups
    }

    /// A convolution with the same `padding` on every side.
    public convenience init(inChannels: Int, outChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0,
                            dilation: Int = 1, groups: Int = 1, bias: Bool = true, generator: inout SeededGenerator) throws {
        try self.init(inChannels: inChannels, outChannels: outChannels, kernelSize: kernelSize, stride: stride,
                      padding: Padding2D(padding), dilation: dilation, groups: groups, bias: bias, generator: &generator)
    }

    public var localParameters: [NamedParameter] { weightAndBiasEntries(weight, bias) }

    /// `x [batch, height, width, inChannels]` -> `[batch, outHeight, outWidth, outChannels]`.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        callAsFunction(x, activation: nil)
    }

    /// The same with `activation` applied to the output in the convolution's pass (see `conv2d`):
    /// the values and gradients of this layer followed by `ReLU`, `ReLU6` or `GELU`.
    public func callAsFunction(_ x: Tensor, activation: Activation?) -> Tensor {
        conv2d(x, weight: weight.value, bias: bias?.value, stride: stride, padding: padding, dilation: dilation, groups: groups,
               weightsVersion: weight.valueVersion, activation: activation)
    }
}
