import Foundation
import ModelZoo
import NetworkTestSupport
import TestSupport
import XCTest
@testable import LeukemiaKit
@testable import Datasets
@testable import Evaluation

/// A synthetic data set and tiny-network options for CNN training tests (32x32 inputs, a
/// reduced-width VGG-16-BN or DenseNet, random initial weights), with folders removed at teardown.
struct CNNTestFixture {
    let root: URL
    let data: URL
    let featureCache: URL
    let weightsCache: URL

    init(_ test: XCTestCase, perClass: Int = 10) throws {
        root = try TemporaryFolder(test).url
        data = root.appendingPathComponent("data")
        featureCache = root.appendingPathComponent("feature-cache")
        weightsCache = root.appendingPathComponent("weights-cache")
        try SyntheticSmears.writeDataset(at: data, perClass: perClass, seed: 11, size: 32)
    }

    /// A reduced VGG-16-BN (its classifier has dropout, so reseeding is exercised).
    static let tinyVGG = NetworkBlueprint.vgg(VGG.Configuration.vgg16BN.reduced(widthDivisor: 16, hiddenWidth: 16, classCount: 4))
    /// A DenseNet with two short blocks.
    static let tinyDenseNet = NetworkBlueprint.denseNet(
        DenseNet.Configuration(growthRate: 4, blockLayerCounts: [2, 2], initialFeatures: 8, classCount: 4))

    /// A light hybrid at 32x32 (U-Net widths 4, 8, 16, stage conv4 pooled 4 x 4; head 32, 16 with
    /// dropout) on the tiny DenseNet, its purple mask undoing ImageNet normalization.
    static let tinyHybrid = tinyHybrid(l2: 0.01)

    /// `tinyHybrid` with the dense head's L2 factor `l2`.
    static func tinyHybrid(l2: Float) -> NetworkBlueprint {
        NetworkBlueprint.hybrid(
        HybridNetwork.Configuration(
            purpleMask: PurpleMask(normalization: InputNormalization.imageNet.channelAffine.map {
                PurpleMask.ChannelAffine(scale: $0.scale, offset: $0.offset)
            }), imageSize: 32,
            unet: .init(widths: [4, 8, 16], flattenedStage: 4, flattenPooling: .average(window: 4),
                        computesStagesAfterFlattened: false),
            denseHead: .init(widths: [32, 16], dropout: 0.3, l2: l2, classCount: 4)),
        backbone: tinyDenseNet)
    }

    static func options(_ blueprint: NetworkBlueprint = tinyDenseNet, policy: TransferPolicy = .full, epochs: Int = 4,
                        learningRate: Float = 3e-3, seed: UInt64 = 7) throws -> CNNTrainingOptions {
        var options = try CNNTrainingOptions.study(NetworkDescription(.densenet201, classCount: 4, inputSize: 32), seed: seed)
        options.blueprint = blueprint
        options.weights = .none
        options.policy = policy
        options.maximumEpochs = epochs
        options.batchSize = 8
        options.learningRate = learningRate
        options.augmentation = AugmentationPolicy(rotationDegrees: 10, widthShift: 0.1, heightShift: 0.1,
                                                  shearDegrees: 0, zoom: 0.1, horizontalFlip: true)
        return options
    }

    func request(_ options: CNNTrainingOptions, run name: String, costFile: URL? = nil) -> CNNTrainingRequest {
        CNNTrainingRequest(options: options, dataDirectory: data, runDirectory: root.appendingPathComponent(name),
                           split: SplitConfiguration(seed: 3), costFile: costFile, weightsCache: weightsCache,
                           featureCache: featureCache)
    }

    func run(_ name: String) -> RunDirectory { RunDirectory(root.appendingPathComponent(name)) }

    /// The mean cross-entropy of the run's kept weights on its validation part, through the
    /// inference path `predict` uses.
    func validationLoss(of run: RunDirectory) throws -> Double {
        let validation = try files(of: .validation, in: run)
        let probabilities = try CNNRun.open(run.url).probabilities(forFilesAt: validation.map(\.url)).map { try $0.get() }
        return zip(probabilities, validation).map { -log($0[$1.label]) }.reduce(0, +) / Double(validation.count)
    }

    /// The data files of `part` of the run's split.
    func files(of part: DatasetPart, in run: RunDirectory) throws -> [(url: URL, label: Int)] {
        try SplitManifest.load(from: run.splitManifest).entries.filter { $0.part == part }
            .map { (data.appendingPathComponent($0.path), ClassSet.acuteLymphoblasticLeukemia.index(of: $0.label)!) }
    }
}
