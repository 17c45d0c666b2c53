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

/// One training of a study, and one task of its Slurm job array: a model on the study's split,
/// or with `folds` one fold of a model's cross-validation.
public struct StudyTask: Equatable, Sendable {
    /// The model's index in the study (0-based).
    public var model: Int
    /// The fold (1-based), with `folds`; nil for a study on one split.
    public var fold: Int?

    /// Every task of `modelCount` models, model by model (with `folds`, fold by fold): the index
    /// of a task in this list is its Slurm array task id.
    public static func all(modelCount: Int, folds: Int?) -> [StudyTask] {
        (0..<modelCount).flatMap { model in
            folds.map { folds in (1...folds).map { StudyTask(model: model, fold: $0) } } ?? [StudyTask(model: model, fold: nil)]
        }
    }

    /// The task's run folder relative to the study folder, for its model's folder `modelName`:
    /// "svm", or "svm/fold-2".
    public func runPath(modelName: String) -> String {
        fold.map { "\(modelName)/fold-\($0)" } ?? modelName
    }

    /// The task's run folder relative to the study folder: "svm", or "svm/fold-2".
    public func runPath(in request: StudyRequest) -> String { runPath(modelName: request.models[model].name) }

    /// The name of its lock in `STUDY/.locks`: "svm", or "svm.fold-2".
    func lockName(in request: StudyRequest) -> String {
        let name = request.models[model].name
        return fold.map { "\(name).fold-\($0)" } ?? name
    }

    /// Whether the task's training is finished, its model's run folder being `modelRun`: the
    /// model's run (or whole cross-validation) is, or the task's fold run is.
    public func isFinished(modelRun: URL) -> Bool {
        Study.isFinished(modelRun) || fold.map { TrainingJob.isFinished(CrossValidation.run(of: $0, in: modelRun)) } ?? false
    }
}

/// Trains a study: every model on one split (saved once as `split.json` and reused by all), or
/// with `folds` on the same K folds, each into a normal run directory of the study folder.
/// Re-running the same command continues a killed study: finished runs are kept, an interrupted
/// CNN or cell-attention run resumes from its checkpoint, and an unfinished classical run (which has no
/// checkpoint) is trained again.
///
/// The unit of work is a `StudyTask` (a model, or a fold of a model): a local study trains the
/// tasks one after the other, a Slurm study submits each as one task of a job array.
public enum Study {
    /// Trains (or continues) every task; `control(index, label)` gives the log and progress of
    /// task `index` (0-based, of `tasks(of:)`). Returns the model run folders, or nil when a
    /// training was stopped on purpose (`stopAfterEpoch`) before its end.
    /// - Throws: `StudyError`; what splitting or training throws.
    @discardableResult
    public static func run(_ request: StudyRequest, log: (String) -> Void,
                           control: (_ index: Int, _ label: String) -> CNNTrainingControl) throws -> [URL]? {
        try prepare(request, log: log)
        for (index, task) in tasks(of: request).enumerated() {
            guard try train(request, task: task, log: log, control: control(index, task.runPath(in: request))) else { return nil }
        }
        log("study: all \(request.models.count) models finished in \(request.directory.path)")
        return runs(of: request)
    }

    /// The study's trainings in order, model by model (with `folds`, fold by fold): the index of a
    /// task in this list is its Slurm array task id.
    public static func tasks(of request: StudyRequest) -> [StudyTask] {
        StudyTask.all(modelCount: request.models.count, folds: request.folds)
    }

    /// Makes the study folder once: checks the models, writes `split.json` (without `folds`; with
    /// `folds`, each model's cross-validation folder with its fold splits) and `study.json`; a
    /// folder that holds the same study is continued, one with other settings refused.
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
        if let folds = request.folds {
            // Every fold's split exists before any fold trains: a Slurm study trains them in parallel.
            for index in request.models.indices where !isFinished(runs(of: request)[index]) {
                try CrossValidation.prepare(job(request, model: index).crossValidation(folds: folds, into: runs(of: request)[index]),
                                            log: log)
            }
        }
    }

    /// Trains (or continues) one task of a prepared study, as every executor trains it: a local
    /// study one after the other, each task of a Slurm job array one. A finished run is kept; the
    /// fold that completes a model's cross-validation also pools its folds. Returns whether the
    /// task's run is finished (false: stopped on purpose before its end).
    /// - Throws: `StudyError.busy` when another process trains this task; what training throws.
    public static func train(_ request: StudyRequest, task: StudyTask, log: (String) -> Void,
                             control taskControl: CNNTrainingControl) throws -> Bool {
        let all = tasks(of: request)
        let name = task.runPath(in: request)
        let prefix = "[\((all.firstIndex(of: task) ?? 0) + 1)/\(all.count) \(name)] "
        // One trainer per task, whatever starts it: held until this function returns (or the process dies).
        let lock = try ModelLock(request.directory, name: task.lockName(in: request))
        defer { lock.release() }
        let modelRun = runs(of: request)[task.model]
        if task.isFinished(modelRun: modelRun) {
            log(prefix + "finished earlier; kept")
            return true
        }
        let job = job(request, model: task.model)
        log(prefix + "training \(request.models[task.model].model.displayName)")
        guard let fold = task.fold, let folds = request.folds else {
            return try job.run(into: modelRun, control: taskControl, continuing: true) != nil
        }
        let crossValidation = job.crossValidation(folds: folds, into: modelRun)
        guard try CrossValidation.train(fold: fold, of: crossValidation, log: taskControl.log, trainFold: { split, run in
            try job.trainFold(split: split, into: run, control: taskControl)
        }) else { return false }
        try CrossValidation.summarize(crossValidation, log: taskControl.log)
        return true
    }

    /// Pools every model's cross-validation whose folds all finished but whose pooled scores are
    /// missing (the task that finished last was stopped before it pooled them): what the
    /// comparison does first.
    public static func poolFinishedCrossValidations(_ request: StudyRequest, log: (String) -> Void) throws {
        guard let folds = request.folds else { return }
        for (index, run) in runs(of: request).enumerated() where !isFinished(run) {
            try CrossValidation.summarize(job(request, model: index).crossValidation(folds: folds, into: run), log: log)
        }
    }

    /// The training job of model `index`, on the study's split (its folds' splits with `folds`).
    private static func job(_ request: StudyRequest, model index: Int) -> TrainingJob {
        TrainingJob(model: request.models[index].model, data: request.data, seed: request.seed, split: request.split,
                    reusedSplit: request.folds == nil ? RunDirectory(request.directory).splitManifest : nil, refit: request.refit,
                    weightsCache: request.weightsCache, featureCache: request.featureCache)
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

/// An exclusive `flock` on `STUDY/.locks/NAME.lock`: the one process training a task of the study.
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
