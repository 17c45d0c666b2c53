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
        XCTAssertThrowsError(try CNNArchitecture.hybrid.blueprint(classCount: 4, inputSize: 224))
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
