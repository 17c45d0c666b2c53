import Randomness
import Tensors

/// 2-D transposed convolution, PyTorch's `nn.ConvTranspose2d`: parameters
/// `weight [in, out / groups, k, k]` and `bias [out]`, on NHWC activations.
public final class ConvTranspose2d: Layer {
    /// `[inChannels, outChannels / groups, kernelSize, kernelSize]`.
    public let weight: Parameter
    /// `[outChannels]`, or nil for `bias: false`.
    public let bias: Parameter?
    public let stride: Int
    public let padding: Padding2D
    /// Extra rows and columns at the bottom and right of the output.
    public let outputPadding: Int
    public let dilation: Int
    public let groups: Int
    public var isTraining = true

    /// A transposed convolution with PyTorch's default initialization drawn from `generator`
    /// (PyTorch takes the fan-in from the weight's second axis: `outChannels / groups * k * k`).
    /// - Throws: `LayerError.invalidConfiguration` for non-positive sizes, channels not divisible
    ///   by `groups`, or an output padding not smaller than stride or dilation.
    public init(inChannels: Int, outChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0,
                outputPadding: Int = 0, dilation: Int = 1, groups: Int = 1, bias: Bool = true,
                generator: inout SeededGenerator) throws {
        let name = "ConvTranspose2d(\(inChannels), \(outChannels), kernelSize: \(kernelSize))"
        try LayerError.check(inChannels > 0 && outChannels > 0 && kernelSize > 0 && stride > 0 && dilation > 0 && groups > 0,
                             name, "channels, kernel size, stride, dilation and groups must be positive")
        try LayerError.check(inChannels % groups == 0 && outChannels % groups == 0, name,
                             "channels must be divisible by groups \(groups)")
        try LayerError.check(padding >= 0 && outputPadding >= 0 && outputPadding < max(stride, dilation), name,
                             "padding must be non-negative and output padding \(outputPadding) smaller than stride or dilation")
        (weight, self.bias) = DefaultInitialization.weightAndBias(
            weightShape: [inChannels, outChannels / groups, kernelSize, kernelSize], biasCount: outChannels,
            hasBias: bias, fanIn: outChannels / groups * kernelSize * kernelSize, generator: &generator)
        self.stride = stride
        self.padding = Padding2D(padding)
        self.outputPadding = outputPadding
        self.dilation = dilation
        self.groups = groups
    }

    public var localParameters: [NamedParameter] { weightAndBiasEntries(weight, bias) }

    /// `x [batch, height, width, inChannels]` -> `[batch, outHeight, outWidth, outChannels]`.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        transposedConv2d(x, weight: weight.value, bias: bias?.value, stride: stride, padding: padding,
                         outputPadding: outputPadding, dilation: dilation, groups: groups)
    }
}
