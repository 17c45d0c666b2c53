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
        try predict(run, images: try ImageFileCollector.collect(paths).map(EncodedImage.file), cost: cost)
    }

    /// Predictions for `images` (files or encoded bytes, such as an image read from standard
    /// input), in their order, plus the images that could not be read, with the reason.
    public static func predict(_ run: any TrainedImageClassifier, images: [EncodedImage], cost: CostMatrix) throws
        -> (predictions: [Prediction], failures: [(file: String, reason: String)]) {
        let results = try run.probabilities(ofEncoded: images)
        var predictions: [Prediction] = [], failures: [(file: String, reason: String)] = []
        let names = run.configuration.classes.names
        for (image, result) in zip(images, results) {
            switch result {
            case .success(let p):
                let argMax = ClassificationMetrics.argMax(p)
                predictions.append(Prediction(
                    file: image.name, predictedClass: names[argMax],
                    costOptimalClass: names[try cost.costOptimalDecision(probabilities: p)],
                    probabilities: Dictionary(uniqueKeysWithValues: zip(names, p))))
            case .failure(let error):
                failures.append((image.name, "\(error)"))
            }
        }
        return (predictions, failures)
    }
}
