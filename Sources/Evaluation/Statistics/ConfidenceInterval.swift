/// A statistic's value on the full sample with a bootstrap confidence interval.
///
/// JSON keys: `estimate`, `lower`, `upper`, `level`, `resamples`, `undefined_resamples`, `seed`.
public struct ConfidenceInterval: Codable, Equatable, Sendable {
    /// The statistic on the original images.
    public let estimate: Double
    public let lower: Double
    public let upper: Double
    /// The confidence level, 0.95 for a 95 % interval.
    public let level: Double
    /// The number of bootstrap resamples drawn.
    public let resamples: Int
    /// The resamples on which the statistic was not finite (an ROC AUC without positives, say),
    /// left out of the interval.
    public let undefinedResamples: Int
    /// The seed of the resampling.
    public let seed: UInt64

    public init(estimate: Double, lower: Double, upper: Double, level: Double, resamples: Int, undefinedResamples: Int,
                seed: UInt64) {
        self.estimate = estimate
        self.lower = lower
        self.upper = upper
        self.level = level
        self.resamples = resamples
        self.undefinedResamples = undefinedResamples
        self.seed = seed
    }

    private enum CodingKeys: String, CodingKey {
        case estimate, lower, upper, level, resamples, undefinedResamples = "undefined_resamples", seed
    }
}
