import Foundation
import Datasets
import Evaluation
import ToolkitSupport

/// A run's probability calibration, `calibration.json`: the temperature fitted on the validation
/// part by minimizing its log loss (Guo et al. 2017; classical models' probabilities are taken as
/// logits through their logarithm), and the validation part's raw probabilities and labels, from
/// which split-conformal prediction sets are fitted for any coverage a user asks for.
///
/// Written when a training ends, before its test part is scored (so `metrics.json` and `evaluate`
/// agree); `leukemia calibrate RUN` adds it to runs trained before. A run without the file has
/// temperature 1 (uncalibrated), and every command says so.
public struct RunCalibration: Codable, Equatable, Sendable {
    /// The file in a run directory.
    public static let fileName = "calibration.json"

    /// Divides the logits; > 0. 1 leaves the probabilities as they are.
    public var temperature: Double
    /// Where the validation part came from: "validation part", or for a refit "the selection
    /// run's validation part, scored by the selection's model" (a refit has no validation part).
    public var source: String
    /// The raw probabilities `[image][class]` of the calibration images, and their labels.
    public var validationProbabilities: [[Double]]
    public var validationLabels: [Int]
    /// ECE (15 bins) and Brier score of the validation part before and after scaling.
    public var before: Summary
    public var after: Summary

    /// Calibration quality of one set of probabilities.
    public struct Summary: Codable, Equatable, Sendable {
        public var expectedCalibrationError: Double
        public var brierScore: Double
        /// Mean negative log-likelihood of the true class.
        public var logLoss: Double

        init(probabilities: [[Double]], labels: [Int]) throws {
            let calibration = try Calibration(probabilities: probabilities, labels: labels)
            expectedCalibrationError = calibration.expectedCalibrationError
            brierScore = calibration.brierScore
            logLoss = zip(probabilities, labels).map { -log(max($0[$1], TemperatureScaling.probabilityFloor)) }
                .reduce(0, +) / Double(max(labels.count, 1))
        }

        enum CodingKeys: String, CodingKey {
            case expectedCalibrationError = "ece", brierScore = "brier", logLoss = "log_loss"
        }
    }

    /// Fits the temperature on `probabilities` (raw, `[image][class]`) and `labels`.
    /// - Throws: `MetricsError` for empty or invalid input.
    public init(fittingProbabilities probabilities: [[Double]], labels: [Int], source: String = "validation part") throws {
        temperature = try TemperatureScaling.fit(probabilities: probabilities, labels: labels)
        self.source = source
        validationProbabilities = probabilities
        validationLabels = labels
        before = try Summary(probabilities: probabilities, labels: labels)
        after = try Summary(probabilities: TemperatureScaling.apply(temperature, toProbabilities: probabilities), labels: labels)
    }

    /// The calibration a refit takes from its selection run (a refit has no validation part of
    /// its own), or nil when the selection has none.
    /// - Throws: `RunDirectoryError.corrupt` when the selection's file cannot be read.
    static func borrowed(by refit: RefitOrigin) throws -> RunCalibration? {
        guard var calibration = try load(from: RunDirectory(URL(fileURLWithPath: refit.selectionRun))) else { return nil }
        calibration.source = "the selection run's validation part, scored by the selection's model (a refit has no validation part)"
        return calibration
    }

    /// One line for a training's log and report: the temperature and the validation ECE before and after.
    public var summaryLine: String {
        let separable = TemperatureScaling.isSeparable(logits: validationProbabilities, labels: validationLabels)
        return String(format: "temperature %.3f (validation ECE %.4f -> %.4f, log loss %.4f -> %.4f; %@%@)", temperature,
                      before.expectedCalibrationError, after.expectedCalibrationError, before.logLoss, after.logLoss, source,
                      separable ? "; every validation image right, which fits no temperature: the model's own probabilities kept" : "")
    }

    /// `probabilities` (`[image][class]`, raw) after temperature scaling.
    public func calibrated(_ probabilities: [[Double]]) -> [[Double]] {
        TemperatureScaling.apply(temperature, toProbabilities: probabilities)
    }

    /// Split-conformal sets that contain the true class with probability >= `coverage` on images
    /// exchangeable with the validation part, fitted on its calibrated probabilities.
    /// - Throws: `MetricsError` for a coverage outside (0, 1).
    public func conformalPredictor(coverage: Double, method: ConformalMethod = .leastAmbiguous) throws -> ConformalPredictor {
        try ConformalPredictor(calibrationProbabilities: calibrated(validationProbabilities), labels: validationLabels,
                               alpha: 1 - coverage, method: method)
    }

    /// Fits and saves the calibration of a finished `run` on its validation part, read from the
    /// data folder it was trained on (or `dataDirectory`): for runs trained before calibration.
    /// - Throws: `RefitError` for a refit (it has no validation part; its training borrowed its
    ///   selection's); what scanning the folder, resolving the split or the model throw.
    @discardableResult
    public static func fit(_ run: any TrainedImageClassifier, dataDirectory: URL? = nil) throws -> RunCalibration {
        if let refit = run.configuration.refit {
            throw RefitError.selectionDiffers(refit.selectionRun, reason: "\(run.directory.url.path) is a refit without a validation part; "
                                                + "calibrate its selection run and train the refit again")
        }
        let root = dataDirectory ?? URL(fileURLWithPath: run.configuration.dataDirectory)
        let folder = try ImageFolder.scan(root, conformingTo: run.configuration.datasetDescription, allowingMissingClasses: false)
        let validation = try SplitManifest.load(from: run.directory.splitManifest).resolve(against: folder).assigned
            .filter { $0.part == .validation }.map(\.image)
        var probabilities: [[Double]] = [], labels: [Int] = []
        for (image, result) in zip(validation, try run.outputs(ofEncoded: validation.map { .file(folder.url(of: $0)) })) {
            guard let outputs = try? result.get() else { continue }
            probabilities.append(outputs.probabilities)
            labels.append(image.label)
        }
        let calibration = try RunCalibration(fittingProbabilities: probabilities, labels: labels)
        try calibration.save(in: run.directory)
        return calibration
    }

    /// Writes `calibration.json` into `run`, atomically.
    public func save(in run: RunDirectory) throws {
        try run.writeJSON(self, to: run.url.appendingPathComponent(Self.fileName))
    }

    /// The calibration saved in `run`, or nil when it has none (trained before calibration existed).
    /// - Throws: `RunDirectoryError.corrupt` when the file cannot be read.
    public static func load(from run: RunDirectory) throws -> RunCalibration? {
        let file = run.url.appendingPathComponent(fileName)
        guard FileManager.default.fileExists(atPath: file.path) else { return nil }
        let calibration: RunCalibration = try run.readJSON(file)
        guard calibration.temperature.isFinite, calibration.temperature > 0 else {
            throw RunDirectoryError.corrupt(file.path, reason: "temperature \(calibration.temperature) is not a positive number")
        }
        return calibration
    }

    enum CodingKeys: String, CodingKey {
        case temperature, source, validationProbabilities = "validation_probabilities", validationLabels = "validation_labels"
        case before, after
    }
}
