import Randomness
import Tensors

/// Affine map, PyTorch's `nn.Linear`: `y = x Wᵀ + b` with `weight [out, in]` and `bias [out]`.
public final class Linear: Layer {
    /// `[outFeatures, inFeatures]` (PyTorch's layout, used in place by `matmul(_:transposing:)`).
    public let weight: Parameter
    /// `[outFeatures]`, or nil for `bias: false`.
    public let bias: Parameter?
    public var isTraining = true

    /// A linear layer with PyTorch's default initialization drawn from `generator` (weight, then bias).
    /// - Throws: `LayerError.invalidConfiguration` for non-positive feature counts.
    public init(inFeatures: Int, outFeatures: Int, bias: Bool = true, generator: inout SeededGenerator) throws {
        try LayerError.check(inFeatures > 0 && outFeatures > 0, "Linear(\(inFeatures), \(outFeatures))",
                             "feature counts must be positive")
        (weight, self.bias) = DefaultInitialization.weightAndBias(
            weightShape: [outFeatures, inFeatures], biasCount: outFeatures, hasBias: bias, fanIn: inFeatures,
            generator: &generator)
    }

    public var localParameters: [NamedParameter] { weightAndBiasEntries(weight, bias) }

    /// `x [..., inFeatures]` -> `[..., outFeatures]`.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        guard let bias else { return matmul(x, transposing: weight.value) }
        return .addingBias(bias.value, to: matmul(x, transposing: weight.value))
    }
}
