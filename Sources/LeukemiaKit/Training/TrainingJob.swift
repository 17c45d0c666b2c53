import Foundation
import Datasets
import Evaluation

/// The model a training job trains: a classical model, a CNN with every option, or the
/// cell-attention model.
public enum ModelSpecification: Sendable, Equatable {
    case classical(ClassicalModelKind)
    case cnn(CNNTrainingOptions)
    case cellAttention(CellAttentionOptions)

    /// The name reports use, e.g. "svm" or "efficientnet-lite0 (full)".
    public var displayName: String {
        switch self {
        case .classical(let kind): return kind.rawValue
        case .cnn(let options): return "\(options.network.name) (\(options.policy.rawValue))"
        case .cellAttention(let options): return "\(CellAttentionOptions.modelName) (\(options.backbone.rawValue), \(options.policy.rawValue))"
        }
    }

    /// Whether an interrupted training continues from its checkpoint (a CNN's or a cell-attention
    /// model's); a classical model has none and trains again.
    public var resumesFromCheckpoint: Bool {
        if case .classical = self { return false }
        return true
    }
}

/// One model trained into one run directory the way `train` trains it: a new run, the
/// continuation of an interrupted CNN run, or a selection and its refit (`refit`). What
/// `train`, each fold of `train --folds` and each model of `study` run.
public struct TrainingJob: Sendable {
    public var model: ModelSpecification
    public var data: TrainingData
    public var seed: UInt64
    public var split: SplitConfiguration
    /// A split manifest to reuse instead of making a new split.
    public var reusedSplit: URL?
    public var refit: Bool
    public var weightsCache: URL
    public var featureCache: URL

    public init(model: ModelSpecification, data: TrainingData, seed: UInt64, split: SplitConfiguration, reusedSplit: URL? = nil,
                refit: Bool = false, weightsCache: URL = WeightStore.defaultFolder(), featureCache: URL = FeatureCache.defaultDirectory) {
        self.model = model
        self.data = data
        self.seed = seed
        self.split = split
        self.reusedSplit = reusedSplit
        self.refit = refit
        self.weightsCache = weightsCache
        self.featureCache = featureCache
    }

    /// Whether `directory` holds the finished run of a job (its `config.json`).
    public static func isFinished(_ directory: URL) -> Bool {
        FileManager.default.fileExists(atPath: RunDirectory(directory).configuration.path)
    }

    /// Whether `directory` holds an interrupted training that `resume` continues.
    static func isInterrupted(_ directory: URL) -> Bool {
        !isFinished(directory) && FileManager.default.fileExists(atPath: RunDirectory(directory).trainingSession.path)
    }

    /// Continues the interrupted training in `directory` (`train --resume`), a CNN's or a
    /// cell-attention model's, from its last checkpoint with the options it was started with;
    /// its data now in `dataDirectory`, when given. Returns the test metrics, or nil when the
    /// session was stopped on purpose before the end.
    /// - Throws: `CNNTrainingError.alreadyFinished` or `.nothingToResume` naming the directory.
    @discardableResult
    public static func resume(_ directory: URL, dataDirectory: URL?, control: CNNTrainingControl) throws -> ClassificationMetrics? {
        if CellAttentionTrainingSession.isRecorded(in: RunDirectory(directory)) {
            return try CellAttentionTrainer.resume(directory, dataDirectory: dataDirectory, control: control)
        }
        let outcome = try CNNTrainer.resume(directory, dataDirectory: dataDirectory, control: control)
        return isFinished(directory) ? outcome.testMetrics : nil
    }

    /// Trains into `directory`; an interrupted CNN or cell-attention run there (or, with refit, its
    /// unfinished selection or refit) is continued. With `continuing` (a re-run of a study or a
    /// cross-validation, which own their run folders), an unfinished classical run there, which
    /// has no checkpoint, is removed and trained again. Returns the run's test metrics, or nil when the training was
    /// stopped on purpose (`control.stopAfterEpoch`) before its end.
    @discardableResult
    public func run(into directory: URL, control: CNNTrainingControl, continuing: Bool = false) throws -> ClassificationMetrics? {
        if continuing, !model.resumesFromCheckpoint, !Self.isFinished(directory), FileManager.default.fileExists(atPath: directory.path) {
            control.log("removing the unfinished \(model.displayName) run \(directory.path) to train it again")
            try FileManager.default.removeItem(at: directory)
        }
        switch model {
        case .classical(let kind):
            let request = ClassicalTrainingRequest(model: kind, dataDirectory: data.directory, runDirectory: directory, seed: seed,
                                                   split: split, reusedSplit: reusedSplit, classesFile: data.descriptionFile,
                                                   costFile: data.costFile)
            let metrics = refit ? try Refit.train(request, log: control.log) : try ClassicalTrainer.train(request, log: control.log)
            return metrics
        case .cellAttention(let options):
            guard !refit else {
                throw CNNTrainingError.invalidOption(name: "refit", value: "cell-attention",
                                                     expected: "a CNN or classical model (a cell-attention refit is not built yet)")
            }
            if Self.isInterrupted(directory) { return try CellAttentionTrainer.resume(directory, dataDirectory: data.directory, control: control) }
            return try CellAttentionTrainer.train(CellAttentionTrainingRequest(
                options: options, data: data, runDirectory: directory, split: split, reusedSplit: reusedSplit,
                weightsCache: weightsCache, featureCache: featureCache), control: control)
        case .cnn(let options):
            let request = CNNTrainingRequest(options: options, dataDirectory: data.directory, runDirectory: directory, split: split,
                                             reusedSplit: reusedSplit, classesFile: data.descriptionFile, costFile: data.costFile,
                                             weightsCache: weightsCache, featureCache: featureCache)
            let outcome: CNNTrainingOutcome
            if refit {
                outcome = try Refit.train(request, control: control)
            } else if Self.isInterrupted(directory) {
                outcome = try CNNTrainer.resume(directory, dataDirectory: data.directory, control: control)
            } else {
                outcome = try CNNTrainer.train(request, control: control)
            }
            return Self.isFinished(directory) ? outcome.testMetrics : nil
        }
    }
}

extension TrainingJob {
    /// `--folds K`: this job once per fold (stratified, grouped by `split.groupRuns`; the model
    /// selected on `split`'s validation share of the other folds' images) into `directory/fold-N`,
    /// then the pooled scores. A re-run continues: finished folds are kept, an interrupted CNN fold
    /// resumes, an unfinished classical fold trains again. Returns nil when a fold's training was
    /// stopped on purpose (`control.stopAfterEpoch`) before its end.
    /// With `only`, just that fold (1-based) trains; the pooled scores are written by whichever
    /// call finishes the last fold.
    @discardableResult
    public func crossValidate(folds: Int, only: Int? = nil, into directory: URL, log: (String) -> Void,
                              control: CNNTrainingControl) throws -> CrossValidationMetrics? {
        try CrossValidation.run(crossValidation(folds: folds, into: directory), only: only, log: log) { foldSplit, run in
            try trainFold(split: foldSplit, into: run, control: control)
        }
    }

    /// The cross-validation of this job on `folds` folds in `directory`: the validation share of
    /// the other folds is `split`'s validation / (train + validation).
    public func crossValidation(folds: Int, into directory: URL) -> CrossValidationRequest {
        CrossValidationRequest(
            foldCount: folds, data: data, directory: directory, seed: seed, groupRuns: split.groupRuns,
            validationFraction: split.validationFraction / (split.trainFraction + split.validationFraction),
            model: model.displayName + (refit ? ", refit on train + validation" : ""))
    }

    /// One fold of `crossValidation(folds:into:)`: this job on the fold's split.
    public func trainFold(split foldSplit: URL, into run: URL, control: CNNTrainingControl) throws {
        var foldJob = self
        foldJob.reusedSplit = foldSplit
        try foldJob.run(into: run, control: control, continuing: true)
    }
}
