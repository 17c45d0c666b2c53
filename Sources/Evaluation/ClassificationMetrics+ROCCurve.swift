extension ClassificationMetrics {
    /// The ROC curve of `scores` for separating `positives` from the rest: (false positive rate,
    /// true positive rate) from (0, 0) to (1, 1), one point per distinct score taken as the
    /// threshold (highest first), so that tied scores make one diagonal step, as scikit-learn's
    /// `roc_curve(drop_intermediate=False)`. Its trapezoidal area is `rocAUC(scores:positives:)`.
    /// Empty when there are no positives or no negatives; `scores` and `positives` have equal length.
    public static func rocCurve(scores: [Double], positives: [Bool]) -> [(fpr: Double, tpr: Double)] {
        let positiveCount = positives.reduce(0) { $0 + ($1 ? 1 : 0) }
        let negativeCount = min(scores.count, positives.count) - positiveCount
        guard positiveCount > 0, negativeCount > 0 else { return [] }
        let order = zip(scores, positives).sorted { $0.0 > $1.0 }
        var points: [(fpr: Double, tpr: Double)] = [(0, 0)]
        var truePositives = 0, falsePositives = 0, index = 0
        while index < order.count {
            let threshold = order[index].0
            while index < order.count, order[index].0 == threshold {
                if order[index].1 { truePositives += 1 } else { falsePositives += 1 }
                index += 1
            }
            points.append((Double(falsePositives) / Double(negativeCount), Double(truePositives) / Double(positiveCount)))
        }
        return points
    }
}
