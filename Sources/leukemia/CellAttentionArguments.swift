import ArgumentParser
import Foundation
import LeukemiaKit
import ModelZoo

/// The options of `--model cell-attention` (`train`, `study`); its backbone's weights are
/// `--weights` (ImageNet's by default, or a run's fine-tuned `weights.safetensors`), what of the
/// backbone trains `--policy` (frozen by default, or top-blocks at `--backbone-learning-rate`),
/// its seed `--seed`, and `--no-class-weights` applies as to the CNNs.
struct CellAttentionArguments: ParsableArguments {
    @Option(name: .customLong("cell-backbone"), help: "The network that embeds each cell.")
    var backbone: Architecture = .efficientnetLite0

    @Option(name: .customLong("cell-size"), help: "Side in pixels of the square cut around each cell, in the 224-pixel image.")
    var cellSize: Int = 64

    @Option(name: .customLong("cell-input-size"), help: "Side each cell's square is resized to before the backbone.")
    var inputSize: Int = 96

    @Option(name: .customLong("cell-versions"), help: "Symmetries (rotations, mirrors) of each training cell embedded and drawn from, 1 to 8.")
    var versions: Int = 4

    @Option(name: .customLong("cell-epochs"), help: "Most epochs of the attention network (early stopping usually ends sooner).")
    var epochs: Int = 100

    @Option(name: .customLong("cell-batch-size"), help: "Images (bags of cells) per step.")
    var batchSize: Int = 16

    @Option(name: .customLong("cell-learning-rate"), help: "Adam's learning rate for the attention network.")
    var learningRate: Float = 1e-3

    @Option(name: .customLong("cell-patience"), help: "Epochs without a lower validation loss before stopping.")
    var patience: Int = 10

    @Option(name: .customLong("cell-dropout"), help: "Dropout after the cell projection.")
    var dropout: Float = 0.25

    /// The options of a cell-attention training with `cnn`'s `--weights`, `--policy`,
    /// `--backbone-learning-rate` and `--no-class-weights`.
    func options(cnn: CNNTrainingArguments, classCount: Int, seed: UInt64) throws -> CellAttentionOptions {
        let policy = cnn.policy ?? .frozen
        if cnn.averageFrom != nil {
            throw ValidationError("--average-from applies to the CNNs, not to --model cell-attention")
        }
        if cnn.backboneLearningRate != nil, policy != .topBlocks {
            throw ValidationError("--backbone-learning-rate applies only to --policy top-blocks (a frozen backbone does not train)")
        }
        let options = CellAttentionOptions(
            cellSize: cellSize, embeddingInputSize: inputSize, backbone: backbone, backboneWeights: WeightsSource(argument: cnn.weights),
            policy: policy, backboneLearningRate: cnn.backboneLearningRate ?? 1e-4, augmentedVersions: versions, network: CellAttentionNetwork.Configuration(dropoutRate: dropout, classCount: classCount),
            maximumEpochs: epochs, bagsPerStep: batchSize, learningRate: learningRate, earlyStoppingPatience: patience,
            balancedClassWeights: !cnn.noClassWeights, seed: seed)
        try options.validate()
        return options
    }
}
