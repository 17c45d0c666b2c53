import Foundation
import Datasets
import Evaluation
import LeukemiaKit

/// One run of a model scored by `RunEvaluation.scores` (the code path of `evaluate`).
struct ScoredRun: Sendable {
    var url: URL
    var configuration: RunConfiguration
    var scores: RunScores
    /// The data folder the images were read from.
    var root: URL
    /// Epoch records (CNN runs; empty for classical ones).
    var epochs: [EpochRecord]
}

/// A model's scores on the compared images, aligned with the other models' (same image order).
struct ScoredModel: Sendable {
    var source: ModelSource
    /// Its runs' scores as `evaluate` computes them: one, or one per fold.
    var runs: [ScoredRun]
    /// The compared images: paths, labels and (calibrated) probabilities, in the comparison's order.
    var scored: ScoredImages
    var rawProbabilities: [[Double]]
    /// Each image's file, and the index in `runs` of the run that scored it.
    var files: [URL]
    var runOfImage: [Int]
    /// The split-conformal set of each image at the comparison's coverage; nil without calibration.
    var predictionSets: [[Int]]?
    /// The metrics of `scored` (equal to `evaluate`'s for a run scored on its whole test part).
    var metrics: ClassificationMetrics
    /// The calibration of the raw and of the compared probabilities (ECE over 15 bins, Brier).
    var rawCalibration: Calibration
    var calibration: Calibration

    var configuration: RunConfiguration { runs[0].configuration }
    var isCNN: Bool { configuration.cnn != nil }
    var predictions: [Int] { scored.probabilities.map(ClassificationMetrics.argMax) }
    /// Scoring wall-clock seconds over all runs, and images per second.
    var scoringSeconds: Double { runs.reduce(0) { $0 + $1.scores.seconds } }
    var imagesPerSecond: Double {
        let seconds = scoringSeconds, count = runs.reduce(0) { $0 + $1.scores.scored.labels.count }
        return seconds > 0 ? Double(count) / seconds : 0
    }
    var trainingSeconds: Double { runs.reduce(0) { $0 + $1.configuration.trainingSeconds } }
    /// The peak training memory (MiB) and how it is known: the largest measured peak of the runs
    /// (`RunConfiguration.peakMemoryMiB`) when every run recorded one; else, for CNNs,
    /// `TrainingMemoryEstimate`; else nil ("not recorded", classical runs written before it was measured).
    var peakTrainingMemory: (mebibytes: Double, provenance: PeakMemoryProvenance)? {
        let measured = runs.compactMap(\.configuration.peakMemoryMiB)
        if measured.count == runs.count, let peak = measured.max() { return (peak, .measured) }
        return configuration.cnn.map { (TrainingMemoryEstimate.mebibytes(for: $0), .estimated) }
    }
    /// Per-fold metrics of a cross-validation (nil for a single run).
    var foldSummary: CrossValidationMetrics? {
        guard source.isCrossValidation, runs.count >= 2 else { return nil }
        return CrossValidationMetrics(folds: runs.map(\.scores.metrics), pooled: metrics)
    }
}

/// Checks that models can be compared and scores them on the same images.
enum ModelScoring {
    /// The configurations of the first run of every source, checked for one class set, one cost
    /// matrix (unless `costFile`) and, without `dataDirectory`, the same test images.
    /// - Returns: the cost matrix every model is scored with.
    /// - Throws: `ComparisonError` naming the two models and how they differ.
    static func check(_ sources: [ModelSource], dataDirectory: URL?, costFile: URL?) throws -> CostMatrix {
        let configurations = try sources.map { try RunDirectory($0.runs[0]).loadConfiguration() }
        let first = sources[0], reference = configurations[0]
        for (source, configuration) in zip(sources, configurations).dropFirst() {
            guard configuration.classes.names == reference.classes.names else {
                throw ComparisonError.differentClasses(first: first.url.path, second: source.url.path,
                                                       firstClasses: reference.classes.names, secondClasses: configuration.classes.names)
            }
            if costFile == nil, configuration.costMatrix != reference.costMatrix {
                throw ComparisonError.differentCosts(first: first.url.path, second: source.url.path)
            }
        }
        if dataDirectory != nil, let crossValidation = sources.first(where: \.isCrossValidation) {
            throw ComparisonError.dataWithCrossValidation(crossValidation.url.path)
        }
        if dataDirectory == nil {
            let images = try sources.map { try $0.testImages() }
            for (source, tested) in zip(sources, images).dropFirst() where tested != images[0] {
                throw ComparisonError.differentTestImages(first: first.url.path, second: source.url.path,
                                                          details: differences(images[0], tested, first.name, source.name))
            }
        }
        return try CostMatrix.load(costFile, classes: reference.classes, fallback: reference.costMatrix)
    }

    /// How two sets of test images (path → content hash) differ, in words.
    static func differences(_ first: [String: String], _ second: [String: String], _ firstName: String, _ secondName: String) -> String {
        let onlyFirst = first.keys.filter { second[$0] == nil }.sorted()
        let onlySecond = second.keys.filter { first[$0] == nil }.sorted()
        let changed = first.keys.filter { second[$0] != nil && second[$0] != first[$0] }.sorted()
        var parts = ["\(firstName) has \(first.count) test images, \(secondName) \(second.count)"]
        if !onlyFirst.isEmpty { parts.append("\(onlyFirst.count) only in \(firstName), e.g. \(onlyFirst[0])") }
        if !onlySecond.isEmpty { parts.append("\(onlySecond.count) only in \(secondName), e.g. \(onlySecond[0])") }
        if !changed.isEmpty { parts.append("\(changed.count) with the same path but other content, e.g. \(changed[0])") }
        return parts.joined(separator: "; ")
    }

    /// Scores every run of `source`: its test part, or every image of `dataDirectory`.
    static func score(_ source: ModelSource, dataDirectory: URL?, cost: CostMatrix, calibrated: Bool,
                      log: (String) -> Void) throws -> [ScoredRun] {
        try source.runs.map { url in
            let run = try TrainedRuns.open(url)
            let images: [DatasetImage], folder: ImageFolder
            if let dataDirectory {
                folder = try RunEvaluation.folderImages(for: run, dataDirectory: dataDirectory)
                images = folder.images
            } else {
                (images, folder) = try RunEvaluation.testPart(of: run)
            }
            let scores = try RunEvaluation.scores(of: run, images: images, folder: folder, cost: cost, calibrated: calibrated)
            log(String(format: "%@: %d images in %.1f s (%.1f images/s), accuracy %.4f, total cost %.0f", url.path,
                       scores.scored.labels.count, scores.seconds, scores.imagesPerSecond, scores.metrics.accuracy,
                       scores.metrics.totalCost))
            let epochs = run.configuration.cnn == nil ? [] : (try? EpochLog(url: run.directory.epochLog).read()) ?? []
            return ScoredRun(url: url, configuration: run.configuration, scores: scores, root: folder.root, epochs: epochs)
        }
    }

    /// The models' scores restricted to the images every model scored, in the first model's order.
    /// - Returns: the models and the number of images left out (unreadable for some model).
    static func align(_ sources: [ModelSource], _ scoredRuns: [[ScoredRun]], cost: CostMatrix, coverage: Double,
                      calibrated: Bool) throws -> (models: [ScoredModel], leftOut: Int) {
        struct Pooled {
            var paths: [String] = [], labels: [Int] = [], probabilities: [[Double]] = [], raw: [[Double]] = []
            var files: [URL] = [], runs: [Int] = [], sets: [[Int]]? = []
        }
        let pooled: [Pooled] = try scoredRuns.map { runs in
            var pooled = Pooled()
            for (index, run) in runs.enumerated() {
                let scored = run.scores.scored
                pooled.paths += scored.paths
                pooled.labels += scored.labels
                pooled.probabilities += scored.probabilities
                pooled.raw += run.scores.rawProbabilities
                pooled.files += scored.paths.map { run.root.appendingPathComponent($0) }
                pooled.runs += Array(repeating: index, count: scored.paths.count)
                if let calibration = run.scores.calibration, calibrated, !scored.probabilities.isEmpty {
                    pooled.sets? += try calibration.conformalPredictor(coverage: coverage).predictionSets(probabilities: scored.probabilities)
                } else {
                    pooled.sets = nil
                }
            }
            return pooled
        }
        let everywhere = pooled.dropFirst().reduce(Set(pooled[0].paths)) { $0.intersection($1.paths) }
        let order = pooled[0].paths.filter { everywhere.contains($0) }
        let leftOut = pooled.map(\.paths.count).max()! - order.count
        let classNames = scoredRuns[0][0].configuration.classes.names
        let positiveClass = scoredRuns[0][0].configuration.classes.positiveClass
        var models: [ScoredModel] = []
        for (source, (runs, all)) in zip(sources, zip(scoredRuns, pooled)) {
            let position = Dictionary(uniqueKeysWithValues: all.paths.enumerated().map { ($1, $0) })
            let picks = order.map { position[$0]! }
            let scored = ScoredImages(classNames: classNames, paths: order, labels: picks.map { all.labels[$0] },
                                      probabilities: picks.map { all.probabilities[$0] })
            let raw = picks.map { all.raw[$0] }
            models.append(ScoredModel(
                source: source, runs: runs, scored: scored, rawProbabilities: raw, files: picks.map { all.files[$0] },
                runOfImage: picks.map { all.runs[$0] }, predictionSets: all.sets.map { sets in picks.map { sets[$0] } },
                metrics: try scored.metrics(cost: cost, positiveClass: positiveClass),
                rawCalibration: try Calibration(probabilities: raw, labels: scored.labels),
                calibration: try Calibration(probabilities: scored.probabilities, labels: scored.labels)))
        }
        return (models, leftOut)
    }
}

/// Where a model's peak training memory comes from.
enum PeakMemoryProvenance: String {
    /// Measured by the training itself (`VmHWM` of its process).
    case measured
    /// `TrainingMemoryEstimate`'s figure from the network's size (runs that measured nothing).
    case estimated
}
