import Foundation

/// A trained classifier that scores feature rows with class probabilities and saves itself to a file.
public protocol ProbabilisticClassifier {
    /// The number of classes; probability column `c` is class index `c`.
    var classCount: Int { get }
    /// The number of feature columns the classifier was trained on.
    var featureCount: Int { get }
    /// One probability row per feature row; each row sums to 1.
    func probabilities(for features: FeatureMatrix) throws -> ProbabilityMatrix
    /// Writes the model atomically (a temporary file in the same directory, then a rename).
    func save(to url: URL) throws
}

extension ProbabilisticClassifier {
    /// The most probable class of each row (the lowest class index on a tie).
    public func predictedClasses(for features: FeatureMatrix) throws -> [Int] {
        try probabilities(for: features).predictedClasses
    }

    /// Throws unless `features` has the trained column count; `context` names the model in the error.
    func checkColumns(of features: FeatureMatrix, context: String) throws {
        guard features.columnCount == featureCount else {
            throw ClassicMLError.columnCountMismatch(expected: featureCount, found: features.columnCount, context: context)
        }
    }
}
