import Foundation
import Datasets
import Evaluation
import ToolkitSupport

/// What `leukemia study` trains: several models on one data folder, on one split made once.
public struct StudyRequest: Sendable {
    /// The study folder: `study.json`, `split.json` (or, with `folds`, one cross-validation per
    /// model), one run directory per model, and the comparison.
    public var directory: URL
    public var data: TrainingData
    /// The models, each with the name of its run folder inside `directory`.
    public var models: [(name: String, model: ModelSpecification)]
    public var seed: UInt64
    public var split: SplitConfiguration
    /// A split manifest to use instead of making one (`--split`).
    public var reusedSplit: URL?
    /// Cross-validate every model on the same K folds instead of one split.
    public var folds: Int?
    public var refit: Bool
    public var weightsCache: URL
    public var featureCache: URL
    /// The command line that started the study, recorded so that the report can reproduce it.
    public var commandLine: [String]

    public init(directory: URL, data: TrainingData, models: [(name: String, model: ModelSpecification)], seed: UInt64,
                split: SplitConfiguration, reusedSplit: URL? = nil, folds: Int? = nil, refit: Bool = false,
                weightsCache: URL = WeightStore.defaultFolder(), featureCache: URL = FeatureCache.defaultDirectory,
                commandLine: [String] = []) {
        self.directory = directory
        self.data = data
        self.models = models
        self.seed = seed
        self.split = split
        self.reusedSplit = reusedSplit
        self.folds = folds
        self.refit = refit
        self.weightsCache = weightsCache
        self.featureCache = featureCache
        self.commandLine = commandLine
    }
}

/// `study.json`: what a study folder holds and how it was made. `compare` reads `runs`.
public struct StudyRecord: Codable, Equatable, Sendable {
    public static let fileName = "study.json"
    public static let currentFormatVersion = 1

    public var formatVersion: Int
    public var toolkitVersion: String
    public var dataDirectory: String
    public var seed: UInt64
    /// Each model as reports name it, in the order trained.
    public var models: [String]
    /// Each model's run folder, relative to the study folder (a cross-validation folder with `folds`).
    public var runs: [String]
    /// The shared split (`split.json`), or nil with `folds` (each cross-validation holds the same folds).
    public var split: String?
    public var splitConfiguration: SplitConfiguration
    public var folds: Int?
    public var refit: Bool
    public var commandLine: [String]
    public var createdAt: String

    /// The settings that must match for a re-run to continue this study.
    func differences(from other: StudyRecord) -> [String] {
        var differences: [String] = []
        if dataDirectory != other.dataDirectory { differences.append("data \(dataDirectory) vs \(other.dataDirectory)") }
        if seed != other.seed { differences.append("seed \(seed) vs \(other.seed)") }
        if models != other.models || runs != other.runs { differences.append("models \(models) vs \(other.models)") }
        if splitConfiguration != other.splitConfiguration { differences.append("split settings differ") }
        if folds != other.folds { differences.append("folds \(folds.map(String.init) ?? "none") vs \(other.folds.map(String.init) ?? "none")") }
        if refit != other.refit { differences.append("refit \(refit) vs \(other.refit)") }
        return differences
    }

    enum CodingKeys: String, CodingKey {
        case formatVersion = "format_version", toolkitVersion = "toolkit_version", dataDirectory = "data_directory", seed
        case models, runs, split, splitConfiguration = "split_configuration", folds, refit, commandLine = "command_line"
        case createdAt = "created_at"
    }
}

/// Why a study cannot start or continue.
public enum StudyError: DescribedError, Equatable {
    /// The folder holds a study made with other settings.
    case otherSettings(path: String, differences: [String])
    /// Two models would share one run folder.
    case duplicateModel(String)
    case noModels
    /// Another process (a Slurm task, another study command) trains this model now.
    case busy(model: String, lock: String)
    /// A folder without `study.json`.
    case notAStudy(String)

    public var description: String {
        switch self {
        case let .otherSettings(path, differences):
            return "\(path) holds a study with other settings (\(differences.joined(separator: "; "))); "
                + "re-run its own command to continue it, or choose another --out directory"
        case .duplicateModel(let name): return "the model \(name) is listed twice; each model of a study is trained once"
        case .noModels: return "a study needs at least one model (--models)"
        case let .busy(model, lock):
            return "the model \(model) is being trained by another process (it holds \(lock)); it is not trained twice"
        case .notAStudy(let path): return "\(path) is not a study folder (it has no \(StudyRecord.fileName))"
        }
    }
}

/// Trains a study: every model on one split (saved once as `split.json` and reused by all), or
/// with `folds` on the same K folds, each into a normal run directory of the study folder.
/// Re-running the same command continues a killed study: finished runs are kept, an interrupted
/// CNN run resumes from its checkpoint, and an unfinished classical run (which has no
/// checkpoint) is trained again.
public enum Study {
    /// Trains (or continues) every model; `control(index, name)` gives the log and progress of
    /// model `index` (0-based). Returns the run folders, or nil when a training was stopped on
    /// purpose (`stopAfterEpoch`) before its end.
    /// - Throws: `StudyError`; what splitting or training throws.
    @discardableResult
    public static func run(_ request: StudyRequest, log: (String) -> Void,
                           control: (_ index: Int, _ name: String) -> CNNTrainingControl) throws -> [URL]? {
        try prepare(request, log: log)
        for index in request.models.indices {
            guard try train(request, model: index, log: log, control: control(index, request.models[index].name)) else { return nil }
        }
        log("study: all \(request.models.count) models finished in \(request.directory.path)")
        return runs(of: request)
    }

    /// Makes the study folder once: checks the models, writes `split.json` (without `folds`) and
    /// `study.json`; a folder that holds the same study is continued, one with other settings refused.
    /// What every executor does first, on the submitting machine.
    /// - Throws: `StudyError`; what loading the data or splitting throws.
    public static func prepare(_ request: StudyRequest, log: (String) -> Void) throws {
        guard !request.models.isEmpty else { throw StudyError.noModels }
        if let duplicate = Dictionary(grouping: request.models.map(\.name), by: { $0 }).first(where: { $1.count > 1 })?.key {
            throw StudyError.duplicateModel(duplicate)
        }
        let study = RunDirectory(request.directory)
        let record = StudyRecord(
            formatVersion: StudyRecord.currentFormatVersion, toolkitVersion: ToolkitVersion.current,
            dataDirectory: request.data.directory.standardizedFileURL.path, seed: request.seed,
            models: request.models.map(\.model.displayName), runs: request.models.map(\.name),
            split: request.folds == nil ? study.splitManifest.lastPathComponent : nil, splitConfiguration: request.split,
            folds: request.folds, refit: request.refit, commandLine: request.commandLine,
            createdAt: ISO8601DateFormatter().string(from: Date()))
        let recordFile = request.directory.appendingPathComponent(StudyRecord.fileName)
        if FileManager.default.fileExists(atPath: recordFile.path) {
            let recorded: StudyRecord = try study.readJSON(recordFile)
            let differences = recorded.differences(from: record)
            guard differences.isEmpty else { throw StudyError.otherSettings(path: request.directory.path, differences: differences) }
            log("continuing the study in \(request.directory.path)")
        } else {
            let (folder, _) = try request.data.load()
            try study.claimForNewRun()
            if request.folds == nil {
                let manifest = try SplitManifest.makeOrReuse(folder: folder, configuration: request.split, reused: request.reusedSplit)
                try manifest.resolve(against: folder).requireEveryPart()
                try manifest.save(to: study.splitManifest)
            }
            // Written last: a folder with it has its split.
            try study.writeJSON(record, to: recordFile)
            log("study: \(request.models.count) models on \(folder.images.count) images of \(folder.classes.count) classes, seed \(request.seed)"
                + (request.folds.map { ", \($0)-fold cross-validation" } ?? ", one split (\(study.splitManifest.path))"))
        }
    }

    /// Trains (or continues) model `index` (0-based) of a prepared study, as every executor trains
    /// it: a local study one after the other, each task of a Slurm job array one. A finished run
    /// is kept. Returns whether the run is finished (false: stopped on purpose before its end).
    /// - Throws: what training throws.
    public static func train(_ request: StudyRequest, model index: Int, log: (String) -> Void,
                             control modelControl: CNNTrainingControl) throws -> Bool {
        let (name, model) = request.models[index]
        let study = RunDirectory(request.directory)
        let run = request.directory.appendingPathComponent(name)
        let prefix = "[\(index + 1)/\(request.models.count) \(name)] "
        // One trainer per model, whatever starts it: held until this function returns (or the process dies).
        let lock = try ModelLock(request.directory, name: name)
        defer { lock.release() }
        if isFinished(run) {
            log(prefix + "finished earlier; kept")
            return true
        }
        let job = TrainingJob(model: model, data: request.data, seed: request.seed, split: request.split,
                              reusedSplit: request.folds == nil ? study.splitManifest : nil, refit: request.refit,
                              weightsCache: request.weightsCache, featureCache: request.featureCache)
        log(prefix + "training \(model.displayName)")
        if let folds = request.folds {
            return try job.crossValidate(folds: folds, into: run, log: modelControl.log, control: modelControl) != nil
        }
        return try job.run(into: run, control: modelControl, continuing: true) != nil
    }

    /// The run folder of each model, in the study's order.
    public static func runs(of request: StudyRequest) -> [URL] {
        request.models.map { request.directory.appendingPathComponent($0.name) }
    }

    /// Whether the model's folder holds a finished run (or a finished cross-validation).
    public static func isFinished(_ run: URL) -> Bool {
        TrainingJob.isFinished(run) || FileManager.default.fileExists(atPath: RunDirectory(run).metrics.path)
            && FileManager.default.fileExists(atPath: RunDirectory(run).crossValidationRecord.path)
    }
}

/// An exclusive `flock` on `STUDY/.locks/NAME.lock`: the one process training a model of the study.
/// The kernel releases it when the process ends, killed or not.
struct ModelLock {
    let descriptor: Int32

    /// - Throws: `StudyError.busy` when another process holds it.
    init(_ study: URL, name: String) throws {
        let folder = study.appendingPathComponent(".locks")
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let file = folder.appendingPathComponent("\(name).lock")
        descriptor = open(file.path, O_CREAT | O_RDWR, 0o644)
        guard descriptor >= 0 else { throw RunDirectoryError.cannotCreate(file.path, reason: String(cString: strerror(errno))) }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            close(descriptor)
            throw StudyError.busy(model: name, lock: file.path)
        }
    }

    func release() { close(descriptor) }
}
