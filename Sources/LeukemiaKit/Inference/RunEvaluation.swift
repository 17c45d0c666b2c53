import Foundation
import Datasets
import Evaluation
import ToolkitSupport

/// The outcome of scoring a run on labelled images.
public struct EvaluationResult {
    public var metrics: ClassificationMetrics
    /// Images that could not be read, with the reason; they are not scored.
    public var skipped: [String: String]
    /// The folder where `metrics.json` and `report.md` were written.
    public var reportFolder: URL
    /// Scored images whose content (SHA-256) the run trained or selected its model on: its
    /// training and validation parts. Their scores are optimistic; 0 for the run's own test part.
    public var seenInTraining: Int = 0
    /// Scored images the run's out-of-distribution check flags, with the reason (they are scored
    /// all the same, and counted in the report); empty when the run has no check.
    public var outOfDistribution: [String: String] = [:]
    /// Calibration of the scored images' raw and of their calibrated probabilities (ECE over 15
    /// bins, Brier); `calibrated` is nil when the probabilities were left raw.
    public var raw: Calibration? = nil
    public var calibrated: Calibration? = nil
    /// The run's calibration that was applied, or nil (raw probabilities).
    public var calibration: RunCalibration? = nil
}

/// The scores of a run on labelled images, written nowhere: what `evaluate` writes into its report
/// folder and what `compare` puts side by side, from one code path (`RunEvaluation.scores`).
public struct RunScores: Sendable {
    /// Each scored image's path, label and probabilities (calibrated unless raw were asked for or
    /// the run has no calibration), in the order the images were given; unreadable ones left out.
    public var scored: ScoredImages
    /// The model's raw probabilities of the same images, `[image][class]`.
    public var rawProbabilities: [[Double]]
    /// Images that could not be read, with the reason; they are not scored.
    public var skipped: [String: String]
    /// Scored images the run's out-of-distribution check flags, with the reason.
    public var outOfDistribution: [String: String]
    /// Whether the run has an out-of-distribution check.
    public var hasOutOfDistributionCheck: Bool
    /// The run's calibration that was applied, or nil (raw probabilities).
    public var calibration: RunCalibration?
    /// The metrics of `scored` (its arg-max decisions) under the cost matrix given.
    public var metrics: ClassificationMetrics
    /// ECE (15 bins) and Brier of the raw and of the calibrated probabilities (nil when raw).
    public var raw: Calibration?
    public var calibrated: Calibration?
    /// Wall-clock seconds of decoding, resizing and running the model over the images.
    public var seconds: Double
    /// The images the run was asked to score, readable or not.
    public var requestedCount: Int

    /// Scored images per second of `seconds`.
    public var imagesPerSecond: Double { seconds > 0 ? Double(scored.labels.count) / seconds : 0 }
}

/// Scores a trained run on its own test part or on another folder of class subfolders.
///
/// Every evaluation writes into a folder of its own and never replaces earlier results: the
/// metrics written at training stay as they were, and a second evaluation of the same data goes
/// to `evaluations/NAME-2`, `NAME-3`, ...
public enum RunEvaluation {
    /// The test part of the run's split, read from the data folder the run was trained on (or
    /// `dataDirectory` when the data has moved), with the scanned folder.
    /// - Throws: what scanning the folder and resolving the split throw.
    public static func testPart(of run: any TrainedImageClassifier, dataDirectory: URL? = nil) throws
        -> (images: [DatasetImage], folder: ImageFolder) {
        let root = dataDirectory ?? URL(fileURLWithPath: run.configuration.dataDirectory)
        let manifest = try SplitManifest.load(from: run.directory.splitManifest)
        let folder = try ImageFolder.scan(root, conformingTo: run.configuration.datasetDescription, allowingMissingClasses: false)
        return (try manifest.resolve(against: folder).assigned.filter { $0.part == .test }.map(\.image), folder)
    }

    /// Every image of `dataDirectory` (class subfolders, possibly only some of the run's classes).
    /// - Throws: `ClassSetError.classMismatch` naming classes the run does not know.
    public static func folderImages(for run: any TrainedImageClassifier, dataDirectory: URL) throws -> ImageFolder {
        try ImageFolder.scan(dataDirectory, conformingTo: run.configuration.datasetDescription, allowingMissingClasses: true)
    }

    /// The number of `images` whose content the run trained or selected its model on (its
    /// training and validation parts, by SHA-256).
    public static func seenInTraining(_ images: [DatasetImage], by run: any TrainedImageClassifier) throws -> Int {
        let manifest = try SplitManifest.load(from: run.directory.splitManifest)
        let seenHashes = Set(manifest.entries.filter { $0.part != .test }.map(\.contentHash))
        return images.filter { seenHashes.contains($0.contentHash) }.count
    }

    /// Scores the test part of the run's split, read from the data folder the run was trained on
    /// (or `dataDirectory` when the data has moved); writes into `reportFolder`, by default the
    /// first free one of `RUN_DIR/evaluations/test-part`, `test-part-2`, ...
    /// - Throws: `InputPathError.notEmpty` for a `reportFolder` that holds anything.
    public static func evaluateTestPart(of run: any TrainedImageClassifier, dataDirectory: URL? = nil,
                                        cost: CostMatrix, reportFolder: URL? = nil, calibrated: Bool = true) throws -> EvaluationResult {
        let root = dataDirectory ?? URL(fileURLWithPath: run.configuration.dataDirectory)
        let (testImages, folder) = try testPart(of: run, dataDirectory: dataDirectory)
        let destination = try claimReportFolder(reportFolder, of: run.directory, name: "test-part")
        return try score(run, images: testImages, folder: folder, cost: cost, into: destination,
                         title: "\(run.configuration.model) — test part of \(root.lastPathComponent)", calibrated: calibrated)
    }

    /// Scores every image of `dataDirectory` (class subfolders); writes into `reportFolder`, by
    /// default the first free one of `RUN_DIR/evaluations/<folder name>`, `<folder name>-2`, ...
    /// The folder may hold only some of the run's classes, but no other class.
    /// - Throws: `ClassSetError.classMismatch` naming classes the run does not know;
    ///   `InputPathError.notEmpty` for a `reportFolder` that holds anything.
    public static func evaluateFolder(of run: any TrainedImageClassifier, dataDirectory: URL,
                                      cost: CostMatrix, reportFolder: URL? = nil, calibrated: Bool = true) throws -> EvaluationResult {
        let folder = try folderImages(for: run, dataDirectory: dataDirectory)
        let destination = try claimReportFolder(reportFolder, of: run.directory,
                                                name: dataDirectory.standardizedFileURL.lastPathComponent)
        var result = try score(run, images: folder.images, folder: folder, cost: cost, into: destination,
                               title: "\(run.configuration.model) — \(dataDirectory.path)", calibrated: calibrated)
        result.seenInTraining = try seenInTraining(folder.images, by: run)
        return result
    }

    /// The folder one evaluation writes into, created now so that no other evaluation takes it:
    /// `requested` when it is absent or empty, else the first of `RUN_DIR/evaluations/NAME`,
    /// `NAME-2`, `NAME-3`, ... that did not exist (claimed with `mkdir`, which fails on an existing
    /// folder).
    /// - Throws: `InputPathError.notEmpty` naming a requested folder that holds anything;
    ///   `RunDirectoryError.cannotCreate` when a folder cannot be made.
    static func claimReportFolder(_ requested: URL?, of run: RunDirectory, name: String) throws -> URL {
        let manager = FileManager.default
        if let requested {
            guard FolderOccupancy.describe(requested) == nil else { throw InputPathError.notEmpty(requested.path) }
            do {
                try manager.createDirectory(at: requested, withIntermediateDirectories: true)
            } catch {
                throw RunDirectoryError.cannotCreate(requested.path, reason: error.localizedDescription)
            }
            return requested
        }
        let parent = run.url.appendingPathComponent("evaluations")
        do {
            try manager.createDirectory(at: parent, withIntermediateDirectories: true)
        } catch {
            throw RunDirectoryError.cannotCreate(parent.path, reason: error.localizedDescription)
        }
        for number in 1... {
            let candidate = parent.appendingPathComponent(number == 1 ? name : "\(name)-\(number)")
            if mkdir(candidate.path, 0o755) == 0 { return candidate }
            guard errno == EEXIST else {
                throw RunDirectoryError.cannotCreate(candidate.path, reason: String(cString: strerror(errno)))
            }
        }
        preconditionFailure("unreachable")
    }

    /// Scores `images` into `destination` (claimed by this evaluation); removes the folder again,
    /// while it is still empty, when scoring fails.
    private static func score(_ run: any TrainedImageClassifier, images: [DatasetImage], folder: ImageFolder,
                              cost: CostMatrix, into destination: URL, title: String, calibrated: Bool) throws -> EvaluationResult {
        do {
            return try scoreClaimed(run, images: images, folder: folder, cost: cost, into: destination, title: title,
                                    calibrated: calibrated)
        } catch {
            if (try? FileManager.default.contentsOfDirectory(atPath: destination.path))?.isEmpty == true {
                try? FileManager.default.removeItem(at: destination)
            }
            throw error
        }
    }

    /// Scores `images` of `folder` (decoded ahead of the model, an unreadable image skipped with
    /// the reason) and computes their metrics under `cost`; writes nothing.
    /// - Throws: what the model throws; `MetricsError` when no image could be scored.
    public static func scores(of run: any TrainedImageClassifier, images: [DatasetImage], folder: ImageFolder,
                              cost: CostMatrix, calibrated: Bool = true) throws -> RunScores {
        let started = DispatchTime.now().uptimeNanoseconds
        let (hasCheck, calibration, results) = try run.judgedOutputs(ofEncoded: images.map { .file(folder.url(of: $0)) },
                                                                     calibrated: calibrated)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        var paths: [String] = [], labels: [Int] = [], probabilities: [[Double]] = [], skipped: [String: String] = [:]
        var rawProbabilities: [[Double]] = []
        var flagged: [String: String] = [:], reasons: [String?] = []
        for (image, result) in zip(images, results) {
            switch result {
            case .success(let judged):
                paths.append(image.relativePath)
                labels.append(image.label)
                probabilities.append(judged.outputs.probabilities)
                rawProbabilities.append(judged.rawProbabilities)
                reasons.append(judged.outOfDistribution?.description)
                if let reason = judged.outOfDistribution { flagged[image.relativePath] = reason.description }
            case .failure(let error):
                skipped[image.relativePath] = "\(error)"
            }
        }
        let scored = ScoredImages(classNames: run.configuration.classes.names, paths: paths, labels: labels,
                                  probabilities: probabilities, outOfDistribution: hasCheck ? reasons : nil)
        let metrics = try scored.metrics(cost: cost, positiveClass: run.configuration.classes.positiveClass)
        let raw = labels.isEmpty ? nil : try Calibration(probabilities: rawProbabilities, labels: labels)
        let calibratedSummary = labels.isEmpty || calibration == nil ? nil : try Calibration(probabilities: probabilities, labels: labels)
        return RunScores(scored: scored, rawProbabilities: rawProbabilities, skipped: skipped, outOfDistribution: flagged,
                         hasOutOfDistributionCheck: hasCheck, calibration: calibration, metrics: metrics, raw: raw,
                         calibrated: calibratedSummary, seconds: seconds, requestedCount: images.count)
    }

    private static func scoreClaimed(_ run: any TrainedImageClassifier, images: [DatasetImage], folder: ImageFolder,
                                     cost: CostMatrix, into destination: URL, title: String, calibrated: Bool) throws -> EvaluationResult {
        let scores = try scores(of: run, images: images, folder: folder, cost: cost, calibrated: calibrated)
        let (metrics, raw, calibratedSummary, calibration) = (scores.metrics, scores.raw, scores.calibrated, scores.calibration)
        func summary(_ calibration: Calibration?) -> String {
            calibration.map { String(format: "ECE %.4f, Brier %.4f", $0.expectedCalibrationError, $0.brierScore) } ?? "-"
        }
        let probabilityNote = calibration.map { String(format: "calibrated, temperature %.3f", $0.temperature) }
            ?? (calibrated ? "raw: the run has no calibration (leukemia calibrate RUN)" : "raw (asked for)")
        try EvaluationWriter.write(metrics: metrics, title: title,
                                   details: [("run", run.directory.url.path), ("images scored", "\(scores.scored.labels.count)"),
                                             ("skipped (unreadable)", "\(scores.skipped.count)"),
                                             ("flagged out of distribution (scored all the same)",
                                              scores.hasOutOfDistributionCheck ? "\(scores.outOfDistribution.count)"
                                                : "no check (leukemia ood fit RUN)"),
                                             ("probabilities", probabilityNote),
                                             ("calibration of the raw probabilities", summary(raw)),
                                             ("calibration of the calibrated probabilities", summary(calibratedSummary))],
                                   scored: scores.scored, into: destination)
        return EvaluationResult(metrics: metrics, skipped: scores.skipped, reportFolder: destination,
                                outOfDistribution: scores.outOfDistribution, raw: raw, calibrated: calibratedSummary,
                                calibration: calibration)
    }
}
