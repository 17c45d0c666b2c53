import Tensors

/// Layer normalization over the last axis, PyTorch's `nn.LayerNorm(features)`: parameters
/// `weight` (1) and `bias` (0). On NHWC activations this normalizes each pixel over its channels,
/// which is also ConvNeXt's `LayerNorm2d`.
public final class LayerNorm: Layer {
    /// Scale, `[features]`.
    public let weight: Parameter
    /// Shift, `[features]`.
    public let bias: Parameter
    public let epsilon: Float
    public var isTraining = true

    /// - Throws: `LayerError.invalidConfiguration` for a non-positive feature count or epsilon.
    public init(_ features: Int, epsilon: Float = 1e-5) throws {
        let name = "LayerNorm(\(features))"
        try LayerError.check(features > 0, name, "the feature count must be positive")
        try LayerError.check(epsilon > 0, name, "epsilon \(epsilon) must be positive")
        weight = Parameter(Tensor.ones([features]), name: "weight")
        bias = Parameter(Tensor.zeros([features]), name: "bias")
        self.epsilon = epsilon
    }

    public var localParameters: [NamedParameter] { [("weight", weight), ("bias", bias)] }

    /// `x [..., features]` normalized over its last axis.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        layerNorm(x, scale: weight.value, shift: bias.value, epsilon: epsilon)
    }
}
