/// What `POST /v1/models/{name}/predict` says about one image.
public struct ImageResult: Codable, Sendable, Equatable {
    /// The upload's file name (the multipart part's `filename`, or `X-File-Name` for a raw body).
    public var file: String
    /// The SHA-256 (hex) of the image bytes as uploaded.
    public var sha256: String
    /// Probabilities by class name (calibrated when the run has a calibration).
    public var probabilities: [String: Double]
    /// The most probable class, or "out-of-distribution".
    public var predictedClass: String
    /// The class of least expected misclassification cost, or "out-of-distribution".
    public var costOptimalClass: String
    /// The expected cost of deciding `costOptimalClass` (the least over the classes).
    public var expectedCost: Double
    /// The split-conformal prediction set (runs with a calibration), or nil.
    public var predictionSet: [String]?
    /// Whether a person should decide (top probability under `--refer-below`, or out of distribution).
    public var referToPerson: Bool?
    /// Why the run cannot judge the image, or nil.
    public var outOfDistribution: String?
    /// Milliseconds from the request's arrival to its prediction (queue wait included).
    public var latencyMilliseconds: Double

    enum CodingKeys: String, CodingKey {
        case file, sha256, probabilities, predictedClass = "predicted_class", costOptimalClass = "cost_optimal_class"
        case expectedCost = "expected_cost", predictionSet = "prediction_set", referToPerson = "refer_to_person"
        case outOfDistribution = "out_of_distribution", latencyMilliseconds = "latency_ms"
    }
}
