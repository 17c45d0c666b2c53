import Foundation
import Evaluation

/// `comparison.json`: everything the report's tables show, as numbers.
///
/// Keys: `format_version`, `toolkit_version`, `created_at`, `command`, `images` (`source`,
/// `data_directory`, `count`, `left_out`, `class_names`), `cost_matrix`, `bootstrap` (`resamples`,
/// `seed`, `level`), `coverage`, `best_model`, `best_rule`, `models` (see `ModelSummary`),
/// `paired` (see `PairedComparison`), `splits` (see `SplitSummary`).
public struct ComparisonSummary: Codable, Sendable {
    public static let currentFormatVersion = 1

    public var formatVersion = currentFormatVersion
    public var toolkitVersion: String
    public var createdAt: String
    public var command: String
    public var images: Images
    public var costMatrix: [[Double]]
    public var bootstrap: BootstrapSettings
    /// The target coverage of the prediction sets.
    public var coverage: Double
    public var bestModel: String
    public var bestRule: String
    public var models: [ModelSummary]
    /// Each model other than the best against the best.
    public var paired: [PairedComparison]
    public var splits: [SplitSummary]

    /// The compared images.
    public struct Images: Codable, Sendable {
        /// "test part" (each model's own, all equal) or "folder" (`--data`).
        public var source: String
        public var dataDirectory: String?
        public var count: Int
        /// Images left out because some model could not read them.
        public var leftOut: Int
        public var classNames: [String]

        enum CodingKeys: String, CodingKey {
            case source, dataDirectory = "data_directory", count, leftOut = "left_out", classNames = "class_names"
        }
    }

    public struct BootstrapSettings: Codable, Sendable {
        public var resamples: Int
        public var seed: UInt64
        public var level: Double
    }

    enum CodingKeys: String, CodingKey {
        case formatVersion = "format_version", toolkitVersion = "toolkit_version", createdAt = "created_at", command, images
        case costMatrix = "cost_matrix", bootstrap, coverage, bestModel = "best_model", bestRule = "best_rule", models, paired, splits
    }
}

/// One model of `comparison.json`.
///
/// Keys: `name`, `path`, `model`, `kind` ("cnn", "cell-attention" or "classical"), `runs`, `metrics` (as
/// `evaluate`'s `metrics.json`), `intervals` (score name → confidence interval: `accuracy`,
/// `macro_f1`, `cohen_kappa`, `macro_roc_auc`, `total_cost`, `average_cost`,
/// `cost_sensitive_accuracy`, `ece`, `brier`), `folds` (a cross-validation's per-fold metrics,
/// mean and standard deviation, or null), `calibration`, `prediction_sets` (or null),
/// `risk_coverage`, `training_seconds`, `inference_seconds`, `inference_images_per_second`,
/// `peak_training_memory_mib` (or null), `peak_training_memory` ("measured", "estimated" or "not recorded"),
/// `seed`, `split_seed`, `toolkit_version`, `libraries`, `train_command`, `skipped`.
public struct ModelSummary: Codable, Sendable {
    public var name: String
    public var path: String
    public var model: String
    public var kind: String
    public var runs: [String]
    public var metrics: ClassificationMetrics
    public var intervals: [String: ConfidenceInterval]
    public var folds: CrossValidationMetrics?
    public var calibration: CalibrationSummary
    public var predictionSets: PredictionSetSummary?
    public var riskCoverage: RiskCoverageCurve
    /// Training wall-clock seconds (summed over folds).
    public var trainingSeconds: Double
    /// Wall-clock seconds of scoring the images (decoding, resizing, the model), and the rate.
    public var inferenceSeconds: Double
    public var inferenceImagesPerSecond: Double
    /// The peak resident memory of the training (MiB; the largest over folds), or nil.
    public var peakTrainingMemoryMiB: Double?
    /// How `peakTrainingMemoryMiB` is known: a `PeakMemoryProvenance` raw value, or "not recorded".
    public var peakTrainingMemory: String
    public var seed: UInt64
    public var splitSeed: UInt64
    public var toolkitVersion: String
    public var libraries: [String: String]
    public var trainCommand: String
    public var skipped: [String: String]

    /// ECE (15 bins) and Brier score before and after calibration.
    public struct CalibrationSummary: Codable, Sendable {
        /// "calibrated", "raw (asked for)" or "raw (no calibration)".
        public var probabilities: String
        /// The runs' temperatures (one per fold), empty when none.
        public var temperatures: [Double]
        public var rawECE: Double
        public var rawBrier: Double
        public var ece: Double
        public var brier: Double
        public var bins: [CalibrationBin]

        enum CodingKeys: String, CodingKey {
            case probabilities, temperatures, rawECE = "raw_ece", rawBrier = "raw_brier", ece, brier, bins
        }
    }

    /// Split-conformal prediction sets on the compared images.
    public struct PredictionSetSummary: Codable, Sendable {
        public var targetCoverage: Double
        public var coverage: Double
        public var meanSetSize: Double
        public var setSizeCounts: [Int]

        enum CodingKeys: String, CodingKey {
            case targetCoverage = "target_coverage", coverage, meanSetSize = "mean_set_size", setSizeCounts = "set_size_counts"
        }
    }

    enum CodingKeys: String, CodingKey {
        case name, path, model, kind, runs, metrics, intervals, folds, calibration, predictionSets = "prediction_sets"
        case riskCoverage = "risk_coverage", trainingSeconds = "training_seconds", inferenceSeconds = "inference_seconds"
        case inferenceImagesPerSecond = "inference_images_per_second", peakTrainingMemoryMiB = "peak_training_memory_mib"
        case peakTrainingMemory = "peak_training_memory", seed, splitSeed = "split_seed", toolkitVersion = "toolkit_version"
        case libraries, trainCommand = "train_command", skipped
    }
}

/// A split of the compared runs: counts per part and class, and how it was made.
///
/// Keys: `runs` (the models using it), `seed`, `fractions` (train, validation, test),
/// `group_runs` (or null), `fold`, `fold_count`, `counts` (part → class → images).
public struct SplitSummary: Codable, Sendable {
    public var runs: [String]
    public var seed: UInt64
    public var fractions: [Double]
    public var groupRuns: Int?
    public var fold: Int?
    public var foldCount: Int?
    public var counts: [String: [String: Int]]

    enum CodingKeys: String, CodingKey {
        case runs, seed, fractions, groupRuns = "group_runs", fold, foldCount = "fold_count", counts
    }
}

// Optional keys are written as `null` rather than left out, so that every model has every key.

extension ComparisonSummary.Images {
    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(source, forKey: .source)
        try container.encode(dataDirectory, forKey: .dataDirectory)
        try container.encode(count, forKey: .count)
        try container.encode(leftOut, forKey: .leftOut)
        try container.encode(classNames, forKey: .classNames)
    }
}

extension ModelSummary {
    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encode(path, forKey: .path)
        try container.encode(model, forKey: .model)
        try container.encode(kind, forKey: .kind)
        try container.encode(runs, forKey: .runs)
        try container.encode(metrics, forKey: .metrics)
        try container.encode(intervals, forKey: .intervals)
        try container.encode(folds, forKey: .folds)
        try container.encode(calibration, forKey: .calibration)
        try container.encode(predictionSets, forKey: .predictionSets)
        try container.encode(riskCoverage, forKey: .riskCoverage)
        try container.encode(trainingSeconds, forKey: .trainingSeconds)
        try container.encode(inferenceSeconds, forKey: .inferenceSeconds)
        try container.encode(inferenceImagesPerSecond, forKey: .inferenceImagesPerSecond)
        try container.encode(peakTrainingMemoryMiB, forKey: .peakTrainingMemoryMiB)
        try container.encode(peakTrainingMemory, forKey: .peakTrainingMemory)
        try container.encode(seed, forKey: .seed)
        try container.encode(splitSeed, forKey: .splitSeed)
        try container.encode(toolkitVersion, forKey: .toolkitVersion)
        try container.encode(libraries, forKey: .libraries)
        try container.encode(trainCommand, forKey: .trainCommand)
        try container.encode(skipped, forKey: .skipped)
    }
}

extension SplitSummary {
    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(runs, forKey: .runs)
        try container.encode(seed, forKey: .seed)
        try container.encode(fractions, forKey: .fractions)
        try container.encode(groupRuns, forKey: .groupRuns)
        try container.encode(fold, forKey: .fold)
        try container.encode(foldCount, forKey: .foldCount)
        try container.encode(counts, forKey: .counts)
    }
}
