import Foundation
import Imaging
import ModelZoo

/// Every choice of a cell-attention training (`train --model cell-attention`), recorded under
/// `cell_attention` in `config.json` so that `evaluate`, `predict` and `serve` look at the cells
/// exactly as the training did.
///
/// The model: the white cells of an image are found (`detector`), a `cellSize` square is cut
/// around each centroid (in pixels of the image resized to `imageSize`), resized to
/// `embeddingInputSize` and embedded by the pretrained `backbone` (its pooled features: frozen, or
/// with its top blocks fine-tuned together with the attention network, `policy`);
/// the image is the bag of its cells' embeddings, pooled by gated attention and classified
/// (`CellAttentionNetwork`; Ilse, Tomczak and Welling 2018). An image in which no cell is found is
/// a bag of one: the whole image, resized to `embeddingInputSize`.
public struct CellAttentionOptions: Codable, Equatable, Sendable {
    /// The name runs and commands use (`--model cell-attention`, `config.json`'s `model`).
    public static let modelName = "cell-attention"

    /// How cells are found.
    public var detector: CellDetector
    /// Images are resized (squashed) to `imageSize` x `imageSize` before cells are found (224).
    public var imageSize: Int
    /// The side of the square cut around each cell, in pixels of the `imageSize` image (64:
    /// white cells are 20–50 pixels across in the ALL images).
    public var cellSize: Int
    /// The side each cut is resized to before the backbone (96).
    public var embeddingInputSize: Int
    /// The network that embeds each cell (EfficientNet-Lite0).
    public var backbone: Architecture
    /// Its starting weights: ImageNet's, or a safetensors file (e.g. the `weights.safetensors` of
    /// a run fine-tuned on whole images of the same training part).
    public var backboneWeights: WeightsSource
    /// What of the backbone trains: nothing (`frozen`: the cells are embedded once and cached, and
    /// only the attention network trains), or its top blocks (`topBlocks`, as
    /// `ImageClassifierNetwork.topBlocksStart` names them: every epoch embeds the training cells
    /// anew, the gradient of the bag loss reaching those blocks; the run keeps the fine-tuned
    /// backbone in `backbone.safetensors`). `full` is refused.
    public var policy: TransferPolicy
    /// Adam's rate for the backbone's trained blocks under `topBlocks` (the attention network's
    /// is `learningRate`): 1e-4, the CNNs' fine-tuning rate.
    public var backboneLearningRate: Float
    /// How many of the eight symmetries of each training cell are embedded and cached (1...8):
    /// each epoch draws one of them per cell, the augmentation of the cell crops.
    public var augmentedVersions: Int
    /// The attention network's sizes and dropout (its class count and embedding size are set from
    /// the data and the backbone).
    public var network: CellAttentionNetwork.Configuration
    public var maximumEpochs: Int
    /// Bags (images) per optimizer step.
    public var bagsPerStep: Int
    public var learningRate: Float
    /// Epochs without a lower validation loss before training stops; the best epoch is kept.
    public var earlyStoppingPatience: Int
    /// Whether the training loss weights class c by n / (k · n_c), as the CNNs' does.
    public var balancedClassWeights: Bool
    /// Seed of the network's initialization, the bag order, the symmetries drawn and dropout.
    public var seed: UInt64

    public init(detector: CellDetector = CellDetector(), imageSize: Int = 224, cellSize: Int = 64, embeddingInputSize: Int = 96,
                backbone: Architecture = .efficientnetLite0, backboneWeights: WeightsSource = .imagenet,
                policy: TransferPolicy = .frozen, backboneLearningRate: Float = 1e-4, augmentedVersions: Int = 4,
                network: CellAttentionNetwork.Configuration, maximumEpochs: Int = 100, bagsPerStep: Int = 16,
                learningRate: Float = 1e-3, earlyStoppingPatience: Int = 10, balancedClassWeights: Bool = true, seed: UInt64 = 42) {
        self.detector = detector
        self.imageSize = imageSize
        self.cellSize = cellSize
        self.embeddingInputSize = embeddingInputSize
        self.backbone = backbone
        self.backboneWeights = backboneWeights
        self.policy = policy
        self.backboneLearningRate = backboneLearningRate
        self.augmentedVersions = augmentedVersions
        self.network = network
        self.maximumEpochs = maximumEpochs
        self.bagsPerStep = bagsPerStep
        self.learningRate = learningRate
        self.earlyStoppingPatience = earlyStoppingPatience
        self.balancedClassWeights = balancedClassWeights
        self.seed = seed
    }

    /// Throws unless every option lies in its range.
    /// - Throws: `CNNTrainingError.invalidOption` naming the first option at fault;
    ///   `CellDetectorError` for a detector setting.
    public func validate() throws {
        func check(_ ok: Bool, _ name: String, _ value: Any, _ expected: String) throws {
            guard ok else { throw CNNTrainingError.invalidOption(name: name, value: "\(value)", expected: expected) }
        }
        try detector.validate()
        try check(imageSize >= 32, "image-size", imageSize, "at least 32")
        try check((8...imageSize).contains(cellSize), "cell-size", cellSize, "8 to the image size \(imageSize)")
        try check(embeddingInputSize >= 32, "embedding-input-size", embeddingInputSize, "at least 32")
        try check(backbone != .hybrid, "backbone", backbone.rawValue, "a network of the registry other than the hybrid")
        try check(policy != .full, "policy", policy.rawValue, "frozen or top-blocks for the cell-attention model")
        try check(backboneLearningRate > 0 && backboneLearningRate.isFinite, "backbone-learning-rate", backboneLearningRate,
                  "a positive number")
        try check((1...8).contains(augmentedVersions), "cell-versions", augmentedVersions, "1 to 8")
        try check(maximumEpochs >= 1, "epochs", maximumEpochs, "at least 1")
        try check(bagsPerStep >= 1, "batch-size", bagsPerStep, "at least 1")
        try check(learningRate > 0 && learningRate.isFinite, "learning-rate", learningRate, "a positive number")
        try check(earlyStoppingPatience >= 1, "early-stopping-patience", earlyStoppingPatience, "at least 1")
    }

    /// The backbone's options as a CNN at `embeddingInputSize` (what `CNNInference` needs to embed
    /// the cells, and the input normalization of the top-blocks training); its class count is
    /// irrelevant (only its features are used).
    func backboneOptions() throws -> CNNTrainingOptions {
        var options = try CNNTrainingOptions.study(
            NetworkDescription(backbone, classCount: 2, inputSize: embeddingInputSize), seed: seed)
        options.weights = backboneWeights
        options.policy = .frozen   // embedding never trains; a top-blocks training applies its policy itself
        options.augmentation = nil
        return options
    }

    /// The cells of `image` (already `imageSize` square) and the crops the backbone embeds: one
    /// `cellSize` square around each centroid, resized to `embeddingInputSize`; the whole image
    /// when no cell is found.
    /// - Throws: `CellDetectorError` for detector settings out of range.
    func cells(in image: RGBImage) throws -> (cells: [DetectedCell], crops: [RGBImage]) {
        let side = embeddingInputSize
        let cells = try detector.detect(in: image)
        guard !cells.isEmpty else { return ([], [image.resized(width: side, height: side)]) }
        return (cells, cells.map {
            image.square(side: cellSize, centeredAt: $0.centroidX, $0.centroidY).resized(width: side, height: side)
        })
    }

    /// How reports name the backbone and what of it trained, e.g. "efficientnet-lite0 (imagenet, top-blocks)".
    public var backboneSummary: String { "\(backbone.rawValue) (\(backboneWeights), \(policy.rawValue))" }

    enum CodingKeys: String, CodingKey {
        case detector, imageSize = "image_size", cellSize = "cell_size", embeddingInputSize = "embedding_input_size"
        case backbone, backboneWeights = "backbone_weights", policy, backboneLearningRate = "backbone_learning_rate"
        case augmentedVersions = "augmented_versions", network
        case maximumEpochs = "maximum_epochs", bagsPerStep = "bags_per_step", learningRate = "learning_rate"
        case earlyStoppingPatience = "early_stopping_patience", balancedClassWeights = "balanced_class_weights", seed
    }
}

extension CellAttentionOptions {
    /// Decodes options recorded before `policy` and `backboneLearningRate` existed as a frozen backbone.
    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(detector: container.decode(CellDetector.self, forKey: .detector),
                      imageSize: container.decode(Int.self, forKey: .imageSize),
                      cellSize: container.decode(Int.self, forKey: .cellSize),
                      embeddingInputSize: container.decode(Int.self, forKey: .embeddingInputSize),
                      backbone: container.decode(Architecture.self, forKey: .backbone),
                      backboneWeights: container.decode(WeightsSource.self, forKey: .backboneWeights),
                      policy: container.decodeIfPresent(TransferPolicy.self, forKey: .policy) ?? .frozen,
                      backboneLearningRate: container.decodeIfPresent(Float.self, forKey: .backboneLearningRate) ?? 1e-4,
                      augmentedVersions: container.decode(Int.self, forKey: .augmentedVersions),
                      network: container.decode(CellAttentionNetwork.Configuration.self, forKey: .network),
                      maximumEpochs: container.decode(Int.self, forKey: .maximumEpochs),
                      bagsPerStep: container.decode(Int.self, forKey: .bagsPerStep),
                      learningRate: container.decode(Float.self, forKey: .learningRate),
                      earlyStoppingPatience: container.decode(Int.self, forKey: .earlyStoppingPatience),
                      balancedClassWeights: container.decode(Bool.self, forKey: .balancedClassWeights),
                      seed: container.decode(UInt64.self, forKey: .seed))
    }
}

/// What a cell-attention run records under `cell_attention` in `config.json`: its options (class
/// count and embedding size set from the data and the backbone) and the backbone it was trained on.
public struct CellAttentionRecord: Codable, Equatable, Sendable {
    public var options: CellAttentionOptions
    /// `CellEmbedder.backboneKey` of the backbone that embedded the training cells: the run opens
    /// only with a backbone of the same weights (checked, since they live outside the run folder).
    public var backboneKey: String

    public init(options: CellAttentionOptions, backboneKey: String) {
        self.options = options
        self.backboneKey = backboneKey
    }

    enum CodingKeys: String, CodingKey {
        case options, backboneKey = "backbone_key"
    }
}
