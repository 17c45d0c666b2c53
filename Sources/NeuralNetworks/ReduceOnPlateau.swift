/// PyTorch's `ReduceLROnPlateau`: multiplies the learning rate by `factor` when a metric has
/// not improved for more than `patience` epochs, then waits `cooldown` epochs.
///
/// "Improved" is relative by default: below `best · (1 - threshold)` when minimizing, above
/// `best · (1 + threshold)` when maximizing; absolute thresholds compare with `best ∓ threshold`.
/// A reduction smaller than 1e-8 is skipped, and the rate never goes below `minimumLearningRate`.
public final class ReduceOnPlateau {
    /// Whether lower or higher metric values are better.
    public enum Mode { case minimize, maximize }
    /// How `threshold` is applied.
    public enum ThresholdMode { case relative, absolute }

    /// Whether the metric is minimized or maximized.
    public let mode: Mode
    /// The multiplier applied to the rate on a plateau.
    public let factor: Float
    /// The epochs without improvement tolerated before reducing.
    public let patience: Int
    /// The least change that counts as an improvement.
    public let threshold: Float
    /// Whether `threshold` is relative or absolute.
    public let thresholdMode: ThresholdMode
    /// The epochs after a reduction during which bad epochs are not counted.
    public let cooldown: Int
    /// The floor of the rate.
    public let minimumLearningRate: Float
    /// The best metric seen so far.
    public private(set) var best: Float
    private var badEpochs = 0
    private var cooldownRemaining = 0

    /// - Throws: `OptimizerError` for a factor outside [0, 1) or a negative patience, cooldown or threshold.
    public init(mode: Mode = .minimize, factor: Float = 0.1, patience: Int = 10, threshold: Float = 1e-4,
                thresholdMode: ThresholdMode = .relative, cooldown: Int = 0, minimumLearningRate: Float = 0) throws {
        try OptimizerError.check("factor", factor, "in [0, 1)", factor >= 0 && factor < 1)
        try OptimizerError.check("patience", Float(patience), ">= 0", patience >= 0)
        try OptimizerError.check("threshold", threshold, ">= 0", threshold >= 0)
        try OptimizerError.check("cooldown", Float(cooldown), ">= 0", cooldown >= 0)
        self.mode = mode
        self.factor = factor
        self.patience = patience
        self.threshold = threshold
        self.thresholdMode = thresholdMode
        self.cooldown = cooldown
        self.minimumLearningRate = minimumLearningRate
        best = mode == .minimize ? .infinity : -.infinity
    }

    /// Records the epoch's `metric` and lowers `optimizer`'s learning rate when it has plateaued.
    /// Returns whether the rate was lowered.
    @discardableResult
    public func step(metric: Float, optimizer: Optimizer) -> Bool {
        if isImprovement(metric) {
            best = metric
            badEpochs = 0
        } else {
            badEpochs += 1
        }
        if cooldownRemaining > 0 {
            cooldownRemaining -= 1
            badEpochs = 0
        }
        guard badEpochs > patience else { return false }
        cooldownRemaining = cooldown
        badEpochs = 0
        let reduced = Swift.max(optimizer.learningRate * factor, minimumLearningRate)
        guard optimizer.learningRate - reduced > 1e-8 else { return false }
        optimizer.learningRate = reduced
        return true
    }

    private func isImprovement(_ metric: Float) -> Bool {
        switch (mode, thresholdMode) {
        case (.minimize, .relative): return metric < best * (1 - threshold)
        case (.minimize, .absolute): return metric < best - threshold
        case (.maximize, .relative): return metric > best * (1 + threshold)
        case (.maximize, .absolute): return metric > best + threshold
        }
    }
}
