import ClassicML
import Foundation
import Datasets
import Evaluation
import ToolkitSupport

/// What to train: a classical model on a data folder, into a new run directory.
public struct ClassicalTrainingRequest: Sendable {
    public var model: ClassicalModelKind
    public var dataDirectory: URL
    public var runDirectory: URL
    public var seed: UInt64
    public var split: SplitConfiguration
    /// A split manifest to reuse instead of making a new split.
    public var reusedSplit: URL?
    /// A dataset description replacing the data folder's own (`--classes`), or nil.
    public var classesFile: URL?
    /// A cost matrix file (`--cost`), or nil for the dataset's default.
    public var costFile: URL?

    public init(model: ClassicalModelKind, dataDirectory: URL, runDirectory: URL, seed: UInt64,
                split: SplitConfiguration, reusedSplit: URL?, classesFile: URL? = nil, costFile: URL? = nil) {
        self.model = model
        self.dataDirectory = dataDirectory
        self.runDirectory = runDirectory
        self.seed = seed
        self.split = split
        self.reusedSplit = reusedSplit
        self.classesFile = classesFile
        self.costFile = costFile
    }

    /// The data folder, its class set and the cost matrix.
    public var data: TrainingData { TrainingData(directory: dataDirectory, descriptionFile: classesFile, costFile: costFile) }
}

/// Trains SVM or XGBoost on hand-crafted features, following the study's protocol, and writes
/// a complete run directory (config, split, normalization, model, metrics, report).
public enum ClassicalTrainer {
    /// Runs the whole training; `log` receives one line per step. Returns the test metrics.
    @discardableResult
    public static func train(_ request: ClassicalTrainingRequest, log: (String) -> Void) throws -> ClassificationMetrics {
        let run = RunDirectory(request.runDirectory)
        try run.checkFreeForNewRun()
        let (folder, cost) = try request.data.load()
        log("data: \(folder.images.count) images of \(folder.classes.count) classes in \(request.dataDirectory.path); "
            + "\(folder.duplicateGroups.count) groups of identical files kept within one part")
        let manifest = try SplitManifest.makeOrReuse(folder: folder, configuration: request.split, reused: request.reusedSplit)
        let job = Job(model: request.model, seed: request.seed, dataDirectory: request.dataDirectory, folder: folder, cost: cost,
                      manifest: manifest, fit: .select)
        return try job.run(in: run, log: log)
    }

    /// Refits the finished classical run `selection` into `runDirectory` (which may hold the
    /// selection in its `selection` folder): the same model, seed, classes and costs, trained on
    /// the selection's training and validation images with the selection's C and gamma (SVM) or
    /// round count (XGBoost), and scored on the selection's test part. Returns the test metrics.
    /// - Throws: `RefitError` for a selection that is not a finished classical run chosen on a
    ///   validation part; what training throws.
    @discardableResult
    public static func refit(selection: URL, into runDirectory: URL, dataDirectory: URL? = nil,
                             log: (String) -> Void) throws -> ClassificationMetrics {
        let (selected, configuration, hash) = try Refit.finishedSelection(selection)
        guard let model = ClassicalModelKind(rawValue: configuration.model) else {
            throw RefitError.selectionDiffers(selection.path, reason: "it is a \(configuration.model) run, not SVM or XGBoost")
        }
        let run = RunDirectory(runDirectory, keeping: [Refit.selectionFolderName])
        try run.checkFreeForNewRun()
        let root = dataDirectory ?? URL(fileURLWithPath: configuration.dataDirectory)
        let folder = try ImageFolder.scan(root, conformingTo: configuration.datasetDescription, allowingMissingClasses: false)
        let selectionSplit = try SplitManifest.load(from: selected.splitManifest)
        let origin = RefitOrigin(selectionRun: selected.url.standardizedFileURL.path, selectionConfigurationSHA256: hash)
        log("refit of \(selected.url.path) with " + configuration.hyperparameters.sorted { $0.key < $1.key }
            .map { "\($0.key)=\($0.value)" }.joined(separator: " ") + " on train + validation")
        let job = Job(model: model, seed: configuration.seed, dataDirectory: root, folder: folder, cost: configuration.costMatrix,
                      manifest: Refit.manifest(refitting: selectionSplit),
                      fit: .refit(origin, selected: configuration.hyperparameters, selectionSplit: selectionSplit))
        return try job.run(in: run, log: log)
    }

    /// How the model's hyperparameters are found.
    enum Fit {
        /// Chosen on the validation part (SVM's grid search, XGBoost's early stopping).
        case select
        /// Taken from a selection run (`selected`: its `config.json` hyperparameters), trained on
        /// train + validation.
        case refit(RefitOrigin, selected: [String: Double], selectionSplit: SplitManifest)
    }

    /// One training into a run directory: features, model, test scores, files.
    struct Job {
        let model: ClassicalModelKind
        let seed: UInt64
        let dataDirectory: URL
        let folder: ImageFolder
        let cost: CostMatrix
        let manifest: SplitManifest
        let fit: Fit

        private var refitOrigin: RefitOrigin? {
            if case let .refit(origin, _, _) = fit { return origin }
            return nil
        }

        func run(in run: RunDirectory, log: (String) -> Void) throws -> ClassificationMetrics {
            let start = Date()
            PeakMemory.reset()
            let parts = try manifest.resolve(against: folder)
            try parts.requireEveryPart(validation: refitOrigin == nil)
            if !parts.unassigned.isEmpty {
                log("warning: \(parts.unassigned.count) images are not in the reused split and are not used, e.g. \(parts.unassigned[0].relativePath)")
            }
            let createdFolder = try run.claimForNewRun()
            let metrics: ClassificationMetrics
            do {
                try manifest.save(to: run.splitManifest)
                if case let .refit(_, _, selectionSplit) = fit {
                    try selectionSplit.save(to: run.url.appendingPathComponent(Refit.selectionSplitFileName))
                }

                let extractor = HandcraftedFeatureExtractor(purpleRange: StudyProtocol.purpleRange, inputSize: StudyProtocol.inputSize)
                func table(_ part: DatasetPart) throws -> FeatureTable {
                    let images = parts.assigned.filter { $0.part == part }.map(\.image)
                    return try FeatureTable(files: folder.labeledFiles(images), extractor: extractor)
                }
                let train = try table(.train), validation = try table(.validation), test = try table(.test)
                let skipped = folder.unreadableFiles.merging(train.skipped) { a, _ in a }.merging(validation.skipped) { a, _ in a }
                    .merging(test.skipped) { a, _ in a }
                for (path, reason) in skipped.sorted(by: { $0.key < $1.key }) { log("skipped unreadable image \(path): \(reason)") }
                log("features: \(extractor.featureNames.count) per image; train \(train.labels.count), validation \(validation.labels.count), test \(test.labels.count); \(skipped.count) unreadable skipped")

                let standardizer = try FeatureStandardizer(fitting: train.features)
                // Standardized once, for the model selection and the calibration; a refit has no validation part.
                let validationSet = try refitOrigin == nil
                    ? (features: standardizer.transform(validation.features), labels: validation.labels) : nil
                let (model, hyperparameters) = try fitModel(train: (try standardizer.transform(train.features), train.labels),
                                                            validation: validationSet, run: run, log: log)
                try model.save(to: run.model(kind: self.model))
                try run.writeJSON(FeatureNormalization(featureNames: extractor.featureNames, standardizer: standardizer),
                                  to: run.normalization)

                // Temperature scaling on the validation part (a refit borrows its selection's), before the test part is scored.
                let calibration = try validationSet.map {
                    try RunCalibration(fittingProbabilities: model.probabilities(for: $0.features).rows, labels: $0.labels)
                } ?? refitOrigin.flatMap { try RunCalibration.borrowed(by: $0) }
                try calibration?.save(in: run)
                log("calibration: " + (calibration?.summaryLine ?? "none (the selection run has none)"))
                let raw = try model.probabilities(for: standardizer.transform(test.features)).rows
                let scored = ScoredImages(classNames: folder.classes.names, paths: test.paths, labels: test.labels,
                                          probabilities: calibration?.calibrated(raw) ?? raw)
                metrics = try scored.metrics(cost: cost, positiveClass: folder.classes.positiveClass)
                let configuration = RunConfiguration(
                    formatVersion: RunConfiguration.currentFormatVersion, toolkitVersion: ToolkitVersion.current,
                    model: self.model.rawValue, seed: seed,
                    dataDirectory: dataDirectory.standardizedFileURL.path, split: manifest.configuration,
                    inputSize: StudyProtocol.inputSize, purpleRange: StudyProtocol.purpleRange,
                    libraries: ToolkitVersion.libraries, hyperparameters: hyperparameters, skippedImages: skipped,
                    createdAt: ISO8601DateFormatter().string(from: start),
                    trainingSeconds: Date().timeIntervalSince(start), peakMemoryMiB: PeakMemory.residentMebibytes(),
                    fileHashes: try run.hashes(of: [run.model(kind: self.model), run.normalization]),
                    dataset: folder.description, cost: cost, refit: refitOrigin)
                try EvaluationWriter.write(metrics: metrics, title: "\(self.model.rawValue) — test part of \(dataDirectory.lastPathComponent)",
                                           details: [("model", self.model.rawValue), ("seed", "\(seed)")]
                                               + (refitOrigin.map { [("refit of", "\($0.selectionRun), on train + validation")] } ?? [])
                                               + [("images scored", "\(test.labels.count)"), ("skipped", "\(test.skipped.count)"),
                                                  ("probabilities", calibration.map { "calibrated: " + $0.summaryLine } ?? "raw (uncalibrated)")],
                                           scored: scored, into: run.url)
                // The config is written last: a run directory without it is an unfinished run.
                try run.writeJSON(configuration, to: run.configuration)
                log(String(format: "test accuracy %.4f, total cost %.0f, %.1f s", metrics.accuracy, metrics.totalCost,
                           configuration.trainingSeconds))
            } catch {
                // Nothing of an unfinished classical run can be resumed: free the directory.
                run.releaseClaim(createdFolder: createdFolder)
                throw error
            }
            OutOfDistributionCheck.fitAfterTraining(runAt: run.url, folder: folder, log: log)
            return metrics
        }

        /// The model and the hyperparameters `config.json` records.
        /// `train` and `validation` are standardized; a refit has no validation part (nil).
        private func fitModel(train: (features: FeatureMatrix, labels: [Int]), validation: (features: FeatureMatrix, labels: [Int])?,
                              run: RunDirectory,
                              log: (String) -> Void) throws -> (any ProbabilisticClassifier, [String: Double]) {
            let classCount = folder.classes.count
            let classWeights = try balancedClassWeights(labels: train.labels, classCount: classCount)
            switch (model, fit) {
            case (.svm, .select):
                guard let validation else { preconditionFailure("a selection has a validation part") }
                let search = try SVMHyperparameterSearch.select(
                    train: train, validation: validation, classCount: classCount, classWeights: classWeights, seed: seed)
                try run.writeJSON(search.table, to: run.modelSelection)
                log("svm: chose C=\(search.c) gamma=\(search.gamma) on the validation part")
                return (search.model, ["C": search.c, "gamma": search.gamma])
            case (.xgboost, .select):
                guard let validation else { preconditionFailure("a selection has a validation part") }
                let booster = try XGBoostClassifier.train(
                    train: train, validation: validation,
                    classCount: classCount, classWeights: classWeights, parameters: XGBoostParameters(), seed: seed)
                try run.writeJSON(booster.validationLossHistory, to: run.modelSelection)
                log("xgboost: early stopping kept \(booster.bestIteration + 1) rounds (validation loss)")
                return (booster, ["best_iteration": Double(booster.bestIteration)])
            case let (.svm, .refit(_, selected, _)):
                guard let c = selected["C"], let gamma = selected["gamma"] else { throw missing("C and gamma") }
                let svm = try SVMClassifier.train(features: train.features, labels: train.labels, classCount: classCount,
                                                  classWeights: classWeights, c: c, gamma: gamma, seed: seed)
                return (svm, ["C": c, "gamma": gamma])
            case let (.xgboost, .refit(_, selected, _)):
                guard let best = selected["best_iteration"].map(Int.init), best >= 0 else { throw missing("best_iteration") }
                let booster = try XGBoostClassifier.train(train: train, rounds: best + 1, classCount: classCount,
                                                          classWeights: classWeights, parameters: XGBoostParameters(), seed: seed)
                return (booster, ["best_iteration": Double(booster.bestIteration)])
            }
        }

        private func missing(_ names: String) -> RefitError {
            .selectionDiffers(refitOrigin?.selectionRun ?? "", reason: "its config.json records no \(names)")
        }
    }
}
