import Evaluation

/// What `GET /v1/models` says about one served model.
public struct ModelDescription: Codable, Sendable {
    /// The name the API knows the model by: its run folder's name.
    public var name: String
    /// The model family or CNN architecture (`config.json`'s `model`), e.g. "svm", "efficientnet_lite0".
    public var architecture: String
    /// The class names, in the model's output order.
    public var classes: [String]
    /// Misclassification costs, rows true class, columns predicted class, in `classes` order.
    public var costMatrix: [[Double]]
    /// The side of the square the images are resized to.
    public var inputSize: Int
    /// The run's metrics on its test part (`metrics.json`), when it has them.
    public var testMetrics: ClassificationMetrics?
    /// Whether the probabilities are temperature-calibrated (the run has `calibration.json`).
    public var calibrated: Bool
    /// Whether the model gives prediction sets (it needs a calibration).
    public var predictionSets: Bool
    /// Whether images are checked for being out of distribution (the run has an OOD check).
    public var outOfDistributionCheck: Bool
    /// Whether `POST /v1/models/{name}/explain` gives Grad-CAM overlays (CNN runs).
    public var explainable: Bool
    /// Whether `explain?view=purple-mask` shows the hybrid network's purple mask.
    public var purpleMask: Bool
    /// The SHA-256 (hex) of the weights or model file the predictions come from.
    public var weightsSHA256: String

    enum CodingKeys: String, CodingKey {
        case name, architecture, classes, costMatrix = "cost_matrix", inputSize = "input_size", testMetrics = "test_metrics"
        case calibrated, predictionSets = "prediction_sets", outOfDistributionCheck = "out_of_distribution_check"
        case explainable, purpleMask = "purple_mask", weightsSHA256 = "weights_sha256"
    }
}
