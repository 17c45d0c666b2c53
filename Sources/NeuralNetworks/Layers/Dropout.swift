import Randomness
import Tensors

/// Inverted dropout, PyTorch's `nn.Dropout`: in training mode each element is zeroed with
/// probability `rate` and the others are scaled by `1 / (1 - rate)`; in evaluation mode it is
/// the identity. The masks come from the layer's own seeded generator.
public final class Dropout: Layer {
    /// The probability of zeroing an element.
    public let rate: Float
    /// The generator of the masks; it advances with every training-mode call.
    public var generator: SeededGenerator
    public var isTraining = true

    /// - Throws: `LayerError.invalidConfiguration` for a rate outside [0, 1).
    public init(rate: Float, seed: UInt64) throws {
        try LayerError.check(rate >= 0 && rate < 1, "Dropout(rate: \(rate))", "the rate must be in [0, 1)")
        self.rate = rate
        generator = SeededGenerator(seed: seed)
    }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        dropout(x, rate: rate, isTraining: isTraining, generator: &generator)
    }
}
