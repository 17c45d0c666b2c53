import Foundation

/// Scores of a classifier on labelled images, including misclassification cost.
///
/// Conventions (no NaN ever appears):
/// - precision is 0 for a class never predicted, recall 0 for a class with no images, F1 0 when
///   precision + recall = 0;
/// - `macroF1` averages F1 over the classes that occur among true or predicted labels;
///   `weightedF1` weighs each class's F1 by its support;
/// - Cohen's kappa is 0 when chance agreement is 1 (a single class everywhere);
/// - ROC AUC is one-vs-rest from the class's probability column, rank-based (Mann–Whitney, ties
///   count one half); nil for a class without positives or without negatives; `macroRocAUC`
///   averages the defined ones (nil if none);
/// - `costSensitiveAccuracy = 1 − totalCost / (ΣC · n / k)`, the denominator being the expected
///   cost of predicting uniformly at random over balanced classes; 1 when every cost is 0;
/// - for two classes only (k = 2; nil otherwise): `positiveClass` is index 1 unless chosen
///   (scikit-learn's `pos_label=1`); `sensitivity` is the positive class's recall TP / (TP + FN)
///   and `specificity` the other class's recall TN / (TN + FP), each 0 when its class has no
///   images (as recall); `positiveRocAUC` is the ROC AUC of the positive class's probability
///   column, nil when undefined.
///
/// JSON keys are snake_case: `accuracy`, `confusion_matrix`, `per_class`, `macro_f1`, ...; the
/// binary ones (`positive_class`, `sensitivity`, `specificity`, `positive_roc_auc`) are written
/// for two classes only, and files without them decode with nil.
public struct ClassificationMetrics: Codable, Equatable, Sendable {
    /// Precision, recall, F1 and support of one class.
    public struct PerClass: Codable, Equatable, Sendable {
        public let name: String
        public let precision: Double
        public let recall: Double
        public let f1: Double
        /// The number of images of the class.
        public let support: Int

        private enum CodingKeys: String, CodingKey {
            case name = "class", precision, recall, f1, support
        }
    }

    public let classNames: [String]
    public let sampleCount: Int
    public let accuracy: Double
    /// `confusionMatrix[i][j]`: images of class i predicted as class j.
    public let confusionMatrix: [[Int]]
    public let perClass: [PerClass]
    public let macroF1: Double
    public let weightedF1: Double
    public let cohenKappa: Double
    /// One-vs-rest ROC AUC per class (nil when undefined).
    public let rocAUC: [Double?]
    public let macroRocAUC: Double?
    public let costMatrix: [[Double]]
    /// `Σ_ij n_ij · C_ij`.
    public let totalCost: Double
    /// `totalCost / n`.
    public let averageCost: Double
    public let costSensitiveAccuracy: Double
    /// The index of the positive class of a two-class set; nil for k ≠ 2.
    public let positiveClass: Int?
    /// Recall of the positive class (k = 2 only).
    public let sensitivity: Double?
    /// Recall of the negative class (k = 2 only).
    public let specificity: Double?
    /// ROC AUC of the positive class's probability (k = 2 only; nil when undefined).
    public let positiveRocAUC: Double?

    /// Computes every score.
    /// - Parameters:
    ///   - trueLabels: class index of each image.
    ///   - predictedLabels: predicted class index of each image.
    ///   - probabilities: per image, one probability (or score) per class; used for ROC AUC.
    ///   - classNames: names in class-index order; their count k fixes the class count.
    ///   - cost: a k×k cost matrix.
    ///   - positiveClass: for k = 2, the index of the positive class (nil: 1); must be nil otherwise.
    /// - Throws: `MetricsError` for empty input, mismatched lengths, labels outside 0..<k,
    ///   probability rows of the wrong length or non-finite, a cost matrix of another size, or a
    ///   positive class outside 0..<2 or given for k ≠ 2.
    public init(trueLabels: [Int], predictedLabels: [Int], probabilities: [[Double]],
                classNames: [String], cost: CostMatrix, positiveClass: Int? = nil) throws {
        let n = trueLabels.count, k = classNames.count
        guard n > 0 else { throw MetricsError.empty }
        guard predictedLabels.count == n else {
            throw MetricsError.countMismatch(what: "predicted labels", found: predictedLabels.count, expected: n)
        }
        guard probabilities.count == n else {
            throw MetricsError.countMismatch(what: "probability rows", found: probabilities.count, expected: n)
        }
        guard cost.classCount == k else {
            throw MetricsError.countMismatch(what: "cost matrix classes", found: cost.classCount, expected: k)
        }
        let positive = k == 2 ? positiveClass ?? 1 : nil
        if let chosen = positiveClass, positive == nil || !(0..<2).contains(chosen) {
            throw MetricsError.positiveClass(chosen, classCount: k)
        }
        for (index, label) in zip(trueLabels, predictedLabels).enumerated() {
            for value in [label.0, label.1] where !(0..<k).contains(value) {
                throw MetricsError.labelOutOfRange(sample: index, label: value, classCount: k)
            }
        }
        for (index, row) in probabilities.enumerated() {
            guard row.count == k else { throw MetricsError.probabilityRow(sample: index, found: row.count, expected: k) }
            guard row.allSatisfy(\.isFinite) else { throw MetricsError.nonFiniteProbability(sample: index) }
        }

        var confusion = [[Int]](repeating: [Int](repeating: 0, count: k), count: k)
        for (actual, predicted) in zip(trueLabels, predictedLabels) { confusion[actual][predicted] += 1 }
        let support = confusion.map { $0.reduce(0, +) }
        let predictedCounts = (0..<k).map { column in confusion.reduce(0) { $0 + $1[column] } }
        let correct = (0..<k).reduce(0) { $0 + confusion[$1][$1] }

        let scores = (0..<k).map { c in
            let precision = predictedCounts[c] > 0 ? Double(confusion[c][c]) / Double(predictedCounts[c]) : 0
            let recall = support[c] > 0 ? Double(confusion[c][c]) / Double(support[c]) : 0
            let f1 = precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0
            return PerClass(name: classNames[c], precision: precision, recall: recall, f1: f1, support: support[c])
        }
        let occurring = (0..<k).filter { support[$0] > 0 || predictedCounts[$0] > 0 }
        macroF1 = occurring.reduce(0) { $0 + scores[$1].f1 } / Double(occurring.count)
        weightedF1 = scores.reduce(0) { $0 + $1.f1 * Double($1.support) } / Double(n)
        perClass = scores

        let observed = Double(correct) / Double(n)
        let chance = (0..<k).reduce(0) { $0 + Double(support[$1]) * Double(predictedCounts[$1]) } / Double(n * n)
        cohenKappa = chance < 1 ? (observed - chance) / (1 - chance) : 0

        var aucs: [Double?] = []
        for c in 0..<k {
            aucs.append(Self.rocAUC(scores: probabilities.map { $0[c] }, positives: trueLabels.map { $0 == c }))
        }
        let defined = aucs.compactMap { $0 }
        macroRocAUC = defined.isEmpty ? nil : defined.reduce(0, +) / Double(defined.count)
        rocAUC = aucs

        var total = 0.0
        for i in 0..<k { for j in 0..<k { total += Double(confusion[i][j]) * cost.values[i][j] } }
        let costSum = cost.values.reduce(0) { $0 + $1.reduce(0, +) }
        let chanceCost = costSum * Double(n) / Double(k)

        self.classNames = classNames
        sampleCount = n
        accuracy = observed
        confusionMatrix = confusion
        costMatrix = cost.values
        totalCost = total
        averageCost = total / Double(n)
        costSensitiveAccuracy = chanceCost > 0 ? 1 - total / chanceCost : 1

        self.positiveClass = positive
        sensitivity = positive.map { scores[$0].recall }
        specificity = positive.map { scores[1 - $0].recall }
        positiveRocAUC = positive.flatMap { aucs[$0] }
    }

    private enum CodingKeys: String, CodingKey {
        case classNames = "class_names", sampleCount = "sample_count", accuracy
        case confusionMatrix = "confusion_matrix", perClass = "per_class"
        case macroF1 = "macro_f1", weightedF1 = "weighted_f1", cohenKappa = "cohen_kappa"
        case rocAUC = "roc_auc", macroRocAUC = "macro_roc_auc", costMatrix = "cost_matrix"
        case totalCost = "total_cost", averageCost = "average_cost"
        case costSensitiveAccuracy = "cost_sensitive_accuracy"
        case positiveClass = "positive_class", sensitivity, specificity, positiveRocAUC = "positive_roc_auc"
    }

    /// Encodes every key, writing `null` for an undefined macro ROC AUC instead of omitting it; the
    /// binary keys only for two classes (`positive_roc_auc` then `null` when undefined).
    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(classNames, forKey: .classNames)
        try container.encode(sampleCount, forKey: .sampleCount)
        try container.encode(accuracy, forKey: .accuracy)
        try container.encode(confusionMatrix, forKey: .confusionMatrix)
        try container.encode(perClass, forKey: .perClass)
        try container.encode(macroF1, forKey: .macroF1)
        try container.encode(weightedF1, forKey: .weightedF1)
        try container.encode(cohenKappa, forKey: .cohenKappa)
        try container.encode(rocAUC, forKey: .rocAUC)
        try container.encode(macroRocAUC, forKey: .macroRocAUC)
        try container.encode(costMatrix, forKey: .costMatrix)
        try container.encode(totalCost, forKey: .totalCost)
        try container.encode(averageCost, forKey: .averageCost)
        try container.encode(costSensitiveAccuracy, forKey: .costSensitiveAccuracy)
        if let positiveClass {
            try container.encode(positiveClass, forKey: .positiveClass)
            try container.encode(sensitivity, forKey: .sensitivity)
            try container.encode(specificity, forKey: .specificity)
            try container.encode(positiveRocAUC, forKey: .positiveRocAUC)
        }
    }
}
