/// How to split a dataset folder into training, validation and test parts.
public struct SplitConfiguration: Codable, Equatable, Sendable {
    /// Share of each class's images in the training part.
    public var trainFraction: Double
    /// Share of each class's images in the validation part.
    public var validationFraction: Double
    /// Share of each class's images in the test part.
    public var testFraction: Double
    /// Seed of the shuffles of the groups.
    public var seed: UInt64
    /// When set to r, images of one class whose file numbers fall in the same run
    /// (numbers 1...r, r+1...2r, ...) stay in one part: a stand-in for keeping patients together.
    public var groupRuns: Int?
    /// In a cross-validation: this split's fold (1...foldCount), whose images are the test part;
    /// nil for a single random split.
    public var fold: Int?
    /// In a cross-validation: the number of folds; nil for a single random split.
    public var foldCount: Int?

    /// Defaults: 64 % / 20 % / 16 % and no run grouping (only identical files are kept together).
    public init(trainFraction: Double = 0.64, validationFraction: Double = 0.20, testFraction: Double = 0.16,
                seed: UInt64, groupRuns: Int? = nil, fold: Int? = nil, foldCount: Int? = nil) {
        self.trainFraction = trainFraction
        self.validationFraction = validationFraction
        self.testFraction = testFraction
        self.seed = seed
        self.groupRuns = groupRuns
        self.fold = fold
        self.foldCount = foldCount
    }

    /// The fraction for `part`.
    public func fraction(of part: DatasetPart) -> Double {
        switch part {
        case .train: return trainFraction
        case .validation: return validationFraction
        case .test: return testFraction
        }
    }

    /// Throws `SplitError` unless every fraction is in [0, 1], they sum to 1 within 1e-9,
    /// and `groupRuns` (when set) is at least 1.
    public func validate() throws {
        let fractions = DatasetPart.allCases.map(fraction(of:))
        let sum = fractions.reduce(0, +)
        guard fractions.allSatisfy({ $0.isFinite && $0 >= 0 && $0 <= 1 }), abs(sum - 1) <= 1e-9 else {
            throw SplitError.invalidFractions(train: trainFraction, validation: validationFraction, test: testFraction)
        }
        if let runs = groupRuns, runs < 1 { throw SplitError.invalidGroupRuns(runs) }
    }

    private enum CodingKeys: String, CodingKey {
        case trainFraction = "train_fraction", validationFraction = "validation_fraction"
        case testFraction = "test_fraction", seed, groupRuns = "group_runs", fold, foldCount = "fold_count"
    }
}
