/// How well a classifier's probabilities match its accuracy on labelled images.
///
/// - Expected calibration error (Naeini, Cooper & Hauskrecht 2015; Guo et al. 2017, eq. 3):
///   the top-class confidence `max_c p_c` of each image is put in one of M equal-width bins
///   `((b − 1)/M, b/M]` (default M = 15, as Guo et al.), and
///   `ECE = Σ_b (n_b / n) · |acc(b) − conf(b)|`, acc being the fraction of the bin's images whose
///   arg-max (the first on ties) is the true class and conf their mean top-class confidence.
///   In [0, 1]; 0 for perfect calibration (up to sampling noise, which biases it upwards).
/// - Brier score (Brier 1950, the original multi-class form): the mean over images of
///   `Σ_c (p_c − y_c)²` with y the one-hot true label; in [0, 2], 0 for a certain correct
///   classifier and 2 for a certain wrong one. (scikit-learn's binary `brier_score_loss` scores
///   the positive column only, which is half of this for two classes.)
///
/// JSON keys: `sample_count`, `expected_calibration_error`, `brier_score`, `bins`.
public struct Calibration: Codable, Equatable, Sendable {
    /// Guo et al.'s bin count.
    public static let defaultBinCount = 15

    public let sampleCount: Int
    /// The reliability diagram: `binCount` bins from confidence 0 to 1, in order.
    public let bins: [CalibrationBin]
    public let expectedCalibrationError: Double
    public let brierScore: Double

    /// The calibration of `probabilities` (`[image][class]`, each row summing to 1) against `labels`.
    /// - Throws: `MetricsError` for empty or mismatched input, non-finite probabilities, labels
    ///   outside 0..<k, or fewer than one bin.
    public init(probabilities: [[Double]], labels: [Int], binCount: Int = defaultBinCount) throws {
        _ = try MetricsError.checkRows(probabilities, labels: labels)
        guard binCount >= 1 else {
            throw MetricsError.parameterOutOfRange(name: "bin count", value: Double(binCount), expected: "at least 1")
        }
        let n = probabilities.count
        var counts = [Int](repeating: 0, count: binCount)
        var confidenceSums = [Double](repeating: 0, count: binCount)
        var correctCounts = [Int](repeating: 0, count: binCount)
        var brierSum = 0.0
        for (row, label) in zip(probabilities, labels) {
            let predicted = ClassificationMetrics.argMax(row)
            let confidence = row[predicted]
            let bin = Self.binIndex(confidence: confidence, binCount: binCount)
            counts[bin] += 1
            confidenceSums[bin] += confidence
            if predicted == label { correctCounts[bin] += 1 }
            for (c, p) in row.enumerated() {
                let target: Double = c == label ? 1 : 0
                brierSum += (p - target) * (p - target)
            }
        }
        bins = (0..<binCount).map { b in
            let count = counts[b]
            return CalibrationBin(lowerEdge: Double(b) / Double(binCount), upperEdge: Double(b + 1) / Double(binCount),
                                  count: count,
                                  meanConfidence: count > 0 ? confidenceSums[b] / Double(count) : nil,
                                  accuracy: count > 0 ? Double(correctCounts[b]) / Double(count) : nil)
        }
        expectedCalibrationError = bins.reduce(0) { total, bin in
            guard let accuracy = bin.accuracy, let confidence = bin.meanConfidence else { return total }
            return total + Double(bin.count) / Double(n) * abs(accuracy - confidence)
        }
        brierScore = brierSum / Double(n)
        sampleCount = n
    }

    /// The bin b (0-based) with `b/M < confidence ≤ (b + 1)/M`; confidences at or below 0 go to the
    /// first bin and above 1 (rounding) to the last.
    static func binIndex(confidence: Double, binCount: Int) -> Int {
        let scaled = (confidence * Double(binCount)).rounded(.up)
        guard scaled.isFinite else { return binCount - 1 }
        return min(binCount - 1, max(0, Int(scaled) - 1))
    }

    public var binCount: Int { bins.count }

    private enum CodingKeys: String, CodingKey {
        case sampleCount = "sample_count", bins, expectedCalibrationError = "expected_calibration_error"
        case brierScore = "brier_score"
    }
}
