import Foundation
import Datasets
import Evaluation
import ToolkitSupport

/// What a cross-validation trains: one model on each of K folds of a data folder, into a folder
/// of fold runs (`--folds K`).
public struct CrossValidationRequest: Sendable {
    public var foldCount: Int
    public var data: TrainingData
    /// The folder to create: `cross-validation.json`, `splits/fold-N.json`, the runs `fold-N/`,
    /// then `metrics.json` and `report.md`.
    public var directory: URL
    public var seed: UInt64
    /// Runs of consecutive file numbers kept in one fold (`--group-runs`), or nil.
    public var groupRuns: Int?
    /// The share of the other folds' images that selects the model (validation part).
    public var validationFraction: Double
    /// The model's name in reports, e.g. "svm" or "efficientnet-lite0 (frozen)".
    public var model: String

    public init(foldCount: Int, data: TrainingData, directory: URL, seed: UInt64, groupRuns: Int?,
                validationFraction: Double, model: String) {
        self.foldCount = foldCount
        self.data = data
        self.directory = directory
        self.seed = seed
        self.groupRuns = groupRuns
        self.validationFraction = validationFraction
        self.model = model
    }
}

/// Why a cross-validation cannot start or continue.
public enum CrossValidationError: DescribedError, Equatable {
    /// The folder holds a cross-validation made with other settings.
    case otherSettings(path: String, differences: [String])

    public var description: String {
        switch self {
        case let .otherSettings(path, differences):
            return "\(path) holds a cross-validation with other settings (\(differences.joined(separator: "; "))); "
                + "re-run its own command to continue it, or choose another --out directory"
        }
    }
}

/// Stratified, grouped K-fold cross-validation: one run per fold, trained by the model's own
/// trainer on a split whose test part is the fold; then the folds' scores with their mean and
/// standard deviation, and the pooled out-of-fold predictions, in `metrics.json` and `report.md`.
///
/// Re-running the same command continues an interrupted cross-validation: finished folds are
/// kept, an interrupted CNN fold is resumed. A folder made with other settings is refused.
public enum CrossValidation {
    /// The settings a cross-validation folder records (`cross-validation.json`).
    struct Record: Codable, Equatable {
        var foldCount: Int
        var seed: UInt64
        var groupRuns: Int?
        var validationFraction: Double
        var model: String
        var dataDirectory: String
        var dataset: DatasetDescription
        var cost: CostMatrix

        enum CodingKeys: String, CodingKey {
            case foldCount = "fold_count", seed, groupRuns = "group_runs", validationFraction = "validation_fraction", model
            case dataDirectory = "data_directory", dataset, cost
        }

        /// The settings that differ from `other`'s, in words.
        func differences(from other: Record) -> [String] {
            var found: [String] = []
            if foldCount != other.foldCount { found.append("folds \(other.foldCount), not \(foldCount)") }
            if seed != other.seed { found.append("seed \(other.seed), not \(seed)") }
            if groupRuns != other.groupRuns { found.append("group runs \(other.groupRuns.map(String.init) ?? "none")") }
            if validationFraction != other.validationFraction { found.append("validation fraction \(other.validationFraction)") }
            if model != other.model { found.append("model \(other.model), not \(model)") }
            if dataDirectory != other.dataDirectory { found.append("data \(other.dataDirectory)") }
            if dataset != other.dataset { found.append("other classes") }
            if cost != other.cost { found.append("another cost matrix") }
            return found
        }
    }

    /// Runs `trainFold(split, run)` for every fold (1...K), or for fold `only` alone, whose run is
    /// not finished yet (an interrupted run is left for `trainFold` to continue), then pools the
    /// folds' test predictions once all K are finished; writes and returns the summary, or nil when
    /// a fold is unfinished (another fold's turn with `only`, or a training stopped on purpose
    /// with `--stop-after`).
    /// - Throws: `CrossValidationError.otherSettings` for a folder made with other settings; what
    ///   the folder scan, the fold assignment or `trainFold` throw.
    @discardableResult
    public static func run(_ request: CrossValidationRequest, only: Int? = nil, log: (String) -> Void,
                           trainFold: (_ split: URL, _ run: URL) throws -> Void)
        throws -> CrossValidationMetrics? {
        precondition(only.map { (1...request.foldCount).contains($0) } ?? true, "fold \(only!) of \(request.foldCount)")
        let prepared = try prepare(request, log: log)
        for fold in only.map({ [$0] }) ?? Array(1...request.foldCount) {
            guard try train(fold: fold, of: request, log: log, trainFold: trainFold) else { return nil }
        }
        return try summarize(request, prepared: prepared, log: log)
    }

    /// The data a prepared cross-validation scores its folds on.
    public struct Prepared {
        let folder: ImageFolder
        let cost: CostMatrix
    }

    /// Makes the folder once (`cross-validation.json` and every fold's split), or checks that it
    /// holds this cross-validation. What a Slurm study does on the submitting machine before its
    /// folds train in parallel.
    /// - Throws: `CrossValidationError.otherSettings` for a folder made with other settings; what
    ///   the folder scan or the fold assignment throw.
    @discardableResult
    public static func prepare(_ request: CrossValidationRequest, log: (String) -> Void) throws -> Prepared {
        let (folder, cost) = try request.data.load()
        let record = Record(foldCount: request.foldCount, seed: request.seed, groupRuns: request.groupRuns,
                            validationFraction: request.validationFraction, model: request.model,
                            dataDirectory: request.data.directory.standardizedFileURL.path, dataset: folder.description, cost: cost)
        let directory = RunDirectory(request.directory)
        let recordFile = directory.crossValidationRecord
        let splits = request.directory.appendingPathComponent("splits")
        if FileManager.default.fileExists(atPath: recordFile.path) {
            let recorded = try JSONDecoder().decode(Record.self, from: directory.readRequired(recordFile))
            let differences = recorded.differences(from: record)
            guard differences.isEmpty else { throw CrossValidationError.otherSettings(path: request.directory.path, differences: differences) }
            log("continuing the cross-validation in \(request.directory.path)")
        } else {
            let manifests = try CrossValidationPlan.manifests(for: folder, foldCount: request.foldCount, seed: request.seed,
                                                              groupRuns: request.groupRuns, validationFraction: request.validationFraction)
            try directory.claimForNewRun()
            do {
                try FileManager.default.createDirectory(at: splits, withIntermediateDirectories: true)
            } catch {
                throw RunDirectoryError.cannotCreate(splits.path, reason: error.localizedDescription)
            }
            for (index, manifest) in manifests.enumerated() {
                try manifest.save(to: split(of: index + 1, in: request.directory))
            }
            // Written last: a folder with it has every split.
            try directory.writeJSON(record, to: recordFile)
            log("cross-validation: \(request.foldCount) folds of \(folder.images.count) images, \(folder.classes.count) classes, "
                + "seed \(request.seed)" + (request.groupRuns.map { ", runs of \($0) file numbers kept together" } ?? ""))
        }
        return Prepared(folder: folder, cost: cost)
    }

    /// The run folder of fold `fold` (1-based) of the cross-validation in `directory`.
    public static func run(of fold: Int, in directory: URL) -> URL { directory.appendingPathComponent("fold-\(fold)") }

    /// The split manifest of fold `fold` (1-based): its test part is the fold.
    static func split(of fold: Int, in directory: URL) -> URL { directory.appendingPathComponent("splits/fold-\(fold).json") }

    /// Trains fold `fold` (1-based) of a prepared cross-validation with `trainFold(split, run)`,
    /// unless its run is finished (an interrupted run is left for `trainFold` to continue).
    /// Returns whether the fold's run is finished (false: stopped on purpose before its end).
    public static func train(fold: Int, of request: CrossValidationRequest, log: (String) -> Void,
                             trainFold: (_ split: URL, _ run: URL) throws -> Void) throws -> Bool {
        let run = RunDirectory(run(of: fold, in: request.directory))
        let manager = FileManager.default
        guard !manager.fileExists(atPath: run.configuration.path) else { return true }
        log("fold \(fold)/\(request.foldCount)" + (manager.fileExists(atPath: run.trainingSession.path) ? ": resuming" : ""))
        try trainFold(split(of: fold, in: request.directory), run.url)
        guard manager.fileExists(atPath: run.configuration.path) else {
            log("fold \(fold) stopped before the end of its training; re-run the command to continue")
            return false
        }
        return true
    }

    /// Pools the folds' test predictions once every fold's run is finished: writes `metrics.json`,
    /// the pooled `scores.json` and `report.md`, and returns the summary; nil (nothing written)
    /// while a fold is unfinished. Writing it again gives the same files.
    /// - Throws: what reading a fold's scores or writing the files throws.
    @discardableResult
    public static func summarize(_ request: CrossValidationRequest, prepared: Prepared? = nil,
                                 log: (String) -> Void) throws -> CrossValidationMetrics? {
        let folds = (1...request.foldCount).map { RunDirectory(run(of: $0, in: request.directory)) }
        guard folds.allSatisfy({ FileManager.default.fileExists(atPath: $0.configuration.path) }) else { return nil }
        let (folder, cost) = try prepared.map { ($0.folder, $0.cost) } ?? request.data.load()
        let directory = RunDirectory(request.directory)
        var foldMetrics: [ClassificationMetrics] = [], pooled: [ScoredImages] = []
        for (index, run) in folds.enumerated() {
            let scored = try ScoredImages.load(from: run.url)
            let metrics = try scored.metrics(cost: cost, positiveClass: folder.classes.positiveClass)
            log(String(format: "fold %d: accuracy %.4f, macro F1 %.4f, total cost %.0f on %d test images", index + 1,
                       metrics.accuracy, metrics.macroF1, metrics.totalCost, metrics.sampleCount))
            foldMetrics.append(metrics)
            pooled.append(scored)
        }
        let all = ScoredImages(classNames: folder.classes.names, paths: pooled.flatMap(\.paths), labels: pooled.flatMap(\.labels),
                               probabilities: pooled.flatMap(\.probabilities))
        let summary = CrossValidationMetrics(folds: foldMetrics, pooled: try all.metrics(cost: cost, positiveClass: folder.classes.positiveClass))
        try directory.writeJSON(all, to: request.directory.appendingPathComponent(ScoredImages.fileName))
        let report = summary.markdown(
            title: "\(request.model) — \(request.foldCount)-fold cross-validation on \(request.data.directory.lastPathComponent)",
            details: [("model", request.model), ("data", request.data.directory.standardizedFileURL.path),
                      ("classes", folder.classes.names.joined(separator: ", ")), ("seed", "\(request.seed)"),
                      ("grouping", request.groupRuns.map { "identical files; runs of \($0) file numbers" } ?? "identical files"),
                      ("validation share of the other folds", String(format: "%.3f", request.validationFraction))])
        try AtomicFile.write(Data(report.utf8), to: directory.report)
        // Written last: a folder with it is a finished cross-validation.
        try directory.writeJSON(summary, to: directory.metrics)
        for name in ["accuracy", "macro_f1", "total_cost"] {
            if let text = summary.meanAndDeviation(name, digits: name == "total_cost" ? 1 : 4) { log("\(name): \(text) over \(request.foldCount) folds") }
        }
        log(String(format: "pooled out-of-fold: accuracy %.4f, total cost %.0f on %d images", summary.pooled.accuracy,
                   summary.pooled.totalCost, summary.pooled.sampleCount))
        return summary
    }
}
