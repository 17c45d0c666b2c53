import Randomness

/// The nonparametric bootstrap over test images (Efron & Tibshirani 1993, *An Introduction to
/// the Bootstrap*, ch. 6 and 13): each resample draws n image indices uniformly with replacement
/// from 0..<n with a `SeededGenerator`, and the statistic is any closure over an index array (so
/// accuracy, macro F1, kappa, total cost, ECE... all get an interval). The percentile interval at
/// level L is the (1 − L)/2 and (1 + L)/2 quantiles of the resampled statistics (Hyndman & Fan
/// type 7: linear interpolation between order statistics, as R's and NumPy's defaults).
///
/// The paired bootstrap compares two models scored on the same images: both statistics are
/// computed on the same resampled indices, and the interval is that of their difference A − B.
public enum Bootstrap {
    /// The default number of resamples.
    public static let defaultResampleCount = 2_000

    /// The statistic on each of `resamples` resamples of `sampleCount` images, in drawing order.
    /// Equal seeds give equal values.
    /// - Precondition: `sampleCount > 0`.
    public static func replicates(sampleCount: Int, resamples: Int = defaultResampleCount, seed: UInt64,
                                  statistic: ([Int]) throws -> Double) rethrows -> [Double] {
        precondition(sampleCount > 0, "a bootstrap needs at least one image")
        var generator = SeededGenerator(seed: seed)
        var indices = [Int](repeating: 0, count: sampleCount)
        var values: [Double] = []
        values.reserveCapacity(resamples)
        for _ in 0..<resamples {
            for position in 0..<sampleCount { indices[position] = Int.random(in: 0..<sampleCount, using: &generator) }
            values.append(try statistic(indices))
        }
        return values
    }

    /// The percentile interval of `statistic` over `sampleCount` images.
    /// - Parameters:
    ///   - level: the confidence level, in (0, 1).
    ///   - resamples: at least 1.
    ///   - statistic: the statistic of the images at the given indices (with repetitions).
    /// - Throws: `MetricsError` for no images, a level outside (0, 1), no resamples, or a statistic
    ///   that is not finite on the full sample or on every resample; errors of `statistic`.
    public static func percentileInterval(sampleCount: Int, level: Double = 0.95, resamples: Int = defaultResampleCount,
                                          seed: UInt64, statistic: ([Int]) throws -> Double) throws -> ConfidenceInterval {
        guard sampleCount > 0 else { throw MetricsError.empty }
        try MetricsError.checkOpenUnitInterval(level, name: "confidence level")
        guard resamples >= 1 else {
            throw MetricsError.parameterOutOfRange(name: "resample count", value: Double(resamples), expected: "at least 1")
        }
        let estimate = try statistic(Array(0..<sampleCount))
        guard estimate.isFinite else { throw MetricsError.undefinedStatistic(where: "on the full sample") }
        let values = try replicates(sampleCount: sampleCount, resamples: resamples, seed: seed, statistic: statistic)
            .filter(\.isFinite).sorted()
        guard !values.isEmpty else { throw MetricsError.undefinedStatistic(where: "on any bootstrap resample") }
        return ConfidenceInterval(estimate: estimate, lower: quantile(sorted: values, (1 - level) / 2),
                                  upper: quantile(sorted: values, (1 + level) / 2), level: level, resamples: resamples,
                                  undefinedResamples: resamples - values.count, seed: seed)
    }

    /// The paired percentile interval of `first(indices) − second(indices)`, both statistics of
    /// two models on the same images (total cost of A − total cost of B, say). An interval
    /// excluding 0 says the difference is unlikely to be resampling noise at that level.
    /// - Throws: as `percentileInterval`.
    public static func pairedDifference(sampleCount: Int, level: Double = 0.95, resamples: Int = defaultResampleCount,
                                        seed: UInt64, first: ([Int]) throws -> Double,
                                        second: ([Int]) throws -> Double) throws -> ConfidenceInterval {
        try percentileInterval(sampleCount: sampleCount, level: level, resamples: resamples, seed: seed) { indices in
            try first(indices) - second(indices)
        }
    }

    /// The type-7 quantile at `probability` of ascending, non-empty `values`:
    /// `v[⌊h⌋] + (h − ⌊h⌋)(v[⌊h⌋ + 1] − v[⌊h⌋])` with `h = (m − 1) · probability`.
    package static func quantile(sorted values: [Double], _ probability: Double) -> Double {
        let position = Double(values.count - 1) * probability
        let below = Int(position.rounded(.down))
        guard below + 1 < values.count else { return values[values.count - 1] }
        return values[below] + (position - Double(below)) * (values[below + 1] - values[below])
    }
}
