import Foundation

/// The scores of a K-fold cross-validation (`metrics.json` of a cross-validation folder): every
/// fold's test scores, their mean and standard deviation, and the scores of the pooled
/// out-of-fold predictions (every image scored once, by the one fold model that did not see it).
///
/// The standard deviation is the sample one (divisor K − 1): the spread of a fold's score.
public struct CrossValidationMetrics: Codable, Equatable, Sendable {
    public let foldCount: Int
    /// Each fold's test scores, fold 1 first.
    public let folds: [ClassificationMetrics]
    /// Score name (`accuracy`, `macro_f1`, ...) → mean over the folds.
    public let mean: [String: Double]
    /// Score name → sample standard deviation over the folds.
    public let standardDeviation: [String: Double]
    /// The scores of all out-of-fold predictions together; its confusion matrix is the sum of the folds'.
    public let pooled: ClassificationMetrics

    /// Summarizes `folds` (at least two) and the pooled predictions.
    public init(folds: [ClassificationMetrics], pooled: ClassificationMetrics) {
        foldCount = folds.count
        self.folds = folds
        self.pooled = pooled
        var mean: [String: Double] = [:], deviation: [String: Double] = [:]
        for name in Self.scoreNames {
            let values = folds.compactMap { Self.score(name, of: $0) }
            guard values.count == folds.count, values.count >= 2 else { continue }
            let average = values.reduce(0, +) / Double(values.count)
            mean[name] = average
            deviation[name] = (values.map { ($0 - average) * ($0 - average) }.reduce(0, +) / Double(values.count - 1)).squareRoot()
        }
        self.mean = mean
        standardDeviation = deviation
    }

    /// The scores summarized over folds, in report order.
    public static let scoreNames = ["accuracy", "macro_f1", "weighted_f1", "cohen_kappa", "macro_roc_auc", "total_cost",
                                    "average_cost", "cost_sensitive_accuracy", "sensitivity", "specificity"]

    /// The score `name` of `metrics`, or nil when it is undefined (an ROC AUC without both kinds of
    /// images, sensitivity for more than two classes).
    public static func score(_ name: String, of metrics: ClassificationMetrics) -> Double? {
        switch name {
        case "accuracy": return metrics.accuracy
        case "macro_f1": return metrics.macroF1
        case "weighted_f1": return metrics.weightedF1
        case "cohen_kappa": return metrics.cohenKappa
        case "macro_roc_auc": return metrics.macroRocAUC
        case "total_cost": return metrics.totalCost
        case "average_cost": return metrics.averageCost
        case "cost_sensitive_accuracy": return metrics.costSensitiveAccuracy
        case "sensitivity": return metrics.sensitivity
        case "specificity": return metrics.specificity
        default: return nil
        }
    }

    /// "0.9871 ± 0.0042" for `name`, or nil when a fold lacks it.
    public func meanAndDeviation(_ name: String, digits: Int = 4) -> String? {
        guard let mean = mean[name], let deviation = standardDeviation[name] else { return nil }
        return String(format: "%.\(digits)f ± %.\(digits)f", mean, deviation)
    }

    /// The report: the per-fold table with mean ± sd and the pooled value of every score, then the
    /// pooled predictions' full report (confusion matrix, per-class scores, costs).
    public func markdown(title: String, details: [(String, String)]) -> String {
        var lines = ["# \(title)", ""]
        if !details.isEmpty {
            lines += MetricsReport.table(header: ["Item", "Value"], rows: details.map { [$0.0, $0.1] }) + [""]
        }
        lines += ["## Scores per fold", "",
                  "Mean ± sample standard deviation over the \(foldCount) folds; pooled: all out-of-fold predictions scored together.", ""]
        let names = Self.scoreNames.filter { mean[$0] != nil }
        lines += MetricsReport.table(
            header: ["Score", "Mean ± sd"] + (1...foldCount).map { "Fold \($0)" } + ["Pooled"],
            rows: names.map { name in
                let digits = name.hasSuffix("cost") && name != "average_cost" ? 1 : 4
                return [name, meanAndDeviation(name, digits: digits) ?? "–"]
                    + folds.map { Self.score(name, of: $0).map { String(format: "%.\(digits)f", $0) } ?? "–" }
                    + [Self.score(name, of: pooled).map { String(format: "%.\(digits)f", $0) } ?? "–"]
            }) + [""]
        lines += ["Images tested per fold: " + folds.map { "\($0.sampleCount)" }.joined(separator: ", "), ""]
        let pooledReport = MetricsReport.markdown(title: "Pooled out-of-fold predictions", metrics: pooled, details: [])
        lines += pooledReport.split(separator: "\n", omittingEmptySubsequences: false).map { $0.hasPrefix("#") ? "#" + $0 : String($0) }
        return lines.joined(separator: "\n")
    }

    enum CodingKeys: String, CodingKey {
        case foldCount = "fold_count", folds, mean, standardDeviation = "standard_deviation", pooled
    }
}
