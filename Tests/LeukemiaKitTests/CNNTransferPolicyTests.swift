import ModelZoo
import XCTest
@testable import LeukemiaKit

/// Which parameters train under each transfer policy, and the top-block boundary per architecture.
final class CNNTransferPolicyTests: XCTestCase {
    func testTopBlockBoundariesOfTheFullSizeArchitectures() throws {
        // The boundary depends only on the block structure, so narrow networks with the full-size
        // block counts stand for VGG-16, DenseNet-201 and ConvNeXt; Lite0 is built as it is.
        let vgg16 = try VGG(configuration: VGG.Configuration.vgg16.reduced(widthDivisor: 16, hiddenWidth: 16, classCount: 4), seed: 0)
        XCTAssertEqual(vgg16.topBlocksStart, "features.24")
        let densenet201 = try DenseNet(configuration: .init(growthRate: 2, blockLayerCounts: [6, 12, 48, 32], initialFeatures: 4,
                                                            classCount: 4), seed: 0)
        XCTAssertEqual(densenet201.topBlocksStart, "features.denseblock4.denselayer4")
        var convnext = ConvNeXt.Configuration.convnextTiny
        convnext.stages = convnext.stages.map { ConvNeXt.Configuration.Stage(inputChannels: $0.inputChannels / 16,
                                                                             outputChannels: $0.outputChannels.map { $0 / 16 },
                                                                             blockCount: 1) }
        XCTAssertEqual(try ConvNeXt(configuration: convnext, seed: 0).topBlocksStart, "features.7")
        XCTAssertEqual(try NetworkDescription(.efficientnetLite0, classCount: 4).makeNetwork(seed: 0).topBlocksStart, "_blocks.11")
        let hybrid = try HybridNetwork(configuration: .light(normalization: InputNormalization.imageNet.purpleMaskAffine),
                                       backbone: densenet201, seed: 0)
        XCTAssertEqual(hybrid.topBlocksStart, "backbone.features.denseblock4.denselayer4")
    }

    func testFrozenHybridTrainsTheUNetAndHeadAndTopBlocksAddsTheBackbonesLastBlock() throws {
        let blueprint = CNNTestFixture.tinyHybrid
        let network = try blueprint.makeNetwork(seed: 1)
        let frozen = try TransferPolicy.frozen.apply(to: network)
        let trainableNames = Set(network.namedParameters().filter { !$0.parameter.isFrozen }.map(\.name))
        XCTAssertEqual(frozen.count, trainableNames.count)
        XCTAssertTrue(trainableNames.allSatisfy { $0.hasPrefix("unet.") || $0.hasPrefix("head.") }, "\(trainableNames)")
        XCTAssertTrue(trainableNames.contains("head.output.weight"))

        try TransferPolicy.topBlocks.apply(to: network)
        let backboneNames = network.namedParameters().filter { !$0.parameter.isFrozen && $0.name.hasPrefix("backbone.") }.map(\.name)
        // The tiny DenseNet's last block has 2 layers (< 4), so all of it trains, then norm5; not its unused classifier.
        XCTAssertEqual(backboneNames.first, "backbone.features.denseblock2.denselayer1.norm1.weight")
        XCTAssertEqual(backboneNames.last, "backbone.features.norm5.bias")
        try TransferPolicy.full.apply(to: network)
        XCTAssertTrue(network.namedParameters().filter { $0.parameter.isFrozen }.allSatisfy { $0.name.hasPrefix("backbone.classifier.") })
    }

    func testTopBlocksTrainsTheLastBlockOnAndTheHead() throws {
        let blueprint = CNNTestFixture.tinyVGG
        let network = try blueprint.makeNetwork(seed: 1)
        let trainable = try TransferPolicy.topBlocks.apply(to: network)
        // Reduced VGG-16-BN: conv+bn+relu per convolution, so the last block starts at features.34.
        XCTAssertEqual(network.topBlocksStart, "features.34")
        let names = network.namedParameters().filter { !$0.parameter.isFrozen }.map(\.name)
        XCTAssertEqual(names, ["features.34.weight", "features.34.bias", "features.35.weight", "features.35.bias",
                               "features.37.weight", "features.37.bias", "features.38.weight", "features.38.bias",
                               "features.40.weight", "features.40.bias", "features.41.weight", "features.41.bias",
                               "classifier.0.weight", "classifier.0.bias", "classifier.3.weight", "classifier.3.bias",
                               "classifier.6.weight", "classifier.6.bias"])
        XCTAssertEqual(trainable.count, names.count)

        TransferPolicy.setTrainingMode(of: network)
        let modes = Dictionary(network.namedLayers().map { ($0.name, $0.layer.isTraining) }, uniquingKeysWith: { a, _ in a })
        XCTAssertEqual(modes["features.1"], false, "frozen batch norm uses running statistics")
        XCTAssertEqual(modes["features.35"], true)
    }

    func testFrozenTrainsOnlyTheHeadAndFullTrainsEverything() throws {
        let blueprint = CNNTestFixture.tinyDenseNet
        let network = try blueprint.makeNetwork(seed: 1)
        XCTAssertEqual(try TransferPolicy.frozen.apply(to: network).count, 2)
        XCTAssertEqual(network.namedParameters().filter { !$0.parameter.isFrozen }.map(\.name),
                       ["classifier.weight", "classifier.bias"])
        XCTAssertEqual(try TransferPolicy.full.apply(to: network).count, network.parameters().count)
    }
}
