import Foundation
import Datasets
import Evaluation

/// One image's prediction: the most probable class and the cost-optimal one, or, for an image the
/// run cannot judge, "out-of-distribution" with the reason.
public struct Prediction: Codable, Sendable {
    /// What `predictedClass` and `costOptimalClass` say for an image that is out of distribution.
    public static let outOfDistributionLabel = "out-of-distribution"

    public var file: String
    public var predictedClass: String
    /// The class that minimizes the expected misclassification cost under `probabilities`.
    public var costOptimalClass: String
    /// Probabilities by class name (given for flagged images too, for the record).
    public var probabilities: [String: Double]
    /// Why the image is out of distribution, or nil.
    public var outOfDistribution: String?
}

/// The predictions of one request.
public struct PredictionOutcome: Sendable {
    public var predictions: [Prediction]
    /// Images that could not be read, with the reason.
    public var failures: [(file: String, reason: String)]
    /// Whether the run has an out-of-distribution check (runs trained before it have none until
    /// `leukemia ood fit RUN`).
    public var checkedForOutOfDistribution: Bool

    /// The predictions flagged out of distribution.
    public var flagged: [Prediction] { predictions.filter { $0.outOfDistribution != nil } }
}

/// Applies a trained run to image files and folders.
public enum Predictor {
    /// Predictions for `paths` (files, or folders searched recursively for JPEG and PNG files),
    /// plus the files that could not be read, with the reason.
    public static func predict(_ run: any TrainedImageClassifier, paths: [URL], cost: CostMatrix) throws -> PredictionOutcome {
        try predict(run, images: try ImageFileCollector.collect(paths).map(EncodedImage.file), cost: cost)
    }

    /// Predictions for `images` (files or encoded bytes, such as an image read from standard
    /// input), in their order, each checked by the run's out-of-distribution check when it has one.
    public static func predict(_ run: any TrainedImageClassifier, images: [EncodedImage], cost: CostMatrix) throws -> PredictionOutcome {
        let (hasCheck, results) = try run.judgedOutputs(ofEncoded: images)
        var outcome = PredictionOutcome(predictions: [], failures: [], checkedForOutOfDistribution: hasCheck)
        let names = run.configuration.classes.names
        for (image, result) in zip(images, results) {
            switch result {
            case .success(let judged):
                let p = judged.outputs.probabilities, reason = judged.outOfDistribution
                outcome.predictions.append(Prediction(
                    file: image.name, predictedClass: reason == nil ? names[ClassificationMetrics.argMax(p)] : Prediction.outOfDistributionLabel,
                    costOptimalClass: reason == nil ? names[try cost.costOptimalDecision(probabilities: p)] : Prediction.outOfDistributionLabel,
                    probabilities: Dictionary(uniqueKeysWithValues: zip(names, p)), outOfDistribution: reason?.description))
            case .failure(let error):
                outcome.failures.append((image.name, "\(error)"))
            }
        }
        return outcome
    }
}
