import Foundation
import ToolkitSupport

/// The per-image results of one evaluation, written beside its metrics as `predictions.json`:
/// what pooled cross-validation metrics (and a report's pictures) are computed from.
public struct ScoredImages: Codable, Equatable, Sendable {
    /// The class names, in the order of `labels` and of each probability row.
    public var classNames: [String]
    /// Each image's path as the evaluation names it (relative to its data folder).
    public var paths: [String]
    /// Each image's true class index.
    public var labels: [Int]
    /// Each image's class probabilities, `[image][class]`.
    public var probabilities: [[Double]]
    /// Why each image is out of distribution for the run (nil: the run can judge it); nil when the
    /// run had no out-of-distribution check.
    public var outOfDistribution: [String?]?

    public init(classNames: [String], paths: [String], labels: [Int], probabilities: [[Double]],
                outOfDistribution: [String?]? = nil) {
        self.classNames = classNames
        self.paths = paths
        self.labels = labels
        self.probabilities = probabilities
        self.outOfDistribution = outOfDistribution
    }

    /// The file name in an evaluation folder.
    public static let fileName = "predictions.json"

    /// The scores of these images (the predicted class is the most probable one).
    /// - Throws: `MetricsError` as `ClassificationMetrics` does.
    public func metrics(cost: CostMatrix, positiveClass: Int? = nil) throws -> ClassificationMetrics {
        try ClassificationMetrics(trueLabels: labels, probabilities: probabilities, classNames: classNames, cost: cost,
                                  positiveClass: positiveClass)
    }

    /// Reads `predictions.json` from `folder`.
    /// - Throws: `MetricsError.unreadablePredictions` naming the file.
    public static func load(from folder: URL) throws -> ScoredImages {
        let file = folder.appendingPathComponent(fileName)
        do {
            return try JSONDecoder().decode(ScoredImages.self, from: Data(contentsOf: file))
        } catch {
            throw MetricsError.unreadablePredictions(path: file.path, reason: FileReadFailure.reason(file, error))
        }
    }

    enum CodingKeys: String, CodingKey {
        case classNames = "class_names", paths, labels, probabilities, outOfDistribution = "out_of_distribution"
    }
}
