import ClassicML
import Foundation
import Datasets
import Evaluation

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
        let start = Date()
        let run = RunDirectory(request.runDirectory)
        try run.checkFreeForNewRun()
        let (folder, cost) = try request.data.load()
        log("data: \(folder.images.count) images of \(folder.classes.count) classes in \(request.dataDirectory.path); "
            + "\(folder.duplicateGroups.count) groups of identical files kept within one part")
        let manifest = try SplitManifest.makeOrReuse(folder: folder, configuration: request.split, reused: request.reusedSplit)
        let parts = try manifest.resolve(against: folder)
        try parts.requireEveryPart()
        if !parts.unassigned.isEmpty {
            log("warning: \(parts.unassigned.count) images are not in the reused split and are not used, e.g. \(parts.unassigned[0].relativePath)")
        }
        let createdFolder = try run.claimForNewRun()
        let metrics: ClassificationMetrics
        do {
            try manifest.save(to: run.splitManifest)

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
            let trainFeatures = try standardizer.transform(train.features)
            let validationFeatures = try standardizer.transform(validation.features)
            let classCount = folder.classes.count
            let classWeights = try balancedClassWeights(labels: train.labels, classCount: classCount)

            let model: any ProbabilisticClassifier
            var hyperparameters: [String: Double] = [:]
            switch request.model {
            case .svm:
                let search = try SVMHyperparameterSearch.select(
                    train: (trainFeatures, train.labels), validation: (validationFeatures, validation.labels),
                    classCount: classCount, classWeights: classWeights, seed: request.seed)
                model = search.model
                hyperparameters = ["C": search.c, "gamma": search.gamma]
                try run.writeJSON(search.table, to: run.modelSelection)
                log("svm: chose C=\(search.c) gamma=\(search.gamma) on the validation part")
            case .xgboost:
                let booster = try XGBoostClassifier.train(
                    train: (trainFeatures, train.labels), validation: (validationFeatures, validation.labels),
                    classCount: classCount, classWeights: classWeights, parameters: XGBoostParameters(), seed: request.seed)
                model = booster
                hyperparameters = ["best_iteration": Double(booster.bestIteration)]
                try run.writeJSON(booster.validationLossHistory, to: run.modelSelection)
                log("xgboost: early stopping kept \(booster.bestIteration + 1) rounds (validation loss)")
            }
            try model.save(to: run.model(kind: request.model))
            try run.writeJSON(FeatureNormalization(featureNames: extractor.featureNames, standardizer: standardizer),
                              to: run.normalization)

            let probabilities = try model.probabilities(for: standardizer.transform(test.features))
            let scored = ScoredImages(classNames: folder.classes.names, paths: test.paths, labels: test.labels,
                                      probabilities: probabilities.rows)
            metrics = try scored.metrics(cost: cost, positiveClass: folder.classes.positiveClass)
            let configuration = RunConfiguration(
                formatVersion: RunConfiguration.currentFormatVersion, toolkitVersion: ToolkitVersion.current,
                model: request.model.rawValue, seed: request.seed,
                dataDirectory: request.dataDirectory.standardizedFileURL.path, split: manifest.configuration,
                inputSize: StudyProtocol.inputSize, purpleRange: StudyProtocol.purpleRange,
                libraries: ToolkitVersion.libraries, hyperparameters: hyperparameters, skippedImages: skipped,
                createdAt: ISO8601DateFormatter().string(from: start),
                trainingSeconds: Date().timeIntervalSince(start),
                fileHashes: try run.hashes(of: [run.model(kind: request.model), run.normalization]),
                dataset: folder.description, cost: cost)
            try EvaluationWriter.write(metrics: metrics, title: "\(request.model.rawValue) — test part of \(request.dataDirectory.lastPathComponent)",
                                       details: [("model", request.model.rawValue), ("seed", "\(request.seed)"),
                                                 ("images scored", "\(test.labels.count)"),
                                                 ("skipped", "\(test.skipped.count)")],
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
}
