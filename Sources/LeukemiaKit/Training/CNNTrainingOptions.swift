import Foundation
import ModelZoo
import Datasets
import Imaging
import Tensors

/// Every choice of a CNN training, with the study's values as defaults; stored in the run
/// directory (`training-options.json`, and under `cnn` in `config.json`) so that a resumed run
/// and `evaluate`/`predict` use exactly the same settings.
public struct CNNTrainingOptions: Codable, Equatable, Sendable {
    /// The network as the registry names it (`--model`, `--backbone`, `--hybrid-variant`,
    /// `--input-size`, `--normalization`).
    public var network: NetworkDescription
    /// The network's exact sizes: `network.blueprint()`, or a reduced network (`--network-config`).
    public var blueprint: NetworkBlueprint
    public var weights: WeightsSource
    public var policy: TransferPolicy
    /// Training augmentation; nil trains on the images as they are.
    public var augmentation: AugmentationPolicy?
    /// The most epochs to train (early stopping usually ends sooner).
    public var maximumEpochs: Int
    public var batchSize: Int
    public var learningRate: Float
    /// Adam's rate for the pretrained backbone's trained parameters (`--backbone-learning-rate`;
    /// for a plain network every parameter but its head's, for the hybrid its backbone's), the
    /// others (head, U-Net, dense head) at `learningRate`; nil: one rate for all (the study's).
    /// A schedule (reduce-on-plateau, a refit's replay) scales both rates alike.
    public var backboneLearningRate: Float? = nil
    /// What picks the kept epoch and drives reduce-on-plateau (`--selection`): the study's
    /// validation loss (`loss`, the hybrid's L2 term included), the data loss alone, or accuracy.
    public var selection: ModelSelection = .loss
    /// How the learning rate falls over the epochs (`--schedule`): reduce-on-plateau (the study's)
    /// or cosine annealing over `maximumEpochs`. Runs written before it was an option use plateau.
    public var schedule: LearningRateDecay = .plateau
    /// Epochs without a lower validation loss before training stops (5); the best epoch's weights are kept.
    public var earlyStoppingPatience: Int
    /// The learning-rate factor applied on a validation-loss plateau (0.1; `schedule` plateau only).
    public var plateauFactor: Float
    /// Epochs without improvement before the rate is lowered (3).
    public var plateauPatience: Int
    /// Whether the training loss weights class c by n / (k · n_c).
    public var balancedClassWeights: Bool
    /// With the frozen policy: augmented copies of each training image whose features are cached
    /// besides the original; each epoch draws one of the 1 + N versions of every image.
    public var cachedAugmentedCopies: Int
    /// How decoded images become `inputSize` squares (`--resize`): squash (the study's) or
    /// shorter side then centre crop. Runs written before it was an option squash.
    public var resize: ResizePolicy = .squash
    /// What the convolutions compute in (`--precision`): FP32, or bf16 mixed precision on a CPU
    /// with native bf16 (see `ComputePrecision`). Runs written before it was an option are FP32.
    /// `evaluate`, `predict` and `serve` use the run's unless told otherwise.
    public var precision: ComputePrecision = .fp32
    /// Training images (rounded up to whole batches) whose unaugmented forward passes, dropout
    /// off, recompute the running statistics of the batch normalizations at the end of each epoch
    /// (`--recompute-batch-norm`; 0: the running averages of the training steps, the study's).
    /// Runs written before it was an option use 0.
    public var batchNormRecomputationImages = 0
    /// The first epoch whose end-of-epoch weights enter a running average (`--average-from`, see
    /// `WeightAverage`); when training ends, the average (its batch-norm statistics recomputed
    /// with `--recompute-batch-norm`) is scored on the validation part and kept instead of the
    /// best epoch's weights if its `selection` value is lower. nil: no averaging (the study's).
    public var weightAveragingStart: Int? = nil
    /// Seed of the head initialization, batch order, augmentation and dropout.
    public var seed: UInt64
    /// Batches prepared ahead of the network.
    public var prefetchCount: Int

    /// Images are resized to `inputSize` x `inputSize` (the network's).
    public var inputSize: Int { network.inputSize }
    /// How pixels become inputs (the network's).
    public var normalization: InputNormalization { network.normalization }

    /// The study's settings for `network`: the study's augmentation, Adam 1e-4, batch 32, early
    /// stopping (patience 5) and reduce-on-plateau (factor 0.1, patience 3), balanced class
    /// weights, ImageNet weights, full fine-tuning.
    /// - Throws: `ModelZooError` for a network that cannot be built.
    public static func study(_ network: NetworkDescription, seed: UInt64) throws -> CNNTrainingOptions {
        CNNTrainingOptions(
            network: network, blueprint: try network.blueprint(),
            weights: .imagenet, policy: .full,
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
        try check((16...1024).contains(inputSize), "input-size", inputSize, "16 to 1024 pixels")
        try check((1...10_000).contains(maximumEpochs), "epochs", maximumEpochs, "1 to 10000")
        try check((1...1024).contains(batchSize), "batch-size", batchSize, "1 to 1024")
        try check(learningRate > 0 && learningRate <= 1, "learning-rate", learningRate, "a number in (0, 1]")
        try checkPrecisionRunsHere()
        if let backboneLearningRate {
            try check(backboneLearningRate >= 0 && backboneLearningRate <= 1, "backbone-learning-rate", backboneLearningRate,
                      "a number in [0, 1] (0 keeps the backbone as loaded)")
            try check(policy != .frozen, "backbone-learning-rate", backboneLearningRate, "unset with --policy frozen (the backbone does not train)")
        }
        try check((1...1000).contains(earlyStoppingPatience), "early-stopping-patience", earlyStoppingPatience, "1 to 1000")
        try check(plateauFactor > 0 && plateauFactor < 1, "plateau-factor", plateauFactor, "in (0, 1)")
        try check((0...1000).contains(plateauPatience), "plateau-patience", plateauPatience, "0 to 1000")
        try check((0...100).contains(cachedAugmentedCopies), "cached-copies", cachedAugmentedCopies, "0 to 100")
        try check(cachedAugmentedCopies == 0 || policy == .frozen, "cached-copies", cachedAugmentedCopies,
                  "0 unless --policy frozen")
        try check((1...64).contains(prefetchCount), "prefetch", prefetchCount, "1 to 64")
        try check((0...1_000_000).contains(batchNormRecomputationImages), "recompute-batch-norm", batchNormRecomputationImages,
                  "0 to 1000000 images")
        try check(batchNormRecomputationImages == 0 || policy != .frozen || network.architecture == .hybrid, "recompute-batch-norm",
                  batchNormRecomputationImages, "0 with --policy frozen (no batch normalization trains)")
        if let weightAveragingStart {
            try check((1...maximumEpochs).contains(weightAveragingStart), "average-from", weightAveragingStart,
                      "an epoch from 1 to --epochs (\(maximumEpochs))")
        }
        if let augmentation {
            try check((0...180).contains(augmentation.rotationDegrees), "rotation", augmentation.rotationDegrees, "0 to 180 degrees")
            try check((0...1).contains(augmentation.widthShift) && (0...1).contains(augmentation.heightShift), "shift",
                      augmentation.widthShift, "a fraction from 0 to 1 of the image size")
            try check((0..<90).contains(augmentation.shearDegrees), "shear", augmentation.shearDegrees, "0 to less than 90 degrees")
            try check((0..<1).contains(augmentation.zoom), "zoom", augmentation.zoom, "0 to less than 1 (zoom 1 ± z)")
        }
        try check(network.classCount >= 2, "model", network.classCount, "a network with at least 2 classes")
        if let mismatch = network.mismatch(with: blueprint) {
            throw CNNTrainingError.invalidOption(name: "network-config", value: network.name, expected: "a fitting network: " + mismatch)
        }
    }

    /// Throws `CNNTrainingError.invalidOption` for `--precision` when this CPU cannot run
    /// `precision`; `origin` (e.g. "the run's, RUN") says where the value came from.
    func checkPrecisionRunsHere(origin: String? = nil) throws {
        guard let needs = precision.unsupportedReason else { return }
        throw CNNTrainingError.invalidOption(name: "precision", value: precision.rawValue + (origin.map { " (\($0))" } ?? ""),
                                             expected: needs)
    }

    enum CodingKeys: String, CodingKey {
        case network, blueprint, weights, policy, augmentation
        case maximumEpochs = "maximum_epochs", batchSize = "batch_size", learningRate = "learning_rate"
        case backboneLearningRate = "backbone_learning_rate", selection, schedule
        case earlyStoppingPatience = "early_stopping_patience", plateauFactor = "plateau_factor"
        case plateauPatience = "plateau_patience", balancedClassWeights = "balanced_class_weights"
        case cachedAugmentedCopies = "cached_augmented_copies", seed, prefetchCount = "prefetch_count", resize
        case precision, batchNormRecomputationImages = "batch_norm_recomputation_images"
        case weightAveragingStart = "average_from_epoch"
    }
}

extension CNNTrainingOptions {
    /// The keys by which runs written before the registry (toolkit 0.3 and earlier) named their
    /// network; such runs still load.
    private enum LegacyKeys: String, CodingKey {
        case architecture, backbone, inputSize = "input_size", normalization
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        blueprint = try container.decode(NetworkBlueprint.self, forKey: .blueprint)
        if let network = try container.decodeIfPresent(NetworkDescription.self, forKey: .network) {
            self.network = network
        } else {
            let legacy = try decoder.container(keyedBy: LegacyKeys.self)
            network = NetworkDescription(
                try legacy.decode(Architecture.self, forKey: .architecture),
                backbone: try legacy.decodeIfPresent(Architecture.self, forKey: .backbone), hybridVariant: blueprint.hybridVariant,
                classCount: blueprint.classCount, inputSize: try legacy.decode(Int.self, forKey: .inputSize),
                normalization: try legacy.decode(InputNormalization.self, forKey: .normalization))
        }
        weights = try container.decode(WeightsSource.self, forKey: .weights)
        policy = try container.decode(TransferPolicy.self, forKey: .policy)
        augmentation = try container.decodeIfPresent(AugmentationPolicy.self, forKey: .augmentation)
        maximumEpochs = try container.decode(Int.self, forKey: .maximumEpochs)
        batchSize = try container.decode(Int.self, forKey: .batchSize)
        learningRate = try container.decode(Float.self, forKey: .learningRate)
        backboneLearningRate = try container.decodeIfPresent(Float.self, forKey: .backboneLearningRate)
        selection = try container.decodeIfPresent(ModelSelection.self, forKey: .selection) ?? .loss
        schedule = try container.decodeIfPresent(LearningRateDecay.self, forKey: .schedule) ?? .plateau
        earlyStoppingPatience = try container.decode(Int.self, forKey: .earlyStoppingPatience)
        plateauFactor = try container.decode(Float.self, forKey: .plateauFactor)
        plateauPatience = try container.decode(Int.self, forKey: .plateauPatience)
        balancedClassWeights = try container.decode(Bool.self, forKey: .balancedClassWeights)
        cachedAugmentedCopies = try container.decode(Int.self, forKey: .cachedAugmentedCopies)
        seed = try container.decode(UInt64.self, forKey: .seed)
        prefetchCount = try container.decode(Int.self, forKey: .prefetchCount)
        resize = try container.decodeIfPresent(ResizePolicy.self, forKey: .resize) ?? .squash
        precision = try container.decodeIfPresent(ComputePrecision.self, forKey: .precision) ?? .fp32
        batchNormRecomputationImages = try container.decodeIfPresent(Int.self, forKey: .batchNormRecomputationImages) ?? 0
        weightAveragingStart = try container.decodeIfPresent(Int.self, forKey: .weightAveragingStart)
    }
}
