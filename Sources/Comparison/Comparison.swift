import Foundation
import Datasets
import Evaluation
import LeukemiaKit
import Reporting
import ToolkitSupport

/// `leukemia compare`: scores every model once on the same images (each run's own test part, all
/// equal, or every image of `--data`), with the code path of `evaluate` (`RunEvaluation.scores`),
/// keeps the per-image probabilities and computes every statistic from them: the study's table
/// with bootstrap intervals, McNemar's test and the paired cost difference against the best
/// model, per-model figures, the gallery of misclassified images, the split and the commands.
/// Writes `report.html` (self-contained), `comparison.md`, `comparison.csv` and `comparison.json`.
public enum Comparison {
    /// The files a comparison writes into its folder.
    public static let fileNames = ["report.html", "comparison.md", "comparison.csv", "comparison.json"]

    /// How the best model is chosen, as the page says it.
    static let bestRule = "the highest accuracy; ties broken by the lower total cost, then by the order given"

    /// Runs the comparison and writes its files into `request.output`.
    /// - Throws: `ComparisonError` for models that cannot be compared (naming them and how they
    ///   differ) or invalid parameters; `InputPathError.notEmpty` for an output folder holding
    ///   anything; what opening and scoring the runs throw.
    @discardableResult
    public static func run(_ request: ComparisonRequest, log: (String) -> Void = { _ in }) throws -> ComparisonSummary {
        guard request.resamples >= 1 else {
            throw ComparisonError.invalidParameter(name: "--resamples", value: "\(request.resamples)", expected: "at least 1")
        }
        for (name, value) in [("--coverage", request.coverage), ("confidence level", request.level)] where !(value > 0 && value < 1) {
            throw ComparisonError.invalidParameter(name: name, value: "\(value)", expected: "a number between 0 and 1")
        }
        guard FolderOccupancy.describe(request.output) == nil else { throw InputPathError.notEmpty(request.output.path) }

        let sources = try ModelSource.expand(request.inputs)
        let cost = try ModelScoring.check(sources, dataDirectory: request.dataDirectory, costFile: request.costFile)
        let scoredRuns = try sources.map {
            try ModelScoring.score($0, dataDirectory: request.dataDirectory, cost: cost, calibrated: !request.raw, log: log)
        }
        let (models, leftOut) = try ModelScoring.align(sources, scoredRuns, cost: cost, coverage: request.coverage,
                                                       calibrated: !request.raw)
        guard !models[0].scored.labels.isEmpty else { throw MetricsError.empty }

        log("bootstrap: \(request.resamples) resamples of \(models[0].scored.labels.count) images, seed \(request.seed)")
        let intervals = try models.map {
            try ComparisonStatistics.intervals(of: $0, cost: cost, resamples: request.resamples, level: request.level, seed: request.seed)
        }
        let best = ComparisonStatistics.best(models)
        let paired = try models.indices.filter { $0 != best }.map {
            try ComparisonStatistics.paired(models[$0], against: models[best], cost: cost, resamples: request.resamples,
                                            level: request.level, seed: request.seed)
        }
        let summary = try ComparisonSummary(
            toolkitVersion: ToolkitVersion.current, createdAt: ISO8601DateFormatter().string(from: Date()),
            command: request.commandLine,
            images: .init(source: request.dataDirectory == nil ? "test part" : "folder", dataDirectory: request.dataDirectory?.path,
                          count: models[0].scored.labels.count, leftOut: leftOut, classNames: models[0].scored.classNames),
            costMatrix: cost.values, bootstrap: .init(resamples: request.resamples, seed: request.seed, level: request.level),
            coverage: request.coverage, bestModel: models[best].source.name, bestRule: bestRule,
            models: zip(models, intervals).map { try modelSummary($0, intervals: $1, request: request, cost: cost) },
            paired: paired, splits: try splits(of: models))

        let report = ComparisonReport(summary: summary, models: models, cost: cost, request: request)
        let page = try report.page(log: log)
        try FileManager.default.createDirectory(at: request.output, withIntermediateDirectories: true)
        try AtomicFile.write(Data(page.html.utf8), to: request.output.appendingPathComponent("report.html"))
        try AtomicFile.write(Data(report.markdown.utf8), to: request.output.appendingPathComponent("comparison.md"))
        try AtomicFile.write(Data(report.csv.utf8), to: request.output.appendingPathComponent("comparison.csv"))
        try AtomicFile.write(JSONFormatting.encode(summary), to: request.output.appendingPathComponent("comparison.json"))
        return summary
    }

    private static func modelSummary(_ model: ScoredModel, intervals: [String: ConfidenceInterval], request: ComparisonRequest,
                                     cost: CostMatrix) throws -> ModelSummary {
        let configuration = model.configuration
        let temperatures = model.runs.compactMap { $0.scores.calibration?.temperature }
        let probabilities = request.raw ? "raw (asked for)" : temperatures.count == model.runs.count ? "calibrated" : "raw (no calibration)"
        let sets = try model.predictionSets.map { sets in
            let coverage = try SetCoverage(sets: sets, labels: model.scored.labels, classCount: model.scored.classNames.count)
            return ModelSummary.PredictionSetSummary(targetCoverage: request.coverage, coverage: coverage.coverage,
                                                     meanSetSize: coverage.meanSetSize, setSizeCounts: coverage.setSizeCounts)
        }
        var skipped: [String: String] = [:]
        for run in model.runs { skipped.merge(run.scores.skipped) { first, _ in first } }
        return ModelSummary(
            name: model.source.name, path: model.source.url.path, model: configuration.model,
            kind: model.isCNN ? "cnn" : configuration.cellAttention != nil ? "cell-attention" : "classical",
            runs: model.runs.map(\.url.path), metrics: model.metrics, intervals: intervals, folds: model.foldSummary,
            calibration: .init(probabilities: probabilities, temperatures: temperatures,
                               rawECE: model.rawCalibration.expectedCalibrationError, rawBrier: model.rawCalibration.brierScore,
                               ece: model.calibration.expectedCalibrationError, brier: model.calibration.brierScore,
                               bins: model.calibration.bins),
            predictionSets: sets,
            riskCoverage: try RiskCoverageCurve(probabilities: model.scored.probabilities, labels: model.scored.labels, cost: cost),
            trainingSeconds: model.trainingSeconds, inferenceSeconds: model.scoringSeconds,
            inferenceImagesPerSecond: model.imagesPerSecond, peakTrainingMemoryMiB: model.peakTrainingMemory?.mebibytes,
            peakTrainingMemory: model.peakTrainingMemory?.provenance.rawValue ?? "not recorded",
            seed: configuration.seed, splitSeed: configuration.split.seed, toolkitVersion: configuration.toolkitVersion,
            libraries: configuration.libraries,
            trainCommand: TrainCommandLine.reconstruct(configuration, output: model.source.url,
                                                       foldCount: model.source.isCrossValidation ? model.runs.count : nil),
            skipped: skipped)
    }

    /// The distinct splits of the models' runs (a cross-validation: its first fold's, with the fold count).
    private static func splits(of models: [ScoredModel]) throws -> [SplitSummary] {
        var splits: [(manifest: SplitManifest, runs: [String])] = []
        for model in models {
            let manifest = try SplitManifest.load(from: RunDirectory(model.runs[0].url).splitManifest)
            if let index = splits.firstIndex(where: { $0.manifest == manifest }) {
                splits[index].runs.append(model.source.name)
            } else {
                splits.append((manifest, [model.source.name]))
            }
        }
        return splits.map { manifest, runs in
            let configuration = manifest.configuration
            return SplitSummary(runs: runs, seed: configuration.seed,
                                fractions: [configuration.trainFraction, configuration.validationFraction, configuration.testFraction],
                                groupRuns: configuration.groupRuns, fold: configuration.fold, foldCount: configuration.foldCount,
                                counts: manifest.counts)
        }
    }
}
