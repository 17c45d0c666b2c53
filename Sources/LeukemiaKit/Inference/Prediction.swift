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
    /// With `--coverage`: the split-conformal set of classes (in the run's class order) that
    /// holds the true class with the asked probability; nil otherwise.
    public var predictionSet: [String]? = nil
    /// With `--refer-below P`: whether the top (calibrated) probability is under P, so that a
    /// person should decide; nil otherwise.
    public var referToPerson: Bool? = nil
}

/// How `Predictor` decides beyond the most probable class.
public struct PredictionSettings: Sendable {
    /// Use the run's calibrated probabilities (true), or the model's raw ones.
    public var calibrated: Bool
    /// The coverage of split-conformal prediction sets in (0, 1), e.g. 0.95; nil for none.
    public var coverage: Double?
    public var conformalMethod: ConformalMethod
    /// Refer images whose top probability is under this value to a person; nil for none.
    public var referBelow: Double?

    public init(calibrated: Bool = true, coverage: Double? = nil, conformalMethod: ConformalMethod = .leastAmbiguous,
                referBelow: Double? = nil) {
        self.calibrated = calibrated
        self.coverage = coverage
        self.conformalMethod = conformalMethod
        self.referBelow = referBelow
    }
}

/// The predictions of one request.
public struct PredictionOutcome: Sendable {
    public var predictions: [Prediction]
    /// Images that could not be read, with the reason.
    public var failures: [(file: String, reason: String)]
    /// Whether the run has an out-of-distribution check (runs trained before it have none until
    /// `leukemia ood fit RUN`).
    public var checkedForOutOfDistribution: Bool
    /// The calibration applied to the probabilities; nil when they are raw (asked for, or the run
    /// has none until `leukemia calibrate RUN`).
    public var calibration: RunCalibration?

    /// The predictions flagged out of distribution.
    public var flagged: [Prediction] { predictions.filter { $0.outOfDistribution != nil } }
}

/// Applies a trained run to image files and folders.
public enum Predictor {
    /// Predictions for `paths` (files, or folders searched recursively for JPEG and PNG files),
    /// plus the files that could not be read, with the reason.
    public static func predict(_ run: any TrainedImageClassifier, paths: [URL], cost: CostMatrix,
                               settings: PredictionSettings = .init()) throws -> PredictionOutcome {
        try predict(run, images: try ImageFileCollector.collect(paths).map(EncodedImage.file), cost: cost, settings: settings)
    }

    /// Predictions for `images` (files or encoded bytes, such as an image read from standard
    /// input), in their order, each checked by the run's out-of-distribution check when it has one.
    /// `judges` are the run's check and calibration read once by a caller that predicts many times
    /// (read with `calibrated: settings.calibrated`); nil reads them from the run's directory.
    /// - Throws: `PredictionError.needsCalibration` for prediction sets from a run without a
    ///   calibration (or with raw probabilities); what the model throws.
    public static func predict(_ run: any TrainedImageClassifier, images: [EncodedImage], cost: CostMatrix,
                               settings: PredictionSettings = .init(), judges: RunJudges? = nil) throws -> PredictionOutcome {
        let judges = try judges ?? RunJudges.load(from: run.directory, calibrated: settings.calibrated)
        let (hasCheck, calibration, results) = try run.judgedOutputs(ofEncoded: images, judges: judges)
        let conformal = try settings.coverage.map { coverage in
            guard let calibration else { throw PredictionError.needsCalibration(run.directory.url.path) }
            return try calibration.conformalPredictor(coverage: coverage, method: settings.conformalMethod)
        }
        var outcome = PredictionOutcome(predictions: [], failures: [], checkedForOutOfDistribution: hasCheck, calibration: calibration)
        let names = run.configuration.classes.names
        for (image, result) in zip(images, results) {
            switch result {
            case .success(let judged):
                let p = judged.outputs.probabilities, reason = judged.outOfDistribution
                outcome.predictions.append(Prediction(
                    file: image.name, predictedClass: reason == nil ? names[ClassificationMetrics.argMax(p)] : Prediction.outOfDistributionLabel,
                    costOptimalClass: reason == nil ? names[try cost.costOptimalDecision(probabilities: p)] : Prediction.outOfDistributionLabel,
                    probabilities: Dictionary(uniqueKeysWithValues: zip(names, p)), outOfDistribution: reason?.description,
                    predictionSet: conformal.map { $0.predictionSet(probabilities: p).map { names[$0] } },
                    referToPerson: settings.referBelow.map { reason != nil || (p.max() ?? 0) < $0 }))
            case .failure(let error):
                outcome.failures.append((image.name, "\(error)"))
            }
        }
        return outcome
    }
}

/// Why `predict` cannot give what was asked.
public enum PredictionError: Error, Equatable, CustomStringConvertible {
    /// Prediction sets need the run's calibration (its validation part's scores).
    case needsCalibration(String)

    public var description: String {
        switch self {
        case .needsCalibration(let path):
            return "prediction sets (--coverage) need the calibration of \(path) and calibrated probabilities; "
                + "add it with `leukemia calibrate \(path)` and do not combine --coverage with --raw"
        }
    }
}
