import Foundation

/// Every choice of a CNN training, with the study's values as defaults; stored in the run
/// directory (`training-options.json`, and under `cnn` in `config.json`) so that a resumed run
/// and `evaluate`/`predict` use exactly the same settings.
public struct CNNTrainingOptions: Codable, Equatable, Sendable {
    /// The architecture's name (`--model`).
    public var architecture: CNNArchitecture
    /// The hybrid's backbone (`--backbone`); nil for the other architectures.
    public var backbone: CNNArchitecture?
    /// The network's exact configuration (four classes, sizes).
    public var blueprint: NetworkBlueprint
    public var weights: WeightsSource
    public var policy: TransferPolicy
    /// Images are resized to `inputSize` x `inputSize` (224).
    public var inputSize: Int
    public var normalization: InputNormalization
    /// Training augmentation; nil trains on the images as they are.
    public var augmentation: AugmentationPolicy?
    /// The most epochs to train (early stopping usually ends sooner).
    public var maximumEpochs: Int
    public var batchSize: Int
    public var learningRate: Float
    /// Epochs without a lower validation loss before training stops (5); the best epoch's weights are kept.
    public var earlyStoppingPatience: Int
    /// The learning-rate factor applied on a validation-loss plateau (0.1).
    public var plateauFactor: Float
    /// Epochs without improvement before the rate is lowered (3).
    public var plateauPatience: Int
    /// Whether the training loss weights class c by n / (k · n_c).
    public var balancedClassWeights: Bool
    /// With the frozen policy: augmented copies of each training image whose features are cached
    /// besides the original; each epoch draws one of the 1 + N versions of every image.
    public var cachedAugmentedCopies: Int
    /// Seed of the head initialization, batch order, augmentation and dropout.
    public var seed: UInt64
    /// Batches prepared ahead of the network.
    public var prefetchCount: Int

    /// The study's settings for `architecture` (on `backbone` for the hybrid): input 224, the
    /// backbone's normalization, the study's augmentation, Adam 1e-4, batch 32, early stopping
    /// (patience 5) and reduce-on-plateau (factor 0.1, patience 3), balanced class weights,
    /// ImageNet weights, full fine-tuning.
    public static func study(_ architecture: CNNArchitecture, backbone: CNNArchitecture? = nil,
                             seed: UInt64) throws -> CNNTrainingOptions {
        CNNTrainingOptions(
            architecture: architecture, backbone: architecture == .hybrid ? backbone : nil,
            blueprint: try architecture.blueprint(classCount: LeukemiaClass.allCases.count, inputSize: StudyProtocol.inputSize,
                                                  backbone: backbone),
            weights: .imagenet, policy: .full, inputSize: StudyProtocol.inputSize,
            normalization: architecture.weightsArchitecture(backbone: backbone).inputNormalization,
            augmentation: .study, maximumEpochs: 50, batchSize: 32,
            learningRate: 1e-4, earlyStoppingPatience: 5, plateauFactor: 0.1, plateauPatience: 3,
            balancedClassWeights: true, cachedAugmentedCopies: 0, seed: seed, prefetchCount: 2)
    }

    /// Checks the numeric options.
    /// - Throws: `CNNTrainingError.invalidOption` naming the option and its value.
    public func validate() throws {
        func check(_ condition: Bool, _ name: String, _ value: Any, _ expected: String) throws {
            guard condition else { throw CNNTrainingError.invalidOption(name: name, value: "\(value)", expected: expected) }
        }
        try check(inputSize >= 16, "input-size", inputSize, "at least 16")
        try check(maximumEpochs >= 1, "epochs", maximumEpochs, "at least 1")
        try check(batchSize >= 1, "batch-size", batchSize, "at least 1")
        try check(learningRate > 0 && learningRate.isFinite, "learning-rate", learningRate, "a positive number")
        try check(earlyStoppingPatience >= 1, "early-stopping-patience", earlyStoppingPatience, "at least 1")
        try check(plateauFactor > 0 && plateauFactor < 1, "plateau-factor", plateauFactor, "in (0, 1)")
        try check(plateauPatience >= 0, "plateau-patience", plateauPatience, "at least 0")
        try check(cachedAugmentedCopies >= 0, "cached-copies", cachedAugmentedCopies, "at least 0")
        try check(cachedAugmentedCopies == 0 || policy == .frozen, "cached-copies", cachedAugmentedCopies,
                  "0 unless --policy frozen")
        try check(prefetchCount >= 1, "prefetch", prefetchCount, "at least 1")
        try check(blueprint.classCount == LeukemiaClass.allCases.count, "model", blueprint.classCount,
                  "a network with \(LeukemiaClass.allCases.count) classes")
        switch blueprint {
        case .efficientNetLite(let configuration):
            try check(configuration.imageSize == inputSize, "input-size", inputSize,
                      "the network's image size \(configuration.imageSize)")
        case .hybrid(let configuration, _):
            try check(configuration.imageSize == inputSize, "input-size", inputSize,
                      "the hybrid's image size \(configuration.imageSize)")
            try check(configuration.purpleMask.normalization == normalization.purpleMaskAffine, "normalization",
                      normalization.rawValue, "the normalization the hybrid's purple mask undoes")
        default:
            break
        }
    }

    enum CodingKeys: String, CodingKey {
        case architecture, backbone, blueprint, weights, policy, inputSize = "input_size", normalization, augmentation
        case maximumEpochs = "maximum_epochs", batchSize = "batch_size", learningRate = "learning_rate"
        case earlyStoppingPatience = "early_stopping_patience", plateauFactor = "plateau_factor"
        case plateauPatience = "plateau_patience", balancedClassWeights = "balanced_class_weights"
        case cachedAugmentedCopies = "cached_augmented_copies", seed, prefetchCount = "prefetch_count"
    }
}
