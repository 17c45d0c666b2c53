import Foundation

/// A split-conformal classifier (Vovk, Gammerman & Shafer 2005; Angelopoulos & Bates 2021, "A
/// gentle introduction to conformal prediction and distribution-free uncertainty
/// quantification", §1–2): fitted on a calibration part (validation images the model did not
/// train on), it turns an image's class probabilities into a set of classes that contains the
/// true class with probability at least 1 − α, for test images exchangeable with the calibration
/// ones.
///
/// Fit: each calibration image's score s_i = s(x_i, y_i) (see `ConformalMethod`); the threshold
/// q̂ is the ⌈(n + 1)(1 − α)⌉-th smallest of the n scores, i.e. their empirical quantile at level
/// ⌈(n + 1)(1 − α)⌉ / n (the finite-sample correction). When ⌈(n + 1)(1 − α)⌉ > n (fewer than
/// 1/α − 1 calibration images) q̂ is +∞, stored as nil: every class is in every set.
/// For `.classConditional` this is done per class on that class's images.
///
/// Predict: the set `{c : s(x, c) ≤ q̂_c}` in increasing class order. A set is never empty: when
/// no class passes the threshold, the set is the arg-max alone (which only adds coverage).
///
/// Stored as JSON in a run folder: `alpha`, `method`, `thresholds` (one, or one per class for the
/// class-conditional method; `null` for +∞), `class_count`, `calibration_size` and, for the
/// class-conditional method, `class_calibration_sizes`.
public struct ConformalPredictor: Codable, Equatable, Sendable {
    /// The miscoverage level α in (0, 1): sets miss the true class at most this often.
    public let alpha: Double
    public let method: ConformalMethod
    /// The score thresholds q̂: one for all classes, or one per class (`.classConditional`);
    /// nil means +∞ (too few calibration images for the level).
    public let thresholds: [Double?]
    public let classCount: Int
    /// The number of calibration images.
    public let calibrationSize: Int
    /// The calibration images per class (`.classConditional` only).
    public let classCalibrationSizes: [Int]?

    /// Fits the thresholds on calibration `probabilities` (`[image][class]`) and `labels`.
    /// - Parameter alpha: the miscoverage level, in (0, 1); 0.05 asks for 95 % coverage.
    /// - Throws: `MetricsError` for empty or mismatched input, non-finite probabilities, labels
    ///   outside 0..<k, or α outside (0, 1).
    public init(calibrationProbabilities probabilities: [[Double]], labels: [Int], alpha: Double,
                method: ConformalMethod = .leastAmbiguous) throws {
        let k = try MetricsError.checkRows(probabilities, labels: labels)
        try MetricsError.checkOpenUnitInterval(alpha, name: "miscoverage level alpha")
        let trueScores = zip(probabilities, labels).map { row, label in method.scores(row)[label] }
        switch method {
        case .leastAmbiguous, .adaptive:
            thresholds = [Self.quantile(trueScores, alpha: alpha)]
            classCalibrationSizes = nil
        case .classConditional:
            let perClass = (0..<k).map { c in zip(trueScores, labels).filter { $0.1 == c }.map(\.0) }
            thresholds = perClass.map { Self.quantile($0, alpha: alpha) }
            classCalibrationSizes = perClass.map(\.count)
        }
        self.alpha = alpha
        self.method = method
        classCount = k
        calibrationSize = probabilities.count
    }

    /// The ⌈(n + 1)(1 − α)⌉-th smallest score, nil (+∞) when that rank exceeds n. The rank is
    /// computed with a 1e-9 allowance so that rounding in (n + 1)(1 − α) cannot raise it by one.
    package static func quantile(_ scores: [Double], alpha: Double) -> Double? {
        let rank = Int(((Double(scores.count) + 1) * (1 - alpha) - 1e-9).rounded(.up))
        guard rank <= scores.count else { return nil }
        return scores.sorted()[max(rank, 1) - 1]
    }

    /// The prediction set of one image, class indices in increasing order (never empty).
    /// - Precondition: `probabilities` has `classCount` entries.
    public func predictionSet(probabilities row: [Double]) -> [Int] {
        precondition(row.count == classCount, "expected \(classCount) class probabilities, found \(row.count)")
        let scores = method.scores(row)
        let members = (0..<classCount).filter { c in
            guard let threshold = thresholds.count == 1 ? thresholds[0] : thresholds[c] else { return true }
            return scores[c] <= threshold
        }
        return members.isEmpty ? [ClassificationMetrics.argMax(row)] : members
    }

    /// The prediction set of each image of `probabilities` (`[image][class]`).
    /// - Throws: `MetricsError` for no images, rows of another length than `classCount`, or
    ///   non-finite probabilities.
    public func predictionSets(probabilities: [[Double]]) throws -> [[Int]] {
        _ = try MetricsError.checkRows(probabilities, labels: nil, classCount: classCount)
        return probabilities.map(predictionSet)
    }

    private enum CodingKeys: String, CodingKey {
        case alpha, method, thresholds, classCount = "class_count", calibrationSize = "calibration_size"
        case classCalibrationSizes = "class_calibration_sizes"
    }
}
