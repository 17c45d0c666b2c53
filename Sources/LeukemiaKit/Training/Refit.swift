import Foundation
import Datasets
import Evaluation
import ToolkitSupport

/// `train --refit`: model selection as usual, then the same model trained again on the training
/// and validation parts together with what the selection chose (a CNN's epoch count and learning
/// rates, XGBoost's rounds, SVM's C and gamma) and the same seed. The test part is never touched
/// by either and scores the refitted model.
///
/// Layout: the refit is the run directory `OUT` (what `evaluate`, `predict` and the report use);
/// the selection run is a complete run of its own in `OUT/selection`. `OUT/split.json` is the
/// selection's split with every validation image moved to the training part, and
/// `OUT/selection-split.json` the selection's own. Re-running the same command continues: a
/// finished selection is kept (if it was trained with the same settings), an interrupted CNN
/// selection or refit resumes from its checkpoint.
public enum Refit {
    /// The selection run's folder inside a refit's run directory.
    public static let selectionFolderName = "selection"
    /// The selection's split, kept in the refit's directory (the out-of-distribution check's
    /// threshold is fitted on its validation part).
    public static let selectionSplitFileName = "selection-split.json"

    /// The selection run of the refit in `directory`.
    public static func selectionDirectory(of directory: URL) -> URL {
        directory.appendingPathComponent(selectionFolderName)
    }

    /// The refit's split: `selection`'s entries with every validation image in the training part.
    public static func manifest(refitting selection: SplitManifest) -> SplitManifest {
        SplitManifest(configuration: selection.configuration, entries: selection.entries.map { entry in
            entry.part == .validation
                ? SplitManifest.Entry(path: entry.path, label: entry.label, contentHash: entry.contentHash, part: .train)
                : entry
        })
    }

    /// Trains (or continues) a CNN with refit into `request.runDirectory`; returns the refit's
    /// outcome, or the selection's when `control.stopAfterEpoch` stopped it first.
    /// - Throws: `RefitError.selectionDiffers` when `OUT/selection` holds a run trained otherwise;
    ///   what training throws.
    @discardableResult
    public static func train(_ request: CNNTrainingRequest, control: CNNTrainingControl = .init()) throws -> CNNTrainingOutcome {
        let refit = try checkedRefitDirectory(request.runDirectory)
        let selection = RunDirectory(selectionDirectory(of: request.runDirectory))
        let manager = FileManager.default
        if manager.fileExists(atPath: refit.trainingSession.path) {
            return try CNNTrainer.resume(refit.url, dataDirectory: request.dataDirectory, control: control)
        }
        if manager.fileExists(atPath: selection.configuration.path) {
            let found = try selection.loadConfiguration()
            guard found.cnn == request.options else {
                throw RefitError.selectionDiffers(selection.url.path, reason: "its CNN options are not those of this command")
            }
            control.log("selection: keeping the finished run \(selection.url.path)")
        } else {
            var selectionRequest = request
            selectionRequest.runDirectory = selection.url
            let outcome = manager.fileExists(atPath: selection.trainingSession.path)
                ? try CNNTrainer.resume(selection.url, dataDirectory: request.dataDirectory, control: control)
                : try CNNTrainer.train(selectionRequest, control: control)
            if outcome.testMetrics == nil { return outcome }
        }
        control.log("refit: training again on train + validation")
        return try CNNTrainer.refit(selection: selection.url, into: refit.url, dataDirectory: request.dataDirectory, control: control)
    }

    /// Trains (or continues) a classical model with refit into `request.runDirectory`; returns the
    /// refit's test metrics.
    @discardableResult
    public static func train(_ request: ClassicalTrainingRequest, log: (String) -> Void) throws -> ClassificationMetrics {
        let refit = try checkedRefitDirectory(request.runDirectory)
        let selection = RunDirectory(selectionDirectory(of: request.runDirectory))
        if FileManager.default.fileExists(atPath: selection.configuration.path) {
            let found = try selection.loadConfiguration()
            guard found.model == request.model.rawValue, found.seed == request.seed else {
                throw RefitError.selectionDiffers(selection.url.path, reason: "it is a \(found.model) run with seed \(found.seed)")
            }
            log("selection: keeping the finished run \(selection.url.path)")
        } else {
            var selectionRequest = request
            selectionRequest.runDirectory = selection.url
            try ClassicalTrainer.train(selectionRequest) { log("selection: " + $0) }
        }
        log("refit: training again on train + validation")
        return try ClassicalTrainer.refit(selection: selection.url, into: refit.url, dataDirectory: request.dataDirectory, log: log)
    }

    /// The refit's run directory (keeping its `selection` folder), checked to be free or to hold
    /// this refit's unfinished parts.
    private static func checkedRefitDirectory(_ url: URL) throws -> RunDirectory {
        let refit = RunDirectory(url, keeping: [selectionFolderName])
        if FileManager.default.fileExists(atPath: refit.trainingSession.path) { return refit }
        try refit.checkFreeForNewRun()
        return refit
    }

    /// The finished selection run at `url`, its configuration, and the hash that the refit records.
    static func finishedSelection(_ url: URL) throws -> (run: RunDirectory, configuration: RunConfiguration, hash: String) {
        let run = RunDirectory(url)
        let configuration = try run.loadConfiguration()
        if configuration.refit != nil {
            throw RefitError.selectionDiffers(url.path, reason: "it is itself a refit, without a validation part to select on")
        }
        return (run, configuration, try SHA256.hash(fileAt: run.configuration).hexString)
    }
}

/// Why a refit cannot start.
public enum RefitError: Error, Equatable, CustomStringConvertible {
    /// The selection run at `path` cannot be the selection of this refit.
    case selectionDiffers(String, reason: String)

    public var description: String {
        switch self {
        case let .selectionDiffers(path, reason):
            return "\(path) cannot be this refit's selection run: \(reason); choose another --out"
        }
    }
}
