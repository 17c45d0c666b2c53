import Datasets
import Foundation
import Imaging
import LeukemiaKit
import ModelZoo
import Randomness
import TestSupport

/// Three runs trained once per test process on synthetic smears (32 x 32, 8 per class): a tiny
/// DenseNet (`cnn`), a light hybrid on it (`hybrid`, one epoch) and XGBoost on hand-crafted
/// features (`classical`), and test images.
final class ServedRuns: @unchecked Sendable {
    let folder: TemporaryFolder
    let cnn: URL
    let classical: URL
    let hybrid: URL
    /// One JPEG per class, drawn apart from the training images, with its class name.
    let images: [(className: String, jpeg: Data)]

    /// The runs, trained on first use.
    static func shared() throws -> ServedRuns { try cached.get() }

    private static let cached = Result {
        let runs = try ServedRuns()
        folderURL = runs.folder.url
        atexit { ServedRuns.folderURL.map { try? FileManager.default.removeItem(at: $0) } }
        return runs
    }

    /// The folder to remove when the test process ends.
    private static var folderURL: URL?

    private init() throws {
        folder = try TemporaryFolder()
        let data = folder.url.appendingPathComponent("data")
        try SyntheticSmears.writeDataset(at: data, perClass: 8, seed: 21, size: 32)
        cnn = folder.url.appendingPathComponent("tiny-densenet")
        classical = folder.url.appendingPathComponent("xgboost")
        var options = try CNNTrainingOptions.study(NetworkDescription(.densenet201, classCount: 4, inputSize: 32), seed: 7)
        options.blueprint = .denseNet(DenseNet.Configuration(growthRate: 4, blockLayerCounts: [2, 2], initialFeatures: 8, classCount: 4))
        options.weights = .none
        options.maximumEpochs = 2
        options.batchSize = 8
        options.learningRate = 3e-3
        _ = try CNNTrainer.train(CNNTrainingRequest(options: options, dataDirectory: data, runDirectory: cnn,
                                                    split: SplitConfiguration(seed: 3),
                                                    weightsCache: folder.url.appendingPathComponent("weights"),
                                                    featureCache: folder.url.appendingPathComponent("features")))
        hybrid = folder.url.appendingPathComponent("tiny-hybrid")
        options.blueprint = .hybrid(
            HybridNetwork.Configuration(
                purpleMask: PurpleMask(normalization: InputNormalization.imageNet.channelAffine.map {
                    PurpleMask.ChannelAffine(scale: $0.scale, offset: $0.offset)
                }), imageSize: 32,
                unet: .init(widths: [4, 8, 16], flattenedStage: 4, flattenPooling: .average(window: 4), computesStagesAfterFlattened: false),
                denseHead: .init(widths: [16], dropout: 0, l2: 0, classCount: 4)),
            backbone: options.blueprint)
        options.maximumEpochs = 1
        _ = try CNNTrainer.train(CNNTrainingRequest(options: options, dataDirectory: data, runDirectory: hybrid,
                                                    split: SplitConfiguration(seed: 3),
                                                    weightsCache: folder.url.appendingPathComponent("weights"),
                                                    featureCache: folder.url.appendingPathComponent("features")))
        try ClassicalTrainer.train(ClassicalTrainingRequest(model: .xgboost, dataDirectory: data, runDirectory: classical, seed: 1,
                                                            split: SplitConfiguration(seed: 3), reusedSplit: nil)) { _ in }
        var generator = SeededGenerator(seed: 99)
        images = try SyntheticSmears.classNames.enumerated().map { index, name in
            (name, try ImageEncoder.jpeg(SyntheticSmears.image(classIndex: index, size: 48, generator: &generator), quality: 90))
        }
    }
}
