import ModelZoo
import XCTest
@testable import LeukemiaKit

/// Which parameters train under each transfer policy, and the top-block boundary per architecture.
final class CNNTransferPolicyTests: XCTestCase {
    func testTopBlockBoundariesOfTheFullSizeArchitectures() throws {
        // The boundary depends only on the configuration, except for EfficientNet-Lite (group ends).
        let tiny = try CNNTestFixture.tinyDenseNet.makeNetwork(seed: 0)
        XCTAssertEqual(try CNNArchitecture.densenet201.blueprint(classCount: 4, inputSize: 224).topBlocksStart(of: tiny),
                       "features.denseblock4.denselayer4")
        XCTAssertEqual(try CNNArchitecture.vgg16.blueprint(classCount: 4, inputSize: 224).topBlocksStart(of: tiny), "features.24")
        XCTAssertEqual(try CNNArchitecture.convnextTiny.blueprint(classCount: 4, inputSize: 224).topBlocksStart(of: tiny), "features.7")
        XCTAssertEqual(try CNNArchitecture.convnextBase.blueprint(classCount: 4, inputSize: 224).topBlocksStart(of: tiny), "features.7")
        let lite0 = try CNNArchitecture.efficientnetLite0.blueprint(classCount: 4, inputSize: 224)
        XCTAssertEqual(lite0.topBlocksStart(of: try lite0.makeNetwork(seed: 0)), "_blocks.11")
        XCTAssertThrowsError(try CNNArchitecture.hybrid.blueprint(classCount: 4, inputSize: 224)) { error in
            guard case .invalidOption(name: "backbone", _, _)? = error as? CNNTrainingError else { return XCTFail("\(error)") }
        }
        let hybrid = try CNNArchitecture.hybrid.blueprint(classCount: 4, inputSize: 224, backbone: .densenet201)
        XCTAssertEqual(hybrid.topBlocksStart(of: tiny), "backbone.features.denseblock4.denselayer4")
    }

    func testFrozenHybridTrainsTheUNetAndHeadAndTopBlocksAddsTheBackbonesLastBlock() throws {
        let blueprint = CNNTestFixture.tinyHybrid
        let network = try blueprint.makeNetwork(seed: 1)
        let frozen = try TransferPolicy.frozen.apply(to: network, blueprint: blueprint)
        let trainableNames = Set(network.namedParameters().filter { !$0.parameter.isFrozen }.map(\.name))
        XCTAssertEqual(frozen.count, trainableNames.count)
        XCTAssertTrue(trainableNames.allSatisfy { $0.hasPrefix("unet.") || $0.hasPrefix("head.") }, "\(trainableNames)")
        XCTAssertTrue(trainableNames.contains("head.output.weight"))

        try TransferPolicy.topBlocks.apply(to: network, blueprint: blueprint)
        let backboneNames = network.namedParameters().filter { !$0.parameter.isFrozen && $0.name.hasPrefix("backbone.") }.map(\.name)
        // The tiny DenseNet's last block has 2 layers (< 4), so all of it trains, then norm5; not its unused classifier.
        XCTAssertEqual(backboneNames.first, "backbone.features.denseblock2.denselayer1.norm1.weight")
        XCTAssertEqual(backboneNames.last, "backbone.features.norm5.bias")
        try TransferPolicy.full.apply(to: network, blueprint: blueprint)
        XCTAssertTrue(network.namedParameters().filter { $0.parameter.isFrozen }.allSatisfy { $0.name.hasPrefix("backbone.classifier.") })
    }

    func testTopBlocksTrainsTheLastBlockOnAndTheHead() throws {
        let blueprint = CNNTestFixture.tinyVGG
        let network = try blueprint.makeNetwork(seed: 1)
        let trainable = try TransferPolicy.topBlocks.apply(to: network, blueprint: blueprint)
        // Reduced VGG-16-BN: conv+bn+relu per convolution, so the last block starts at features.34.
        XCTAssertEqual(blueprint.topBlocksStart(of: network), "features.34")
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
        XCTAssertEqual(try TransferPolicy.frozen.apply(to: network, blueprint: blueprint).count, 2)
        XCTAssertEqual(network.namedParameters().filter { !$0.parameter.isFrozen }.map(\.name),
                       ["classifier.weight", "classifier.bias"])
        XCTAssertEqual(try TransferPolicy.full.apply(to: network, blueprint: blueprint).count, network.parameters().count)
    }
}
