import Foundation

/// A grid search over the C and RBF gamma of `SVMClassifier`, scored on a validation set.
///
/// Every grid point is trained without probability estimates (libsvm then draws no random
/// numbers, so points train in parallel on all cores) and scored by the accuracy of libsvm's
/// one-vs-one vote on the validation rows. The points that tie for the best accuracy are then
/// retrained one after another with seeded Platt-scaled probabilities, and the one with the
/// lowest validation log loss wins (earlier grid order, i.e. smaller C then smaller gamma, on
/// an exact tie). The returned model is that probability model.
public struct SVMHyperparameterSearch: Sendable {
    /// The score of one grid point.
    public struct SearchResult: Codable, Sendable, Equatable {
        public let c: Double
        public let gamma: Double
        /// Validation accuracy of the one-vs-one vote of the model trained without probabilities.
        public let validationAccuracy: Double
        /// Validation log loss of the probability model, computed only for points tied at the best accuracy.
        public let validationLogLoss: Double?
    }

    /// The C values to try.
    public var cValues: [Double]
    /// The gammas to try, as multiples of the "scale" gamma `1 / (features · variance of all training values)`.
    public var gammaFactors: [Double]

    /// A grid of C in {0.1, 1, 10, 100, 1000} and gamma in {1/27, 1/9, 1/3, 1, 3} times the scale gamma.
    public init(cValues: [Double] = [0.1, 1, 10, 100, 1000],
                gammaFactors: [Double] = [1.0 / 27, 1.0 / 9, 1.0 / 3, 1, 3]) {
        self.cValues = cValues
        self.gammaFactors = gammaFactors
    }

    /// scikit-learn's "scale" gamma, `1 / (columnCount · variance of all values)` (1 / columnCount for constant data).
    public static func scaleGamma(for features: FeatureMatrix) -> Double {
        let count = Double(features.values.count)
        guard count > 0 else { return 1 }
        let mean = features.values.reduce(0.0) { $0 + Double($1) } / count
        let variance = features.values.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / count
        return 1 / (Double(features.columnCount) * (variance > 0 ? variance : 1))
    }

    /// Runs the search with the default grid.
    public static func select(train: (features: FeatureMatrix, labels: [Int]),
                              validation: (features: FeatureMatrix, labels: [Int]),
                              classCount: Int, classWeights: [Double], seed: UInt64) throws
        -> (model: SVMClassifier, c: Double, gamma: Double, table: [SearchResult]) {
        try SVMHyperparameterSearch().select(train: train, validation: validation, classCount: classCount,
                                             classWeights: classWeights, seed: seed)
    }

    /// Trains every grid point on `train`, picks the best on `validation` (see the type's description)
    /// and returns its probability model, its C and gamma, and the score of every point in grid order.
    public func select(train: (features: FeatureMatrix, labels: [Int]),
                       validation: (features: FeatureMatrix, labels: [Int]),
                       classCount: Int, classWeights: [Double], seed: UInt64) throws
        -> (model: SVMClassifier, c: Double, gamma: Double, table: [SearchResult]) {
        guard !cValues.isEmpty, !gammaFactors.isEmpty else {
            throw ClassicMLError.invalidHyperparameter(name: "search grid", value: "C \(cValues) x gamma factors \(gammaFactors)")
        }
        let problem = try SVMTrainingProblem(features: train.features, labels: train.labels,
                                             classCount: classCount, classWeights: classWeights)
        try validateEvaluationInput(features: validation.features, labels: validation.labels,
                                    classCount: classCount, columnCount: train.features.columnCount)
        let validationRows = LibSVMDenseRows(validation.features)
        let scale = Self.scaleGamma(for: train.features)
        let grid = cValues.flatMap { c in gammaFactors.map { (c: c, gamma: $0 * scale) } }

        var outcomes = [Result<Double, Error>?](repeating: nil, count: grid.count)
        outcomes.withUnsafeMutableBufferPointer { outcomes in
            DispatchQueue.concurrentPerform(iterations: grid.count) { index in
                outcomes[index] = Result {
                    try problem.withTrainedModel(c: grid[index].c, gamma: grid[index].gamma, probabilitySeed: nil) {
                        SVMTrainingProblem.votedAccuracy(of: $0, on: validationRows, labels: validation.labels)
                    }
                }
            }
        }
        let accuracies = try outcomes.map { try $0?.get() ?? 0 }
        let bestAccuracy = accuracies.max() ?? 0

        var best: (index: Int, model: SVMClassifier, logLoss: Double)?
        var logLosses = [Double?](repeating: nil, count: grid.count)
        for index in grid.indices where accuracies[index] == bestAccuracy {
            let model = try SVMClassifier.train(problem: problem, c: grid[index].c, gamma: grid[index].gamma, seed: seed)
            let logLoss = try model.probabilities(for: validation.features).logLoss(labels: validation.labels)
            logLosses[index] = logLoss
            if logLoss < best?.logLoss ?? .infinity { best = (index, model, logLoss) }
        }
        guard let winner = best else {
            throw ClassicMLError.invalidHyperparameter(name: "search grid", value: "no grid point could be scored")
        }
        let table = grid.indices.map {
            SearchResult(c: grid[$0].c, gamma: grid[$0].gamma, validationAccuracy: accuracies[$0],
                         validationLogLoss: logLosses[$0])
        }
        return (winner.model, grid[winner.index].c, grid[winner.index].gamma, table)
    }
}
