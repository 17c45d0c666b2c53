import Foundation
import Datasets
import Evaluation

/// One image's prediction: the most probable class and the cost-optimal one.
public struct Prediction: Codable, Sendable {
    public var file: String
    public var predictedClass: String
    /// The class that minimizes the expected misclassification cost under `probabilities`.
    public var costOptimalClass: String
    /// Probabilities by class name.
    public var probabilities: [String: Double]
}

/// Applies a trained run to image files and folders.
public enum Predictor {
    /// Predictions for `paths` (files, or folders searched recursively for JPEG and PNG files),
    /// plus the files that could not be read, with the reason.
    public static func predict(_ run: any TrainedImageClassifier, paths: [URL], cost: CostMatrix) throws
        -> (predictions: [Prediction], failures: [(file: String, reason: String)]) {
        let files = try ImageFileCollector.collect(paths)
        let results = try run.probabilities(forFilesAt: files)
        var predictions: [Prediction] = [], failures: [(file: String, reason: String)] = []
        let names = LeukemiaClass.allCases.map(\.name)
        for (file, result) in zip(files, results) {
            switch result {
            case .success(let p):
                let argMax = ClassificationMetrics.argMax(p)
                predictions.append(Prediction(
                    file: file.path, predictedClass: names[argMax],
                    costOptimalClass: names[try cost.costOptimalDecision(probabilities: p)],
                    probabilities: Dictionary(uniqueKeysWithValues: zip(names, p))))
            case .failure(let error):
                failures.append((file.path, "\(error)"))
            }
        }
        return (predictions, failures)
    }
}
