import Foundation

/// A grid search over the C and RBF gamma of `SVMClassifier`, scored on a validation set.
///
/// Stage 1 (screen): every grid point is trained without probability estimates (libsvm then
/// draws no random numbers, so points train in parallel on all cores) and scored by the
/// accuracy of libsvm's one-vs-one vote on the validation rows.
///
/// Stage 2 (refit): the `refitCount` best-screened points (plus any tied with the last of them)
/// are retrained one after another with seeded Platt-scaled probabilities, exactly as
/// `SVMClassifier.train` would, and scored by the validation accuracy of their most probable
/// class. The most accurate wins, ties broken by lower validation log loss, then by grid order
/// (smaller C, then smaller gamma). The returned model is that probability model.
///
/// The refit stage exists because the vote and the probabilities can disagree: a very small C
/// can win the vote while its probabilities stay close to uniform (log loss near log k).
public struct SVMHyperparameterSearch: Sendable {
    /// The scores of one grid point.
    public struct SearchResult: Codable, Sendable, Equatable {
        public let c: Double
        public let gamma: Double
        /// Validation accuracy of the one-vs-one vote of the model trained without probabilities.
        public let voteAccuracy: Double
        /// Validation accuracy of the probability model's most probable class (refit points only).
        public let validationAccuracy: Double?
        /// Validation log loss of the probability model (refit points only).
        public let validationLogLoss: Double?

        enum CodingKeys: String, CodingKey {
            case c, gamma, voteAccuracy = "vote_accuracy", validationAccuracy = "validation_accuracy"
            case validationLogLoss = "validation_log_loss"
        }
    }

    /// The C values to try.
    public var cValues: [Double]
    /// The gammas to try, as multiples of the "scale" gamma `1 / (features · variance of all training values)`.
    public var gammaFactors: [Double]
    /// How many of the best-screened points are refit with probabilities (at least 1).
    public var refitCount: Int

    /// A grid of C in {0.1, 1, 10, 100, 1000} and gamma in {1/27, 1/9, 1/3, 1, 3} times the scale gamma,
    /// refitting the 3 best-screened points.
    public init(cValues: [Double] = [0.1, 1, 10, 100, 1000],
                gammaFactors: [Double] = [1.0 / 27, 1.0 / 9, 1.0 / 3, 1, 3],
                refitCount: Int = 3) {
        self.cValues = cValues
        self.gammaFactors = gammaFactors
        self.refitCount = refitCount
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

    /// Trains the grid on `train`, picks the best point on `validation` (see the type's description)
    /// and returns its probability model, its C and gamma, and the scores of every point in grid
    /// order (C-major).
    public func select(train: (features: FeatureMatrix, labels: [Int]),
                       validation: (features: FeatureMatrix, labels: [Int]),
                       classCount: Int, classWeights: [Double], seed: UInt64) throws
        -> (model: SVMClassifier, c: Double, gamma: Double, table: [SearchResult]) {
        guard !cValues.isEmpty, !gammaFactors.isEmpty, refitCount >= 1 else {
            throw ClassicMLError.invalidHyperparameter(
                name: "search grid", value: "C \(cValues) x gamma factors \(gammaFactors), refit \(refitCount)")
        }
        let problem = try SVMTrainingProblem(features: train.features, labels: train.labels,
                                             classCount: classCount, classWeights: classWeights)
        try validateEvaluationInput(features: validation.features, labels: validation.labels,
                                    classCount: classCount, columnCount: train.features.columnCount)
        let scale = Self.scaleGamma(for: train.features)
        let grid = cValues.flatMap { c in gammaFactors.map { (c: c, gamma: $0 * scale) } }

        let voteAccuracies = try screen(grid, problem: problem, validation: validation)
        var refits = [(accuracy: Double, logLoss: Double)?](repeating: nil, count: grid.count)
        var best: (index: Int, model: SVMClassifier, accuracy: Double, logLoss: Double)?
        for index in refitCandidates(voteAccuracies) {
            let model = try SVMClassifier.train(problem: problem, c: grid[index].c, gamma: grid[index].gamma, seed: seed)
            let probabilities = try model.probabilities(for: validation.features)
            let accuracy = try probabilities.accuracy(labels: validation.labels)
            let logLoss = try probabilities.logLoss(labels: validation.labels)
            refits[index] = (accuracy, logLoss)
            // Candidates come in grid order, so keeping the incumbent on a full tie prefers the earlier point.
            if let incumbent = best,
               incumbent.accuracy > accuracy || (incumbent.accuracy == accuracy && incumbent.logLoss <= logLoss) {
                continue
            }
            best = (index, model, accuracy, logLoss)
        }
        guard let winner = best else {
            throw ClassicMLError.invalidHyperparameter(name: "search grid", value: "no grid point could be refit")
        }
        let table = grid.indices.map {
            SearchResult(c: grid[$0].c, gamma: grid[$0].gamma, voteAccuracy: voteAccuracies[$0],
                         validationAccuracy: refits[$0]?.accuracy, validationLogLoss: refits[$0]?.logLoss)
        }
        return (winner.model, grid[winner.index].c, grid[winner.index].gamma, table)
    }

    /// Stage 1: the vote accuracy on `validation` of every grid point, trained in parallel without probabilities.
    private func screen(_ grid: [(c: Double, gamma: Double)], problem: SVMTrainingProblem,
                        validation: (features: FeatureMatrix, labels: [Int])) throws -> [Double] {
        let validationRows = LibSVMDenseRows(validation.features)
        var outcomes = [Result<Double, Error>](repeating: .success(0), count: grid.count)
        outcomes.withUnsafeMutableBufferPointer { outcomes in
            DispatchQueue.concurrentPerform(iterations: grid.count) { index in
                outcomes[index] = Result {
                    try problem.withTrainedModel(c: grid[index].c, gamma: grid[index].gamma, probabilitySeed: nil) {
                        SVMTrainingProblem.votedAccuracy(of: $0, on: validationRows, labels: validation.labels)
                    }
                }
            }
        }
        return try outcomes.map { try $0.get() }
    }

    /// The grid indices to refit, in grid order: the `refitCount` best by vote accuracy
    /// (earlier grid points first on ties) and every point tied with the last of them.
    private func refitCandidates(_ voteAccuracies: [Double]) -> [Int] {
        let ranked = voteAccuracies.indices.sorted { (voteAccuracies[$0], -$0) > (voteAccuracies[$1], -$1) }
        let threshold = voteAccuracies[ranked[min(refitCount, ranked.count) - 1]]
        return voteAccuracies.indices.filter { voteAccuracies[$0] >= threshold }
    }
}
