import Foundation
import Evaluation

/// A model against the best one on the same images: McNemar's exact test of their decisions and
/// the paired-bootstrap interval of the difference in total cost (model − best).
///
/// JSON keys: `model`, `best`, `mcnemar` (`only_first_correct`: images only the model gets right,
/// `only_second_correct`: only the best, `p_value`), `total_cost_difference` (a confidence interval).
public struct PairedComparison: Codable, Equatable, Sendable {
    public var model: String
    public var best: String
    public var mcnemar: McNemarTest
    public var totalCostDifference: ConfidenceInterval

    enum CodingKeys: String, CodingKey {
        case model, best, mcnemar, totalCostDifference = "total_cost_difference"
    }
}

/// The comparison's statistics, all from the models' per-image probabilities.
enum ComparisonStatistics {
    /// The scores that get a bootstrap interval, in table order (keys of `comparison.json`'s `intervals`).
    static let intervalNames = ["accuracy", "macro_f1", "cohen_kappa", "macro_roc_auc", "total_cost", "average_cost",
                                "cost_sensitive_accuracy", "ece", "brier"]

    /// The score `name` of one set of metrics and calibration; nil when undefined.
    static func value(_ name: String, metrics: ClassificationMetrics, calibration: Calibration) -> Double? {
        switch name {
        case "ece": return calibration.expectedCalibrationError
        case "brier": return calibration.brierScore
        default: return CrossValidationMetrics.score(name, of: metrics)
        }
    }

    /// Percentile intervals of every score of `intervalNames` over `resamples` bootstrap resamples
    /// of the model's images (`Bootstrap.replicates` with `seed`: every model gets the same
    /// resampled images). Scores undefined on the full sample (a macro ROC AUC without a defined
    /// class) get none.
    static func intervals(of model: ScoredModel, cost: CostMatrix, resamples: Int, level: Double,
                          seed: UInt64) throws -> [String: ConfidenceInterval] {
        let labels = model.scored.labels, probabilities = model.scored.probabilities
        let classNames = model.scored.classNames, positive = model.configuration.classes.positiveClass
        var values: [String: [Double]] = Dictionary(uniqueKeysWithValues: intervalNames.map { ($0, []) })
        _ = try Bootstrap.replicates(sampleCount: labels.count, resamples: resamples, seed: seed) { indices in
            let sampleLabels = indices.map { labels[$0] }, sampleProbabilities = indices.map { probabilities[$0] }
            let metrics = try ClassificationMetrics(trueLabels: sampleLabels, probabilities: sampleProbabilities,
                                                    classNames: classNames, cost: cost, positiveClass: positive)
            let calibration = try Calibration(probabilities: sampleProbabilities, labels: sampleLabels)
            for name in intervalNames {
                values[name]!.append(value(name, metrics: metrics, calibration: calibration) ?? .nan)
            }
            return 0
        }
        var intervals: [String: ConfidenceInterval] = [:]
        for name in intervalNames {
            guard let estimate = value(name, metrics: model.metrics, calibration: model.calibration), estimate.isFinite else { continue }
            let sorted = values[name]!.filter(\.isFinite).sorted()
            guard !sorted.isEmpty else { continue }
            intervals[name] = ConfidenceInterval(
                estimate: estimate, lower: Bootstrap.quantile(sorted: sorted, (1 - level) / 2),
                upper: Bootstrap.quantile(sorted: sorted, (1 + level) / 2), level: level, resamples: resamples,
                undefinedResamples: resamples - sorted.count, seed: seed)
        }
        return intervals
    }

    /// The index of the best model: the highest accuracy, ties broken by the lower total cost,
    /// then by the order given.
    static func best(_ models: [ScoredModel]) -> Int {
        models.indices.min { a, b in
            let (first, second) = (models[a].metrics, models[b].metrics)
            if first.accuracy != second.accuracy { return first.accuracy > second.accuracy }
            if first.totalCost != second.totalCost { return first.totalCost < second.totalCost }
            return a < b
        }!
    }

    /// `model` against `best` on their (aligned) images.
    static func paired(_ model: ScoredModel, against best: ScoredModel, cost: CostMatrix, resamples: Int, level: Double,
                       seed: UInt64) throws -> PairedComparison {
        let labels = model.scored.labels
        let modelCosts = zip(labels, model.predictions).map { cost.values[$0][$1] }
        let bestCosts = zip(labels, best.predictions).map { cost.values[$0][$1] }
        let difference = try Bootstrap.pairedDifference(
            sampleCount: labels.count, level: level, resamples: resamples, seed: seed,
            first: { indices in indices.reduce(0) { $0 + modelCosts[$1] } },
            second: { indices in indices.reduce(0) { $0 + bestCosts[$1] } })
        return PairedComparison(model: model.source.name, best: best.source.name,
                                mcnemar: try McNemarTest(labels: labels, firstPredictions: model.predictions,
                                                         secondPredictions: best.predictions),
                                totalCostDifference: difference)
    }
}
