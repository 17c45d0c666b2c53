import ClassicML
import Foundation
import ModelZoo
import NeuralNetworks
import Tensors
import Datasets
import Evaluation
import WeightFiles

/// What to train: a CNN on a data folder, into a new run directory.
public struct CNNTrainingRequest: Sendable {
    public var options: CNNTrainingOptions
    public var dataDirectory: URL
    public var runDirectory: URL
    public var split: SplitConfiguration
    /// A split manifest to reuse instead of making a new split.
    public var reusedSplit: URL?
    /// A dataset description replacing the data folder's own (`--classes`), or nil.
    public var classesFile: URL?
    /// A cost matrix file (`--cost`), or nil for the dataset's default.
    public var costFile: URL?
    /// Where `--weights imagenet` looks for `<architecture>.safetensors`.
    public var weightsCache: URL
    /// Where frozen-backbone features are kept between runs.
    public var featureCache: URL

    public init(options: CNNTrainingOptions, dataDirectory: URL, runDirectory: URL, split: SplitConfiguration,
                reusedSplit: URL? = nil, classesFile: URL? = nil, costFile: URL? = nil,
                weightsCache: URL = WeightStore.defaultFolder(),
                featureCache: URL = FeatureCache.defaultDirectory) {
        self.options = options
        self.dataDirectory = dataDirectory
        self.runDirectory = runDirectory
        self.split = split
        self.reusedSplit = reusedSplit
        self.classesFile = classesFile
        self.costFile = costFile
        self.weightsCache = weightsCache
        self.featureCache = featureCache
    }

    /// The data folder, its class set and the cost matrix.
    public var data: TrainingData { TrainingData(directory: dataDirectory, descriptionFile: classesFile, costFile: costFile) }
}

/// How a training session reports and when it stops early on purpose.
public struct CNNTrainingControl {
    /// One line per step (data, caching, each epoch, test result).
    public var log: (String) -> Void
    /// Progress within each training epoch.
    public var progress: ((EpochProgress) -> Void)?
    /// Ends the session after this epoch's checkpoint, as if the process were killed there
    /// (for `--stop-after`, and for testing `--resume`).
    public var stopAfterEpoch: Int?
    /// Logs where each epoch's time went (`train --profile`, `EpochProfile`).
    public var profile: Bool

    public init(log: @escaping (String) -> Void = { _ in }, progress: ((EpochProgress) -> Void)? = nil,
                stopAfterEpoch: Int? = nil, profile: Bool = false) {
        self.log = log
        self.progress = progress
        self.stopAfterEpoch = stopAfterEpoch
        self.profile = profile
    }
}

/// How a training session ended.
public struct CNNTrainingOutcome {
    /// Every epoch so far, resumed ones included.
    public var epochs: [EpochRecord]
    /// The epoch whose weights were kept.
    public var bestEpoch: Int
    /// Whether early stopping ended the training (rather than the epoch limit).
    public var stoppedEarly: Bool
    /// Test metrics of the best weights; nil when the session was stopped before the end.
    public var testMetrics: ClassificationMetrics?
    /// The epochs whose weight average was kept instead of `bestEpoch`'s weights (`--average-from`), or nil.
    public var averagedEpochs: ClosedRange<Int>? = nil
}

/// Trains a CNN following the study (Adam, class weights, early stopping on the validation loss
/// with the best weights restored, reduce-on-plateau), checkpointing after every epoch so that
/// `resume` continues a killed run and ends exactly where the uninterrupted run would have.
public enum CNNTrainer {
    /// Starts a new training in a new run directory.
    @discardableResult
    public static func train(_ request: CNNTrainingRequest, control: CNNTrainingControl = .init()) throws -> CNNTrainingOutcome {
        try request.options.validate()
        let estimate = try TrainingMemoryEstimate.check(request.options)
        control.log(String(format: "memory: about %.0f MiB estimated at its peak", estimate))
        let run = RunDirectory(request.runDirectory)
        try run.checkFreeForNewRun()
        let (folder, cost) = try request.data.load()
        guard request.options.network.classCount == folder.classes.count else {
            throw CNNTrainingError.invalidOption(name: "model", value: "\(request.options.network.classCount) outputs",
                                                 expected: "\(folder.classes.count) outputs, one per class of \(request.dataDirectory.path) "
                                                    + "(\(folder.classes.names.joined(separator: ", ")))")
        }
        let manifest = try SplitManifest.makeOrReuse(folder: folder, configuration: request.split, reused: request.reusedSplit)
        try manifest.resolve(against: folder).requireEveryPart()
        // Fail on missing weights before anything is written.
        _ = try request.options.weights.file(for: request.options.network.pretrainedArchitecture,
                                             cache: request.weightsCache)
        let session = CNNTrainingSession(options: request.options, dataDirectory: request.dataDirectory.standardizedFileURL.path,
                                         cost: cost, dataset: folder.description, weightsCache: request.weightsCache.path,
                                         featureCache: request.featureCache.path, refit: nil)
        return try begin(session, manifest: manifest, in: run, folder: folder, control: control)
    }

    /// Claims `run`, writes its split and session, and runs the session's first epochs.
    /// `extraFiles` are written after the split (a refit's `selection-split.json`).
    static func begin(_ session: CNNTrainingSession, manifest: SplitManifest, in run: RunDirectory, folder: ImageFolder,
                      extraFiles: [(URL, SplitManifest)] = [], control: CNNTrainingControl) throws -> CNNTrainingOutcome {
        try run.beginTraining(manifest: manifest, extraFiles: extraFiles, session: session) {
            try CNNTrainingSessionRunner(session: session, directory: run, folder: folder, control: control).run()
        }
    }

    /// Continues the interrupted training in `runDirectory` from its last checkpoint.
    /// - Throws: `CNNTrainingError.alreadyFinished` or `.nothingToResume` naming the directory.
    @discardableResult
    public static func resume(_ runDirectory: URL, dataDirectory: URL? = nil,
                              control: CNNTrainingControl = .init()) throws -> CNNTrainingOutcome {
        let run = RunDirectory(runDirectory, keeping: [Refit.selectionFolderName])
        if FileManager.default.fileExists(atPath: run.configuration.path) { throw CNNTrainingError.alreadyFinished(run.url.path) }
        guard FileManager.default.fileExists(atPath: run.trainingSession.path) else {
            throw CNNTrainingError.nothingToResume(run.url.path)
        }
        var session: CNNTrainingSession = try run.readJSON(run.trainingSession)
        if let dataDirectory { session.dataDirectory = dataDirectory.standardizedFileURL.path }
        let folder = try ImageFolder.scan(URL(fileURLWithPath: session.dataDirectory), conformingTo: session.datasetDescription,
                                          allowingMissingClasses: false)
        return try CNNTrainingSessionRunner(session: session, directory: run, folder: folder, control: control).run()
    }
}

/// What `training-options.json` records: the options and the locations a resumed run needs.
struct CNNTrainingSession: Codable {
    var options: CNNTrainingOptions
    var dataDirectory: String
    var cost: CostMatrix
    /// The dataset's classes; nil in sessions started before class sets were data (the ALL classes).
    var dataset: DatasetDescription?
    var weightsCache: String
    var featureCache: String
    /// For a refit: the selection run and the learning rate of each epoch to train; nil for a
    /// training with validation, early stopping and reduce-on-plateau.
    var refit: RefitOrigin?

    var datasetDescription: DatasetDescription { dataset ?? .acuteLymphoblasticLeukemia }

    enum CodingKeys: String, CodingKey {
        case options, dataDirectory = "data_directory", cost, dataset, weightsCache = "weights_cache", featureCache = "feature_cache"
        case refit
    }
}

/// The training state after an epoch, stored in the checkpoint's metadata.
struct CNNTrainingState: Codable, Equatable {
    /// Epochs completed.
    var epoch: Int
    var earlyStopping: EarlyStopping
    /// The validation loss of every completed epoch (reduce-on-plateau is replayed from them);
    /// empty in a refit.
    var validationLosses: [Float]
    /// Whether early stopping has ended the training.
    var stopped: Bool
    /// Seconds spent in epochs so far, over all sessions.
    var seconds: Double
    /// The peak resident memory of the training process so far (MiB), the largest over all
    /// sessions (`PeakMemory`, reset when each session starts); nil in checkpoints written before
    /// it was recorded.
    var peakMemoryMiB: Double? = nil

    static let metadataKey = "training_state"

    enum CodingKeys: String, CodingKey {
        case epoch, earlyStopping = "early_stopping", validationLosses = "validation_losses", stopped, seconds
        case peakMemoryMiB = "peak_memory_mib"
    }
}

extension CNNTrainingState {
    /// The state of a training that has not trained an epoch yet.
    init(beforeTheFirstEpochWithPatience patience: Int) {
        self.init(epoch: 0, earlyStopping: EarlyStopping(patience: patience), validationLosses: [], stopped: false, seconds: 0)
    }

    /// Restores `layer` and `optimizer` from the checkpoint in `directory` and returns the training
    /// state after its epoch with the epoch log cut to it, and the checkpoint's running weight
    /// average if it has one; nil (the log emptied) when there is no checkpoint yet. What a resumed
    /// CNN or cell-attention session starts from.
    /// - Parameter validatesEveryEpoch: whether each epoch recorded a validation loss (false in a refit).
    /// - Throws: `CNNTrainingError.corruptCheckpoint` naming the checkpoint or the epoch log;
    ///   what `TrainingCheckpoint.load` throws for a checkpoint that does not fit.
    static func restore(from directory: RunDirectory, into layer: any Layer, optimizer: any Optimizer, epochLog: EpochLog,
                        validatesEveryEpoch: Bool = true)
        throws -> (state: CNNTrainingState, records: [EpochRecord], averagedModel: StateDict?)? {
        guard FileManager.default.fileExists(atPath: directory.checkpoint.path) else {
            try epochLog.write([])
            return nil
        }
        let (metadata, averagedModel) = try TrainingCheckpoint.load(into: layer, optimizer: optimizer, from: directory.checkpoint)
        guard let text = metadata[metadataKey], let state = try? JSONDecoder().decode(CNNTrainingState.self, from: Data(text.utf8)),
              state.validationLosses.count == (validatesEveryEpoch ? state.epoch : 0) else {
            throw CNNTrainingError.corruptCheckpoint(directory.checkpoint.path, reason: "no valid '\(metadataKey)' metadata")
        }
        let records = Array(try epochLog.read().prefix(state.epoch))
        guard records.count == state.epoch else {
            throw CNNTrainingError.corruptCheckpoint(directory.epochLog.path,
                                                     reason: "\(records.count) epochs logged, the checkpoint has \(state.epoch)")
        }
        try epochLog.write(records)
        return (state, records, averagedModel)
    }
}
