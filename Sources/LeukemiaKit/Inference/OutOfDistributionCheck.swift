import Foundation
import Datasets
import Imaging
import ToolkitSupport
import WeightFiles

/// Why an image is outside what a run can judge.
public enum OutOfDistributionReason: Equatable, Sendable, CustomStringConvertible {
    /// Smaller than `minimum` pixels on a side.
    case tooSmall(width: Int, height: Int, minimum: Int)
    /// Nearly one colour: a luminance spread below the minimum (blank, black, a solid fill).
    case nearlyUniform(spread: Double, minimum: Double)
    /// Too few stained pixels for a smear of the training data.
    case noStain(fraction: Double, minimum: Double)
    /// Its features are farther from the training images' than the threshold set on the
    /// validation part allows.
    case unfamiliar(distance: Double, threshold: Double)

    public var description: String {
        switch self {
        case let .tooSmall(width, height, minimum):
            return "too small (\(width)x\(height); at least \(minimum) pixels a side)"
        case let .nearlyUniform(spread, minimum):
            return String(format: "nearly uniform (luminance spread %.1f, below %.1f)", spread, minimum)
        case let .noStain(fraction, minimum):
            return String(format: "no stained cells found (%.4f of the pixels, the training images have at least %.4f)", fraction, minimum)
        case let .unfamiliar(distance, threshold):
            return String(format: "unlike the training images (feature distance %.3f, threshold %.3f)", distance, threshold)
        }
    }
}

/// A run's out-of-distribution check (`ood.safetensors`): image-quality rules, and the distance
/// of an image's features to the training part's, with a threshold set on the validation part.
///
/// The distance is the mean cosine distance (1 − cos) of the image's feature vector to its
/// `neighbours` nearest training vectors (the CNN's pooled backbone features, or a classical run's
/// standardized hand-crafted features); the threshold is the validation part's
/// (1 − `falseAlarmRate`) quantile, so about that share of new in-distribution images is flagged.
/// Quality rules: a side under `minimumSide` pixels, a luminance spread under `minimumSpread`, or
/// a stained share under half the 1st percentile of the training images' (no rule when that is 0).
public struct OutOfDistributionCheck: Sendable {
    /// The nearest training vectors averaged into an image's distance.
    public static let neighbours = 5
    /// The share of validation images above the threshold.
    public static let defaultFalseAlarmRate = 0.01
    public static let minimumSide = 32
    /// Luminance standard deviation (0...255) below which an image counts as uniform.
    public static let minimumSpread = 4.0

    /// The training part's feature vectors, L2-normalized, `[count, dimension]` row-major.
    public let reference: [Float]
    public let dimension: Int
    /// The distance above which an image is flagged.
    public let threshold: Double
    public let falseAlarmRate: Double
    /// The stained share below which an image is flagged (0: no stain rule).
    public let minimumStainFraction: Double
    /// The stain's HSV range (the study's purple).
    public let stain: HSVRange

    public var referenceCount: Int { reference.count / max(1, dimension) }

    /// The mean cosine distance of `feature` to its nearest training vectors.
    public func distance(of feature: [Float]) -> Double {
        guard feature.count == dimension, referenceCount > 0 else { return .infinity }
        let query = Self.normalized(feature)
        var nearest: [Double] = []
        reference.withUnsafeBufferPointer { rows in
            query.withUnsafeBufferPointer { query in
                for row in 0..<referenceCount {
                    let distance = 1 - Double(Self.dot(rows.baseAddress! + row * dimension, query.baseAddress!, count: dimension))
                    if nearest.count < Self.neighbours {
                        nearest.append(distance)
                        nearest.sort()
                    } else if distance < nearest[nearest.count - 1] {
                        nearest[nearest.count - 1] = distance
                        nearest.sort()
                    }
                }
            }
        }
        return nearest.reduce(0, +) / Double(nearest.count)
    }

    /// `Σ a[i] · b[i]` over `count` floats, 16 lanes at a time: this runs once per training image
    /// for every image `predict` checks, so it must not be a scalar loop.
    private static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) -> Float {
        var lanes = SIMD16<Float>()
        var i = 0
        while i + 16 <= count {
            lanes += UnsafeRawPointer(a + i).loadUnaligned(as: SIMD16<Float>.self)
                * UnsafeRawPointer(b + i).loadUnaligned(as: SIMD16<Float>.self)
            i += 16
        }
        var total = lanes.sum()
        while i < count {
            total += a[i] * b[i]
            i += 1
        }
        return total
    }

    /// Why the image is out of distribution, or nil when the run can judge it. Quality rules come first.
    public func verdict(quality: ImageQuality, feature: [Float]) -> OutOfDistributionReason? {
        if min(quality.width, quality.height) < Self.minimumSide {
            return .tooSmall(width: quality.width, height: quality.height, minimum: Self.minimumSide)
        }
        if quality.luminanceSpread < Self.minimumSpread {
            return .nearlyUniform(spread: quality.luminanceSpread, minimum: Self.minimumSpread)
        }
        if minimumStainFraction > 0, quality.stainFraction < minimumStainFraction {
            return .noStain(fraction: quality.stainFraction, minimum: minimumStainFraction)
        }
        let distance = distance(of: feature)
        return distance > threshold ? .unfamiliar(distance: distance, threshold: threshold) : nil
    }

    /// A check from the training part's outputs and the validation part's features.
    public init(training: [ImageOutputs], validation: [[Float]], falseAlarmRate: Double = defaultFalseAlarmRate,
                stain: HSVRange) {
        let fractions = training.map(\.quality.stainFraction).sorted()
        let provisional = OutOfDistributionCheck(
            reference: training.flatMap { Self.normalized($0.features) }, dimension: training.first?.features.count ?? 0,
            threshold: .infinity, falseAlarmRate: falseAlarmRate,
            minimumStainFraction: fractions.isEmpty ? 0 : 0.5 * Self.quantile(fractions, 0.01), stain: stain)
        let distances = validation.map(provisional.distance(of:)).sorted()
        self.init(reference: provisional.reference, dimension: provisional.dimension,
                  threshold: distances.isEmpty ? .infinity : Self.quantile(distances, 1 - falseAlarmRate),
                  falseAlarmRate: falseAlarmRate, minimumStainFraction: provisional.minimumStainFraction, stain: stain)
    }

    private init(reference: [Float], dimension: Int, threshold: Double, falseAlarmRate: Double,
                 minimumStainFraction: Double, stain: HSVRange) {
        self.reference = reference
        self.dimension = dimension
        self.threshold = threshold
        self.falseAlarmRate = falseAlarmRate
        self.minimumStainFraction = minimumStainFraction
        self.stain = stain
    }

    /// The `q` quantile of ascending `values` (linear interpolation, as NumPy's default).
    static func quantile(_ values: [Double], _ q: Double) -> Double {
        guard values.count > 1 else { return values.first ?? 0 }
        let position = q * Double(values.count - 1)
        let lower = Int(position.rounded(.down)), upper = min(lower + 1, values.count - 1)
        return values[lower] + (position - Double(lower)) * (values[upper] - values[lower])
    }

    static func normalized(_ vector: [Float]) -> [Float] {
        let norm = vector.reduce(Float(0)) { $0 + $1 * $1 }.squareRoot()
        return norm > 0 ? vector.map { $0 / norm } : vector
    }
}

extension OutOfDistributionCheck {
    /// The file in a run directory.
    public static let fileName = "ood.safetensors"

    /// Writes the check into `run` (atomically), with its SHA-256 in `ood.json`.
    public func save(in run: RunDirectory) throws {
        let file = run.url.appendingPathComponent(Self.fileName)
        let stainJSON = String(decoding: try JSONFormatting.encode(stain), as: UTF8.self)
        try SafeTensors.write(["reference": NamedArray(shape: [referenceCount, dimension], values: reference)], metadata: [
            "threshold": "\(threshold)", "false_alarm_rate": "\(falseAlarmRate)",
            "minimum_stain_fraction": "\(minimumStainFraction)", "stain": stainJSON, "neighbours": "\(Self.neighbours)",
        ], to: file)
        let record: [String: String] = ["sha256": try SHA256.hash(fileAt: file).hexString, "threshold": "\(threshold)",
                                        "false_alarm_rate": "\(falseAlarmRate)", "training_images": "\(referenceCount)"]
        try run.writeJSON(record, to: run.url.appendingPathComponent("ood.json"))
    }

    /// The check saved in `run`, or nil when the run has none (trained before the check existed:
    /// `leukemia ood fit RUN` adds one).
    /// - Throws: `RunDirectoryError.changedSinceTraining` when the file is not the one written;
    ///   `.corrupt` when it cannot be read.
    public static func load(from run: RunDirectory) throws -> OutOfDistributionCheck? {
        let file = run.url.appendingPathComponent(fileName), recordFile = run.url.appendingPathComponent("ood.json")
        guard FileManager.default.fileExists(atPath: file.path) else { return nil }
        let data = try run.readRequired(file)
        guard let record = try? JSONDecoder().decode([String: String].self, from: run.readRequired(recordFile)),
              let recorded = record["sha256"] else {
            throw RunDirectoryError.corrupt(recordFile.path, reason: "no SHA-256 of \(fileName)")
        }
        let found = SHA256.hash(data).hexString
        guard found == recorded else { throw RunDirectoryError.changedSinceTraining(file.path, recorded: recorded, found: found) }
        do {
            let contents = try SafeTensors.decode(data, source: file.path)
            guard let array = contents.tensors["reference"], array.shape.count == 2,
                  let threshold = contents.metadata["threshold"].flatMap(Double.init),
                  let rate = contents.metadata["false_alarm_rate"].flatMap(Double.init),
                  let minimumStain = contents.metadata["minimum_stain_fraction"].flatMap(Double.init),
                  let stainText = contents.metadata["stain"] else {
                throw RunDirectoryError.corrupt(file.path, reason: "missing reference features or thresholds")
            }
            let stain = try JSONDecoder().decode(HSVRange.self, from: Data(stainText.utf8))
            return OutOfDistributionCheck(reference: array.values, dimension: array.shape[1], threshold: threshold,
                                          falseAlarmRate: rate, minimumStainFraction: minimumStain, stain: stain)
        } catch let error as RunDirectoryError {
            throw error
        } catch {
            throw RunDirectoryError.corrupt(file.path, reason: "\(error)")
        }
    }

    /// Fits the check of `run` on its own split (training part: reference; validation part:
    /// threshold), read from the data folder it was trained on (or `dataDirectory`), and saves it.
    /// - Throws: what scanning the folder, resolving the split or the model throw.
    @discardableResult
    public static func fit(_ run: any TrainedImageClassifier, dataDirectory: URL? = nil,
                           falseAlarmRate: Double = defaultFalseAlarmRate) throws -> OutOfDistributionCheck {
        let root = dataDirectory ?? URL(fileURLWithPath: run.configuration.dataDirectory)
        return try fit(run, folder: ImageFolder.scan(root, conformingTo: run.configuration.datasetDescription,
                                                     allowingMissingClasses: false), falseAlarmRate: falseAlarmRate)
    }

    /// Fits and saves the check of `run` on its split of `folder`, already scanned (by its training).
    /// A refit, which has no validation part, uses its selection's split (`selection-split.json`):
    /// its own network's features, the selection's training part as reference and validation part
    /// for the threshold.
    static func fit(_ run: any TrainedImageClassifier, folder: ImageFolder,
                    falseAlarmRate: Double = defaultFalseAlarmRate) throws -> OutOfDistributionCheck {
        let selectionSplit = run.directory.url.appendingPathComponent(Refit.selectionSplitFileName)
        let split = run.configuration.refit != nil && FileManager.default.fileExists(atPath: selectionSplit.path)
            ? selectionSplit : run.directory.splitManifest
        let parts = try SplitManifest.load(from: split).resolve(against: folder).assigned
        func outputs(_ part: DatasetPart) throws -> [ImageOutputs] {
            let files = parts.filter { $0.part == part }.map { EncodedImage.file(folder.url(of: $0.image)) }
            return try run.outputs(ofEncoded: files).compactMap { try? $0.get() }
        }
        let check = OutOfDistributionCheck(training: try outputs(.train), validation: try outputs(.validation).map(\.features),
                                           falseAlarmRate: falseAlarmRate, stain: run.configuration.purpleRange)
        try check.save(in: run.directory)
        return check
    }

    /// Fits and saves the check of the run just trained in `url` on `folder` (the one its training
    /// scanned), and logs its threshold; a failure is logged as a warning (the run itself is
    /// complete; `leukemia ood fit` retries).
    static func fitAfterTraining(runAt url: URL, folder: ImageFolder, log: (String) -> Void) {
        do {
            let check = try fit(TrainedRuns.open(url), folder: folder)
            log(String(format: "out-of-distribution check: threshold %.4f on the features of %d training images "
                       + "(%.0f %% of the validation part above it)", check.threshold, check.referenceCount, 100 * check.falseAlarmRate))
        } catch {
            log("warning: no out-of-distribution check for \(url.path): \(error); retry with `leukemia ood fit \(url.path)`")
        }
    }
}

/// One image's outputs with the run's verdict on it.
public struct JudgedOutputs: Sendable {
    /// The run's outputs; `probabilities` calibrated when the batch's calibration is not nil.
    public var outputs: ImageOutputs
    /// The model's probabilities before calibration.
    public var rawProbabilities: [Double]
    /// Why the run cannot judge the image, or nil (also when the run has no check).
    public var outOfDistribution: OutOfDistributionReason?
}

extension TrainedImageClassifier {
    /// The outputs of each encoded image (or why it could not be read) with the verdict of the
    /// run's out-of-distribution check, and whether the run has one; the probabilities calibrated
    /// by the run's `calibration.json` unless `calibrated` is false. What `predict`, `evaluate` and
    /// a server all apply.
    /// - Returns: `calibration` is the calibration applied: nil when `calibrated` is false or the
    ///   run has none (its probabilities are raw).
    /// - Throws: what loading the check, the calibration or the model throws.
    public func judgedOutputs(ofEncoded images: [EncodedImage], calibrated: Bool = true) throws
        -> (hasCheck: Bool, calibration: RunCalibration?, results: [Result<JudgedOutputs, Error>]) {
        try judgedOutputs(ofEncoded: images, judges: RunJudges.load(from: directory, calibrated: calibrated))
    }

    /// `judgedOutputs(ofEncoded:calibrated:)` with the check and calibration already read.
    public func judgedOutputs(ofEncoded images: [EncodedImage], judges: RunJudges) throws
        -> (hasCheck: Bool, calibration: RunCalibration?, results: [Result<JudgedOutputs, Error>]) {
        let (check, calibration) = (judges.check, judges.calibration)
        let results = try outputs(ofEncoded: images).map { result in
            result.map { raw in
                var outputs = raw
                if let calibration { outputs.probabilities = calibration.calibrated([raw.probabilities])[0] }
                return JudgedOutputs(outputs: outputs, rawProbabilities: raw.probabilities,
                                     outOfDistribution: check?.verdict(quality: raw.quality, feature: raw.features))
            }
        }
        return (check != nil, calibration, results)
    }
}
