import Foundation
import Imaging
import Datasets
import Evaluation

/// What a run directory records about how its model was made: enough to reproduce it.
public struct RunConfiguration: Codable, Sendable {
    /// The layout version of run directories that this toolkit writes and reads.
    public static let currentFormatVersion = 1

    public var formatVersion: Int
    public var toolkitVersion: String
    /// The model family, e.g. "svm" or "xgboost".
    public var model: String
    public var seed: UInt64
    /// Absolute path of the data folder the run was trained on.
    public var dataDirectory: String
    public var split: SplitConfiguration
    /// Images are resized to inputSize x inputSize before features are computed.
    public var inputSize: Int
    public var purpleRange: HSVRange
    /// Versions of the native libraries used, e.g. ["libsvm": "324"].
    public var libraries: [String: String]
    /// Chosen hyperparameters (for example C and gamma, or the best boosting round).
    public var hyperparameters: [String: Double]
    /// Images that could not be read and were left out, with the reason.
    public var skippedImages: [String: String]
    public var createdAt: String
    /// Training wall-clock time in seconds, feature extraction included.
    public var trainingSeconds: Double
    /// The peak resident memory of the training process while it trained this run (MiB): Linux's
    /// `VmHWM`, reset when the training starts (`PeakMemory`), so a study's later models do not
    /// inherit an earlier one's peak; for a resumed CNN, the largest over its sessions. Nil in runs
    /// written before it was recorded (d64feef and earlier) and in ensembles, which train nothing.
    public var peakMemoryMiB: Double? = nil
    /// The CNN training options (architecture, blueprint, policy, optimizer settings); nil for classical runs.
    public var cnn: CNNTrainingOptions? = nil
    /// The SHA-256 (hex) of each file the model is loaded from, by file name (`weights.safetensors`;
    /// `model.xgboost.json` and `normalization.json`), checked when the run is opened; nil in runs
    /// written before it was recorded (0f807b8 and earlier), which open unchecked.
    public var fileHashes: [String: String]? = nil
    /// The dataset's classes (their order is the model's output order); nil in runs written before
    /// class sets were data, which were all trained on the four ALL classes.
    public var dataset: DatasetDescription? = nil
    /// The cost matrix the run was scored with, and the default of `evaluate` and `predict`; nil
    /// in runs written before it was recorded (they used the study's matrix).
    public var cost: CostMatrix? = nil
    /// For a run refitted on train + validation after model selection (`train --refit`): the
    /// selection run and the schedule replayed; nil for every other run.
    public var refit: RefitOrigin? = nil
    /// For an ensemble (`leukemia ensemble`, `model` "ensemble"): its members, their weights and
    /// how they were chosen; nil for every other run.
    public var ensemble: EnsembleSpecification? = nil
    /// For a cell-attention run (`model` "cell-attention"): its options and the identity of the
    /// backbone that embedded the cells; nil for every other run.
    public var cellAttention: CellAttentionRecord? = nil

    /// The run's dataset description (the built-in ALL one for old runs).
    public var datasetDescription: DatasetDescription { dataset ?? .acuteLymphoblasticLeukemia }
    /// The run's classes, in the model's output order.
    public var classes: ClassSet { datasetDescription.classes }
    /// The run's cost matrix (the study's for old runs).
    public var costMatrix: CostMatrix { cost ?? .study }

    enum CodingKeys: String, CodingKey {
        case formatVersion = "format_version", toolkitVersion = "toolkit_version", model, seed
        case dataDirectory = "data_directory", split, inputSize = "input_size", purpleRange = "purple_range"
        case libraries, hyperparameters, skippedImages = "skipped_images", createdAt = "created_at"
        case trainingSeconds = "training_seconds", peakMemoryMiB = "peak_memory_mib", cnn, fileHashes = "file_hashes", dataset, cost, refit, ensemble
        case cellAttention = "cell_attention"
    }
}
