import Randomness
import Tensors

/// Stochastic depth, torchvision's `StochasticDepth(p, mode)`: in training mode it zeroes whole
/// samples ("row") or the whole batch ("batch") with probability `probability` and scales the
/// survivors by `1 / (1 - probability)`; in evaluation mode it is the identity.
public final class StochasticDepth: Layer {
    /// What one random draw drops.
    public enum Mode: String, Sendable {
        /// Each sample of the batch independently.
        case row
        /// The whole batch at once.
        case batch
    }

    /// The probability of dropping.
    public let probability: Float
    public let mode: Mode
    /// The generator of the draws; it advances with every training-mode call.
    public var generator: SeededGenerator
    public var isTraining = true

    /// - Throws: `LayerError.invalidConfiguration` for a probability outside [0, 1].
    public init(probability: Float, mode: Mode = .row, seed: UInt64) throws {
        try LayerError.check(probability >= 0 && probability <= 1, "StochasticDepth(probability: \(probability))",
                             "the probability must be in [0, 1]")
        self.probability = probability
        self.mode = mode
        generator = SeededGenerator(seed: seed)
    }

    /// `x [batch, ...]` with dropped samples zeroed and the others scaled.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        guard x.rank >= 1, let scales = sampleScales(batch: x.shape[0]) else { return x }
        return x * Tensor(scales).reshaped(to: [scales.count] + Array(repeating: 1, count: x.rank - 1))
    }

    /// The factor of each of `batch` samples in this training-mode pass, drawn (one draw a sample in
    /// row mode, one for the batch in batch mode): 0 for a dropped sample, `1 / (1 - probability)` for
    /// a kept one; nil when the layer is the identity (evaluation mode, or probability 0), and nothing
    /// is drawn. For operations that apply the factors themselves (`scaledResidualAdd`).
    public func sampleScales(batch: Int) -> [Float]? {
        guard isTraining, probability > 0 else { return nil }
        let survival = 1 - probability
        let keptScale: Float = survival > 0 ? 1 / survival : 0
        switch mode {
        case .row:
            return (0..<batch).map { _ in generator.nextUnitFloat() < survival ? keptScale : 0 }
        case .batch:
            return [Float](repeating: generator.nextUnitFloat() < survival ? keptScale : 0, count: batch)
        }
    }
}
