import Foundation
import Imaging
import ModelZoo
import NeuralNetworks

/// A trained cell-attention run, opened for evaluation, prediction, serving and explanation:
/// each image's cells are found and embedded by the backbone (its recorded weights, or the run's
/// `backbone.safetensors` when its top blocks were fine-tuned), and the attention network
/// classifies the bag.
public struct CellAttentionRun: TrainedImageClassifier {
    public let directory: RunDirectory
    public let configuration: RunConfiguration
    public let record: CellAttentionRecord
    let network: CellAttentionNetwork
    let embedder: CellEmbedder
    /// The run's temperature (`calibration.json`), read once; nil for a run without one.
    let calibration: RunCalibration?

    /// Opens the cell-attention run in `directory` whose `config.json` was read as `configuration`;
    /// the backbone's weights come from `weightsCache` (ImageNet's), the recorded file, or (top
    /// blocks fine-tuned) the run's `backbone.safetensors`, checked against its recorded hash.
    /// - Throws: `RunDirectoryError` for missing or changed weights, or a backbone whose weights
    ///   are not those the run was trained with.
    static func open(_ directory: RunDirectory, configuration: RunConfiguration,
                     weightsCache: URL = WeightStore.defaultFolder()) throws -> CellAttentionRun {
        guard let record = configuration.cellAttention else {
            throw RunDirectoryError.corrupt(directory.configuration.path, reason: "a cell-attention run without its cell_attention options")
        }
        let weights = try directory.readRequired(directory.weights)
        try directory.verify(weights, of: directory.weights, against: configuration)
        let network: CellAttentionNetwork
        do {
            network = try CellAttentionNetwork(configuration: record.options.network, seed: record.options.seed)
            try loadWeights(into: network, fromContentsOf: weights, source: directory.weights.path)
        } catch {
            throw RunDirectoryError.corrupt(directory.weights.path, reason: "\(error)")
        }
        network.eval()
        var options = record.options
        if options.policy == .topBlocks {
            try directory.verify(try directory.readRequired(directory.cellBackbone), of: directory.cellBackbone, against: configuration)
            options.backboneWeights = .file(directory.cellBackbone.path)
        }
        let embedder = try CellEmbedder(options: options, weightsCache: weightsCache, featureCache: nil)
        guard embedder.backboneKey == record.backboneKey else {
            throw RunDirectoryError.changedSinceTraining("the \(record.options.backbone.rawValue) backbone "
                                                         + "(\(options.backboneWeights)) of \(directory.url.path)",
                                                         recorded: record.backboneKey, found: embedder.backboneKey)
        }
        return CellAttentionRun(directory: directory, configuration: configuration, record: record, network: network, embedder: embedder,
                                calibration: try RunCalibration.load(from: directory))
    }

    public var inputSize: Int { record.options.imageSize }
    public var resizePolicy: ResizePolicy { .squash }

    public func outputs(of images: [RGBImage], firstPosition: Int) throws -> (probabilities: [[Double]], features: [[Float]]) {
        let predictions = try explanations(of: images).map(\.prediction)
        return (predictions.map(\.probabilities), predictions.map(\.features))
    }

    /// For each image (already `inputSize` square): the cells found and the network's prediction,
    /// whose attention weights are the cells' (or the whole image's, when no cell was found).
    public func explanations(of images: [RGBImage]) throws -> [(cells: [DetectedCell], prediction: CellAttentionPrediction)] {
        let bags = try embedder.bags(of: images, contentHashes: nil, versions: 1).bags
        return zip(bags, try CellAttentionPrediction.outputs(of: network, bags: bags)).map { ($0.cells, $1) }
    }
}
